//! Gives the memory of freed file data back to the system.
//!
//! File data lives in 64 KiB chunks. glibc serves blocks of that size from its
//! heaps (below its mmap threshold, which also rises as large blocks come and
//! go) and, when they are freed, keeps them for later allocations: only the
//! top of a heap is ever returned. So after `rm` of a 2 GiB file about half
//! of it stayed in the daemon. `malloc_trim` walks every arena and returns the
//! free pages inside the heaps too. The daemon calls it when the machine's
//! memory use has fallen by [`TRIM_STEP`] since its highest point.

/// How far the memory in use must fall before the daemon trims: large enough
/// that small deletes cost nothing, small next to what a mount holds.
pub const TRIM_STEP: u64 = 16 << 20;

/// Watches the machine's memory use between trims.
#[derive(Debug, Default)]
pub struct Trimmer {
    /// The highest use seen since the last trim.
    peak: u64,
}

impl Trimmer {
    /// Takes the machine's memory use now; returns true when it trimmed.
    pub fn observe(&mut self, used: u64) -> bool {
        if used >= self.peak {
            self.peak = used;
            return false;
        }
        if self.peak - used < TRIM_STEP {
            return false;
        }
        self.peak = used;
        trim();
        true
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators return freed memory on their own (or have no such call).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_once_use_has_fallen_a_step_below_its_peak() {
        let mut t = Trimmer::default();
        // (memory in use, trims)
        let rows = [
            (100 << 20, false),
            (90 << 20, false),
            (84 << 20, true),
            (80 << 20, false),
            (200 << 20, false),
            (199 << 20, false),
            (0, true),
            (0, false),
        ];
        for (used, trims) in rows {
            assert_eq!(t.observe(used), trims, "{used}");
        }
    }
}
