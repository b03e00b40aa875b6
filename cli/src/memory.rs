//! The memory budget's default: half the machine's memory, so that a mount
//! answers ENOSPC (ERROR_DISK_FULL) long before the kernel's OOM killer or a
//! failed allocation would end it. The machine's memory is the smaller of
//! /proc/meminfo's MemTotal and the cgroup's memory.max (a container's limit);
//! where neither can be read, sysconf's physical pages; where nothing can be
//! read, no budget.

/// The share of the machine's memory the budget is by default, in percent.
pub const DEFAULT_SHARE_PERCENT: u64 = 50;

/// The budget when `--max-memory` is not given.
pub fn default_budget() -> u64 {
    machine_memory().map_or(u64::MAX, |m| m / 100 * DEFAULT_SHARE_PERCENT)
}

/// The memory this process may use, in bytes.
fn machine_memory() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_total(&t))
        .or_else(physical_memory);
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|t| cgroup_max(&t));
    match (total, cgroup) {
        (Some(t), Some(c)) => Some(t.min(c)),
        (t, c) => t.or(c),
    }
}

/// `MemTotal:  16318412 kB` in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// cgroup v2 `memory.max`: a number of bytes, or `max` (no limit).
fn cgroup_max(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

#[cfg(unix)]
fn physical_memory() -> Option<u64> {
    // SAFETY: sysconf has no preconditions.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    (pages > 0 && size > 0).then(|| pages as u64 * size as u64)
}

#[cfg(not(unix))]
fn physical_memory() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_and_cgroup_texts() {
        let meminfo = "MemTotal:       16318412 kB\nMemFree:         1234 kB\n";
        assert_eq!(mem_total(meminfo), Some(16_318_412 * 1024));
        assert_eq!(mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(cgroup_max("2147483648\n"), Some(2 << 30));
        assert_eq!(cgroup_max("max\n"), None);
    }

    #[test]
    fn the_default_is_a_share_of_what_the_machine_has() {
        let b = default_budget();
        assert!(b > 0);
        if let Some(m) = machine_memory() {
            assert_eq!(b, m / 100 * DEFAULT_SHARE_PERCENT);
        }
    }
}
