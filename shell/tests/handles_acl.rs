//! The shell shows what handles and ACLs do: a second program holding a file
//! open (`open` / `close`) meets cmd's commands with Windows' sharing rules
//! (M13), and a junction that denies listing to Everyone (`icacls`, J42) is
//! traversed but not listed.

use ntlinkfs_core::{FixedClock, Machine, NtError};
use ntlinkfs_shell::Shell;
use std::sync::Arc;

fn shell() -> Shell {
    let mut m = Machine::default();
    m.set_clock(Arc::new(FixedClock(133_500_000_000_000_000)));
    Shell::new(m)
}

const IN_USE: &str =
    "The process cannot access the file because it is being used by another process.\n";

#[test]
fn a_handle_held_open_refuses_what_its_share_mode_does_not_allow_m13() {
    let mut sh = shell();
    assert_eq!(sh.execute(r"echo hello> C:\f.txt").output, "");
    let rows: &[(&str, &str, Option<NtError>)] = &[
        // A writer that shares nothing.
        (
            r"open /A:W /S:- C:\f.txt",
            "Handle 1 open on C:\\f.txt.\n",
            None,
        ),
        (r"type C:\f.txt", IN_USE, Some(NtError::SharingViolation)),
        (
            r"echo more>> C:\f.txt",
            IN_USE,
            Some(NtError::SharingViolation),
        ),
        (
            r"ren C:\f.txt g.txt",
            IN_USE,
            Some(NtError::SharingViolation),
        ),
        ("close 1", "", None),
        (r"type C:\f.txt", "hello\n", None),
        // A reader that shares read: other readers are let in, writers not.
        (r"open /S:R C:\f.txt", "Handle 1 open on C:\\f.txt.\n", None),
        (r"type C:\f.txt", "hello\n", None),
        (r"echo x> C:\f.txt", IN_USE, Some(NtError::SharingViolation)),
        ("close /all", "", None),
        ("close 1", "No open handle 1.\n", None),
        (
            r"open /A:Q C:\f.txt",
            "The syntax of the command is incorrect.\n",
            None,
        ),
    ];
    for &(line, out, err) in rows {
        let o = sh.execute(line);
        assert_eq!(o.output, out, "{line}");
        if let Some(e) = err {
            assert_eq!(o.failure.and_then(|f| f.error), Some(e), "{line}");
        }
    }
}

#[test]
fn a_junction_denying_list_is_traversed_but_not_listed_j42() {
    let mut sh = shell();
    for line in [
        r"md C:\Users\Alice",
        r"echo hi> C:\Users\Alice\a.txt",
        r#"mklink /J "C:\Documents and Settings" C:\Users"#,
    ] {
        assert!(sh.execute(line).failure.is_none(), "{line}");
    }
    let o = sh.execute(r#"icacls "C:\Documents and Settings" /L /deny Everyone:(S,RD) /grant Everyone:(RX) /grant Administrators:F"#);
    assert_eq!(
        o.output,
        "processed file: C:\\Documents and Settings\nSuccessfully processed 1 files; Failed processing 0 files\n"
    );
    let o = sh.execute(r#"icacls "C:\Documents and Settings" /L"#);
    assert_eq!(
        o.output,
        "C:\\Documents and Settings Everyone:(DENY)(S,RD)\n                          Everyone:(RX)\n                          BUILTIN\\Administrators:(F)\n\nSuccessfully processed 1 files; Failed processing 0 files\n"
    );
    // dir of the junction itself: FindFirstFile gets ERROR_ACCESS_DENIED and
    // dir prints "File Not Found" under the header.
    let o = sh.execute(r#"dir "C:\Documents and Settings""#);
    assert!(
        o.output
            .ends_with("\n Directory of C:\\Documents and Settings\n\nFile Not Found\n"),
        "{}",
        o.output
    );
    assert_eq!(o.failure.and_then(|f| f.error), Some(NtError::AccessDenied));
    // Paths through it work.
    assert_eq!(
        sh.execute(r#"type "C:\Documents and Settings\Alice\a.txt""#)
            .output,
        "hi\n"
    );
    assert!(sh
        .execute(r#"dir /b "C:\Documents and Settings\Alice""#)
        .output
        .contains("a.txt"));
    // Removing the junction is refused (the deny ACE covers SYNCHRONIZE).
    let o = sh.execute(r#"rd "C:\Documents and Settings""#);
    assert_eq!(o.output, "Access is denied.\n");
    // An elevated caller holds WRITE_DAC through Administrators: /reset
    // removes the descriptor and the junction lists again; a standard user
    // is refused.
    sh.execute("profile 11-user");
    let o = sh.execute(r#"icacls "C:\Documents and Settings" /L /reset"#);
    assert!(
        o.output
            .starts_with("C:\\Documents and Settings: Access is denied.\n"),
        "{}",
        o.output
    );
    sh.execute("profile 11");
    let o = sh.execute(r#"icacls "C:\Documents and Settings" /L /reset"#);
    assert!(o.failure.is_none(), "{}", o.output);
    assert!(sh
        .execute(r#"dir /b "C:\Documents and Settings""#)
        .output
        .contains("Alice"));
}
