//! A machine shared between threads (the adapters): one RwLock, and in debug
//! builds every write guard checks the invariants when it is dropped.

use crate::invariants;
use crate::machine::Machine;
use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// `Arc<RwLock<Machine>>` with an always-on debug oracle.
#[derive(Clone)]
pub struct Shared(Arc<RwLock<Machine>>);

impl Shared {
    /// Shares `m`.
    pub fn new(m: Machine) -> Shared {
        Shared(Arc::new(RwLock::new(m)))
    }

    /// Locks for reading.
    pub fn read(&self) -> RwLockReadGuard<'_, Machine> {
        self.0.read()
    }

    /// Locks for writing; the guard checks the invariants when dropped (debug builds).
    pub fn write(&self) -> WriteGuard<'_> {
        WriteGuard(self.0.write())
    }
}

/// A write guard that checks the invariants on drop in debug builds.
pub struct WriteGuard<'a>(RwLockWriteGuard<'a, Machine>);

impl Deref for WriteGuard<'_> {
    type Target = Machine;
    fn deref(&self) -> &Machine {
        &self.0
    }
}

impl DerefMut for WriteGuard<'_> {
    fn deref_mut(&mut self) -> &mut Machine {
        &mut self.0
    }
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        if cfg!(debug_assertions) && !std::thread::panicking() {
            if let Err(v) = invariants::check(&self.0) {
                panic!("ntlinkfs invariant broken: {v}");
            }
        }
    }
}
