//! Running an [`Op`](crate::Op) in a test: the invariants after it, and for a failure,
//! the exact error and proof that nothing changed.

use super::snapshot::{assert_unchanged, snapshot};
use crate::error::NtError;
use crate::invariants;
use crate::machine::Machine;
use crate::op::{Op, Outcome};

/// Asserts the invariants of `m` ([`invariants::check`]).
///
/// # Panics
///
/// An assertion for tests: panics with the violation when one is broken.
pub fn check(m: &Machine) {
    if let Err(v) = invariants::check(m) {
        panic!("invariant broken: {v}");
    }
}

/// Applies `op`, which must succeed, then [`check`]s the invariants.
///
/// # Panics
///
/// An assertion for tests: panics with the op and its error (with the
/// error's diagnostic) when it fails, or when an invariant is broken.
///
/// ```
/// use ntlinkfs_core::testing::{machine, ok};
/// use ntlinkfs_core::{Op, Outcome};
///
/// let mut m = machine();
/// ok(&mut m, Op::WriteFile { path: r"C:\f".into(), data: b"x".to_vec() });
/// assert_eq!(ok(&mut m, Op::ReadFile { path: r"C:\f".into() }), Outcome::Bytes(b"x".to_vec()));
/// ```
pub fn ok(m: &mut Machine, op: Op) -> Outcome {
    let r = m.apply(&op);
    check(m);
    r.unwrap_or_else(|e| panic!("{op:?} failed: {e:?} ({})", e.diagnostic()))
}

/// Applies `op`, which must fail with exactly `want` and change nothing (a
/// [`snapshot`] before and after), then [`check`]s the invariants. `rule`
/// names the SEMANTICS rule in the failure message.
///
/// # Panics
///
/// An assertion for tests: panics when `op` succeeds, fails with another
/// error, changes the machine, or breaks an invariant.
///
/// ```
/// use ntlinkfs_core::testing::{fails, fixture};
/// use ntlinkfs_core::{NtError, Op};
///
/// let mut m = fixture(&[r"file C:\f x"]);
/// fails(&mut m, "HL1", Op::CreateHardLink {
///     link: r"C:\h".into(),
///     existing: r"C:\".into(),
///     options: Default::default(),
/// }, NtError::FileIsADirectory);
/// ```
pub fn fails(m: &mut Machine, rule: &str, op: Op, want: NtError) {
    let before = snapshot(m);
    let r = m.apply(&op);
    check(m);
    assert_eq!(r, Err(want), "{rule}: {op:?}");
    assert_unchanged(rule, &op, &before, &snapshot(m));
}

/// Applies `op` and returns its result, for generated steps whose outcome is
/// not known beforehand; [`check`]s the invariants, and when the result is an
/// error, that nothing changed.
///
/// # Panics
///
/// An assertion for tests: panics when an invariant is broken or a failed
/// `op` changed the machine.
pub fn attempt(m: &mut Machine, op: &Op) -> Result<Outcome, NtError> {
    let before = snapshot(m);
    let r = m.apply(op);
    check(m);
    if r.is_err() {
        assert_unchanged("failed op", op, &before, &snapshot(m));
    }
    r
}
