//! A drive letter mapped to a network share (`volume add Z: network`): what
//! cmd's mklink says about junctions to it and on it (J2, J8a), and that a
//! symbolic link to it is followed (V4, L2R) while one on it is a remote link
//! (S52).

use ntlinkfs_core::Machine;
use ntlinkfs_shell::Shell;

#[test]
fn mklink_and_links_with_a_mapped_network_drive() {
    let mut sh = Shell::new(Machine::default());
    let ok = |sh: &mut Shell, cmd: &str| {
        let o = sh.execute(cmd);
        assert!(o.failure.is_none(), "{cmd}: {}", o.output);
        o.output
    };
    assert_eq!(
        ok(&mut sh, "volume add Z: network"),
        "Volume Z: added (network).\n"
    );
    ok(&mut sh, r"md Z:\share");
    ok(&mut sh, r"echo on the share> Z:\share\f.txt");
    ok(&mut sh, r"md C:\t");
    let rows = [
        (
            r"mklink /J C:\j Z:\share",
            "Local volumes are required to complete the operation.\n",
        ),
        (
            r"mklink /J Z:\j C:\t",
            "Local NTFS volumes are required to complete the operation.\n",
        ),
    ];
    for (cmd, text) in rows {
        let o = sh.execute(cmd);
        assert!(o.failure.is_some(), "{cmd}");
        assert_eq!(o.output, text, "{cmd}");
    }
    ok(&mut sh, r"mklink /D C:\s Z:\share");
    assert_eq!(ok(&mut sh, r"type C:\s\f.txt"), "on the share\n");
    ok(&mut sh, r"mklink Z:\back C:\t\x");
    let o = sh.execute(r"type Z:\back");
    assert_eq!(
        o.output,
        "The symbolic link cannot be followed because its type is disabled.\n"
    );
}
