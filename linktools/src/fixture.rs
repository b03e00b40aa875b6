//! The `--demo` volume: C: laid out like a Windows user profile, with the links
//! Windows itself creates, so the traps backup and sync tools meet can be tried
//! at once. D: holds a project tree a profile junction points to.
//!
//! ```text
//! C:\
//!   Documents and Settings  <JUNCTION>  -> C:\Users              (XP compatibility)
//!   ProgramData\
//!     Application Data      <JUNCTION>  -> C:\ProgramData        (a loop)
//!     Microsoft\Windows\Start Menu\desktop.ini
//!   Users\
//!     All Users             <SYMLINKD>  -> C:\ProgramData
//!     Default\NTUSER.DAT
//!     Default User          <JUNCTION>  -> C:\Users\Default
//!     Public\Documents\welcome.txt
//!     Alice\
//!       AppData\Local\
//!         Application Data  <JUNCTION>  -> C:\Users\Alice\AppData\Local   (the loop)
//!         Temp\build.log
//!         cache.db
//!       AppData\Roaming\settings.ini
//!       Application Data    <JUNCTION>  -> C:\Users\Alice\AppData\Roaming
//!       Local Settings      <JUNCTION>  -> C:\Users\Alice\AppData\Local
//!       My Documents        <JUNCTION>  -> C:\Users\Alice\Documents
//!       Documents\report.txt
//!       Documents\My Music  <JUNCTION>  -> C:\Users\Alice\Music
//!       Music\song.mp3
//!       Desktop\report.txt  <SYMLINK>   -> C:\Users\Alice\Documents\report.txt
//!       Desktop\old.txt     <SYMLINK>   -> C:\Users\Alice\Documents\deleted.txt (dangling)
//!       Documents\notes.txt } one file, two names
//!       Desktop\notes.txt   }
//!       Projects            <JUNCTION>  -> D:\Projects           (another volume)
//!   Windows\
//!     System32\notepad.exe                   } one file, two names (WinSxS)
//!     WinSxS\amd64_microsoft-windows-notepad_31bf3856ad364e35_10.0.26100.1_none\notepad.exe
//!     System32\drivers\etc\hosts             } one file, two names (WinSxS)
//!     WinSxS\amd64_microsoft-windows-w..nfrastructure-other_31bf3856ad364e35_10.0.26100.1_none\hosts
//! D:\
//!   Projects\app\v1\app.exe
//!   Projects\app\v2\app.exe
//!   Projects\app\current    <SYMLINKD>  -> v2                    (relative)
//! ```
//!
//! The compatibility junctions carry HIDDEN|SYSTEM and deny listing to
//! Everyone, as Windows sets them (J42): `dir` of the junction itself finds
//! nothing, paths through it work.

use ntlinkfs_core::access::{
    FILE_GENERIC_EXECUTE, FILE_GENERIC_READ, FILE_LIST_DIRECTORY, GENERIC_ALL, SYNCHRONIZE,
};
use ntlinkfs_core::attrs::{FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_SYSTEM};
use ntlinkfs_core::error::Result;
use ntlinkfs_core::profile::Profile;
use ntlinkfs_core::{Ace, Follow, Machine, SecurityDescriptor, SymlinkFlags, Trustee};

/// The demo user's name.
pub const USER: &str = "Alice";

/// The profile of the demo user.
pub const PROFILE_DIR: &str = r"C:\Users\Alice";

/// The tree [`user_profile`] builds, for `--demo` help text.
pub const LAYOUT: &str = r"C:\Documents and Settings -> C:\Users (junction)
C:\ProgramData\Application Data -> C:\ProgramData (junction loop)
C:\Users\All Users -> C:\ProgramData (directory symlink)
C:\Users\Default User -> C:\Users\Default (junction)
C:\Users\Alice\AppData\Local\Application Data -> C:\Users\Alice\AppData\Local (junction loop)
C:\Users\Alice\Application Data -> C:\Users\Alice\AppData\Roaming (junction)
C:\Users\Alice\Local Settings -> C:\Users\Alice\AppData\Local (junction)
C:\Users\Alice\My Documents -> C:\Users\Alice\Documents (junction)
C:\Users\Alice\Documents\My Music -> C:\Users\Alice\Music (junction)
C:\Users\Alice\Projects -> D:\Projects (junction to another volume)
C:\Users\Alice\Desktop\report.txt -> C:\Users\Alice\Documents\report.txt (file symlink)
C:\Users\Alice\Desktop\old.txt -> C:\Users\Alice\Documents\deleted.txt (dangling symlink)
C:\Users\Alice\Desktop\notes.txt = C:\Users\Alice\Documents\notes.txt (hard link)
C:\Windows\System32\notepad.exe = C:\Windows\WinSxS\...\notepad.exe (hard link)
C:\Windows\System32\drivers\etc\hosts = C:\Windows\WinSxS\...\hosts (hard link)
D:\Projects\app\current -> v2 (relative directory symlink)";

const NOTEPAD_SXS: &str =
    r"C:\Windows\WinSxS\amd64_microsoft-windows-notepad_31bf3856ad364e35_10.0.26100.1_none";
const HOSTS_SXS: &str = r"C:\Windows\WinSxS\amd64_microsoft-windows-w..nfrastructure-other_31bf3856ad364e35_10.0.26100.1_none";

/// The DACL of Windows' compatibility junctions, as `icacls` shows it:
/// `Everyone:(DENY)(S,RD)`, `Everyone:(RX)`, `BUILTIN\Administrators:(F)`
/// (J42; SYSTEM's full control is left out: the model has no SYSTEM caller).
pub fn compat_junction_dacl() -> SecurityDescriptor {
    let mut sd = SecurityDescriptor::default();
    sd.add(Ace {
        trustee: Trustee::Everyone,
        allow: false,
        mask: SYNCHRONIZE | FILE_LIST_DIRECTORY,
    });
    sd.add(Ace {
        trustee: Trustee::Everyone,
        allow: true,
        mask: FILE_GENERIC_READ | FILE_GENERIC_EXECUTE,
    });
    sd.add(Ace {
        trustee: Trustee::Administrators,
        allow: true,
        mask: GENERIC_ALL,
    });
    sd
}

/// A fresh machine (C: and D:, NTFS, the default profile) holding the demo layout.
pub fn demo_machine() -> Machine {
    let mut m = Machine::default();
    user_profile(&mut m).expect("the demo layout builds on a fresh machine");
    m
}

/// Builds the demo layout on `m`, which needs empty NTFS volumes C: and D:.
/// Links are created as an elevated user would (the symlinks need the
/// privilege, S2), whatever the machine's profile; the profile is restored.
pub fn user_profile(m: &mut Machine) -> Result<()> {
    let profile = *m.profile();
    m.set_profile(Profile {
        privilege: ntlinkfs_core::profile::Privilege::Held,
        ..profile
    });
    let r = build(m);
    m.set_profile(profile);
    r
}

fn build(m: &mut Machine) -> Result<()> {
    let dirs = [
        r"C:\ProgramData",
        r"C:\ProgramData\Microsoft",
        r"C:\ProgramData\Microsoft\Windows",
        r"C:\ProgramData\Microsoft\Windows\Start Menu",
        r"C:\Users",
        r"C:\Users\Default",
        r"C:\Users\Public",
        r"C:\Users\Public\Documents",
        r"C:\Users\Alice",
        r"C:\Users\Alice\AppData",
        r"C:\Users\Alice\AppData\Local",
        r"C:\Users\Alice\AppData\Local\Temp",
        r"C:\Users\Alice\AppData\Roaming",
        r"C:\Users\Alice\Documents",
        r"C:\Users\Alice\Music",
        r"C:\Users\Alice\Desktop",
        r"C:\Windows",
        r"C:\Windows\System32",
        r"C:\Windows\System32\drivers",
        r"C:\Windows\System32\drivers\etc",
        r"C:\Windows\WinSxS",
        NOTEPAD_SXS,
        HOSTS_SXS,
        r"D:\Projects",
        r"D:\Projects\app",
        r"D:\Projects\app\v1",
        r"D:\Projects\app\v2",
    ];
    for d in dirs {
        m.create_directory(d)?;
    }
    let files: [(&str, &[u8]); 12] = [
        (
            r"C:\ProgramData\Microsoft\Windows\Start Menu\desktop.ini",
            b"[.ShellClassInfo]\r\n",
        ),
        (r"C:\Users\Default\NTUSER.DAT", b"regf"),
        (
            r"C:\Users\Public\Documents\welcome.txt",
            b"Shared documents\r\n",
        ),
        (r"C:\Users\Alice\AppData\Local\Temp\build.log", b"ok\r\n"),
        (r"C:\Users\Alice\AppData\Local\cache.db", &[0u8; 64]),
        (
            r"C:\Users\Alice\AppData\Roaming\settings.ini",
            b"[ui]\r\ntheme=dark\r\n",
        ),
        (
            r"C:\Users\Alice\Documents\report.txt",
            b"Quarterly report\r\n",
        ),
        (
            r"C:\Users\Alice\Documents\notes.txt",
            b"remember the milk\r\n",
        ),
        (r"C:\Users\Alice\Music\song.mp3", b"ID3\x04\x00"),
        (r"C:\Windows\System32\notepad.exe", b"MZ\x90\x00notepad"),
        (
            r"C:\Windows\System32\drivers\etc\hosts",
            b"127.0.0.1 localhost\r\n",
        ),
        (r"D:\Projects\app\v1\app.exe", b"MZ v1"),
    ];
    for (path, bytes) in files {
        m.write_file(path, bytes)?;
    }
    m.write_file(r"D:\Projects\app\v2\app.exe", b"MZ v2")?;
    m.create_hard_link(
        &format!(r"{NOTEPAD_SXS}\notepad.exe"),
        r"C:\Windows\System32\notepad.exe",
    )?;
    m.create_hard_link(
        &format!(r"{HOSTS_SXS}\hosts"),
        r"C:\Windows\System32\drivers\etc\hosts",
    )?;
    m.create_hard_link(
        r"C:\Users\Alice\Desktop\notes.txt",
        r"C:\Users\Alice\Documents\notes.txt",
    )?;
    let compat = [
        (r"C:\Documents and Settings", r"C:\Users"),
        (r"C:\ProgramData\Application Data", r"C:\ProgramData"),
        (r"C:\Users\Default User", r"C:\Users\Default"),
        (
            r"C:\Users\Alice\AppData\Local\Application Data",
            r"C:\Users\Alice\AppData\Local",
        ),
        (
            r"C:\Users\Alice\Application Data",
            r"C:\Users\Alice\AppData\Roaming",
        ),
        (
            r"C:\Users\Alice\Local Settings",
            r"C:\Users\Alice\AppData\Local",
        ),
        (r"C:\Users\Alice\My Documents", r"C:\Users\Alice\Documents"),
        (
            r"C:\Users\Alice\Documents\My Music",
            r"C:\Users\Alice\Music",
        ),
    ];
    for (link, target) in compat {
        m.create_junction(link, target)?;
        m.set_file_attributes(link, FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM)?;
        let id = m.query_information(link, Follow::OpenReparsePoint)?.id;
        m.set_security_of(id, Some(compat_junction_dacl()))?;
    }
    m.create_junction(r"C:\Users\Alice\Projects", r"D:\Projects")?;
    let dir = SymlinkFlags {
        directory: true,
        ..Default::default()
    };
    m.create_symbolic_link(r"C:\Users\All Users", r"C:\ProgramData", dir)?;
    m.set_file_attributes(
        r"C:\Users\All Users",
        FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM,
    )?;
    m.create_symbolic_link(r"D:\Projects\app\current", "v2", dir)?;
    m.create_symbolic_link(
        r"C:\Users\Alice\Desktop\report.txt",
        r"C:\Users\Alice\Documents\report.txt",
        Default::default(),
    )?;
    m.create_symbolic_link(
        r"C:\Users\Alice\Desktop\old.txt",
        r"C:\Users\Alice\Documents\deleted.txt",
        Default::default(),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::NtError;

    #[test]
    fn demo_profile_has_the_windows_links_and_keeps_invariants() {
        let mut m = demo_machine();
        ntlinkfs_core::invariants::check(&m).unwrap();
        // The compatibility junctions resolve (J14: the loop resolves at any depth).
        assert_eq!(
            m.final_path(r"C:\Documents and Settings\Alice\My Documents\report.txt")
                .unwrap(),
            r"C:\Users\Alice\Documents\report.txt"
        );
        assert_eq!(
            m.final_path(
                r"C:\Users\Alice\AppData\Local\Application Data\Application Data\cache.db"
            )
            .unwrap(),
            r"C:\Users\Alice\AppData\Local\cache.db"
        );
        let j = m
            .query_information(r"C:\Users\Alice\My Documents", Follow::OpenReparsePoint)
            .unwrap();
        assert_eq!(j.attributes, 0x416); // DIRECTORY|REPARSE_POINT|HIDDEN|SYSTEM
        assert_eq!(
            j.reparse_tag,
            Some(ntlinkfs_core::reparse::IO_REPARSE_TAG_MOUNT_POINT)
        );
        assert_eq!(
            m.query_information(r"C:\Windows\System32\notepad.exe", Follow::Reparse)
                .unwrap()
                .link_count,
            2
        );
        assert_eq!(
            m.read_file(r"C:\Users\Alice\Desktop\old.txt"),
            Err(NtError::ObjectNameNotFound)
        );
        assert_eq!(
            m.read_file(r"C:\Users\Alice\Projects\app\current\app.exe")
                .unwrap(),
            b"MZ v2"
        );
        assert_eq!(
            m.read_file(r"C:\Users\All Users\Microsoft\Windows\Start Menu\desktop.ini")
                .unwrap(),
            b"[.ShellClassInfo]\r\n"
        );
        // J42: the compatibility junctions are traversed but not listed.
        assert_eq!(
            m.enumerate(r"C:\Documents and Settings").map(|v| v.len()),
            Err(NtError::AccessDenied)
        );
        assert_eq!(
            m.enumerate(r"C:\Documents and Settings\Alice\Documents")
                .map(|v| v.len()),
            Ok(3)
        );
    }

    #[test]
    fn user_profile_builds_under_an_unprivileged_profile_and_restores_it() {
        let mut m = Machine::default();
        let user: Profile = "11-user".parse().unwrap();
        m.set_profile(user);
        user_profile(&mut m).unwrap();
        assert_eq!(*m.profile(), user);
        assert!(m.exists(r"C:\Users\All Users\Microsoft"));
    }
}
