//! What `dir` shows in brackets for a junction: its print name, which mklink
//! takes from GetFullPathNameW, trailing separator included (J40, SO-4339220:
//! `<JUNCTION>     Develop [C:\Develop2\]`).

use ntlinkfs_core::Machine;
use ntlinkfs_shell::Shell;

#[test]
fn dir_shows_the_print_name_mklink_was_given_j40() {
    let mut sh = Shell::new(Machine::default());
    for cmd in [
        r"md C:\Develop2",
        r"mklink /J C:\Develop C:\Develop2\",
        r"mklink /J C:\plain C:\Develop2",
    ] {
        let o = sh.execute(cmd);
        assert!(o.failure.is_none(), "{cmd}: {}", o.output);
    }
    let dir = sh.execute(r"dir C:\").output;
    assert!(
        dir.contains(r"<JUNCTION>     Develop [C:\Develop2\]"),
        "{dir}"
    );
    assert!(dir.contains(r"<JUNCTION>     plain [C:\Develop2]"), "{dir}");
}
