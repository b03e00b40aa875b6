//! Handles with access masks and share modes (M13, M14), operations through
//! a handle (R9, HL11, M11), FILE_DELETE_ON_CLOSE at cleanup (HL12), and the
//! per-file security descriptors (J42). Sources: WinBtrfs's test suite (run
//! on real Windows: BTRFS links.cpp, delete.cpp, reparse.cpp) and the I/O
//! manager's IoCheckShareAccess as documented for drivers.

use ntlinkfs_core::access::*;
use ntlinkfs_core::reparse::{delete_request, ReparseData, IO_REPARSE_TAG_MOUNT_POINT};
use ntlinkfs_core::{
    Ace, DeleteSemantics, Disposition, Follow, HandleId, LinkOptions, Machine, NtError,
    OpenOptions, RenameOptions, SecurityDescriptor, Trustee, Want,
};

fn machine() -> Machine {
    let mut m = Machine::default();
    m.create_directory(r"C:\d").unwrap();
    m.write_file(r"C:\d\f", b"data").unwrap();
    m
}

fn opts(access: u32, share: u32) -> OpenOptions {
    OpenOptions::default().access(access).share(share)
}

fn open(m: &mut Machine, path: &str, access: u32, share: u32) -> Result<HandleId, NtError> {
    m.open(path, &opts(access, share))
}

#[test]
fn share_modes_are_checked_both_ways_m13() {
    const R: u32 = FILE_SHARE_READ;
    const W: u32 = FILE_SHARE_WRITE;
    const D: u32 = FILE_SHARE_DELETE;
    // First open (access, share), second open (access, share), the second's result.
    let rows: &[(u32, u32, u32, u32, Option<NtError>)] = &[
        (GENERIC_READ, R, GENERIC_READ, R, None),
        (
            GENERIC_READ,
            R,
            GENERIC_WRITE,
            R | W,
            Some(NtError::SharingViolation),
        ),
        (GENERIC_READ, R | W, GENERIC_WRITE, R | W, None),
        (
            GENERIC_WRITE,
            R | W,
            GENERIC_READ,
            R,
            Some(NtError::SharingViolation),
        ),
        (
            GENERIC_READ,
            R | W,
            DELETE,
            R | W | D,
            Some(NtError::SharingViolation),
        ),
        (GENERIC_READ, R | W | D, DELETE, R | W | D, None),
        // BTRFS delete.cpp deletefile9: a DELETE opener sharing only delete
        // refuses a reader that shares nothing.
        (
            DELETE,
            D,
            FILE_READ_DATA,
            0,
            Some(NtError::SharingViolation),
        ),
        (DELETE, D, DELETE, D, None),
        // Attributes-only opens take no part (BTRFS links.cpp: a second link
        // opened for FILE_READ_ATTRIBUTES while the first is open unshared).
        (DELETE, 0, FILE_READ_ATTRIBUTES, 0, None),
        (
            FILE_READ_ATTRIBUTES | SYNCHRONIZE,
            0,
            GENERIC_WRITE,
            0,
            None,
        ),
    ];
    for &(a1, s1, a2, s2, want) in rows {
        let mut m = machine();
        let h1 = open(&mut m, r"C:\d\f", a1, s1).unwrap();
        let got = open(&mut m, r"C:\d\f", a2, s2);
        assert_eq!(got.err(), want, "M13 {a1:#x}/{s1} then {a2:#x}/{s2}");
        if let Ok(h2) = got {
            m.close(h2).unwrap();
        }
        m.close(h1).unwrap();
        // Once closed, the second open succeeds.
        let h2 = open(&mut m, r"C:\d\f", a2, s2).unwrap();
        m.close(h2).unwrap();
    }
}

#[test]
fn path_calls_meet_the_share_modes_of_open_handles_m13() {
    let mut m = machine();
    // A writer that shares nothing: `type` (read) and DeleteFile both fail,
    // nothing changes.
    let h = open(&mut m, r"C:\d\f", GENERIC_WRITE, 0).unwrap();
    assert_eq!(m.read_file(r"C:\d\f"), Err(NtError::SharingViolation));
    assert_eq!(m.delete_file(r"C:\d\f"), Err(NtError::SharingViolation));
    assert_eq!(
        m.write_file(r"C:\d\f", b"x"),
        Err(NtError::SharingViolation)
    );
    m.close(h).unwrap();
    assert_eq!(m.read_file(r"C:\d\f").unwrap(), b"data");
    assert_eq!(NtError::SharingViolation.win32(), 32);
}

#[test]
fn granted_access_limits_what_a_handle_does_m14() {
    let mut m = machine();
    // Reading needs FILE_READ_DATA, writing FILE_WRITE_DATA.
    let h = open(&mut m, r"C:\d\f", FILE_READ_ATTRIBUTES, FILE_SHARE_ALL).unwrap();
    assert_eq!(m.read(h, 0, 4), Err(NtError::AccessDenied));
    assert_eq!(m.write(h, 0, b"x"), Err(NtError::AccessDenied));
    // A delete disposition needs DELETE (BTRFS delete.cpp "Create file
    // without DELETE flag" → STATUS_ACCESS_DENIED).
    assert_eq!(
        m.set_delete_disposition(h, true, DeleteSemantics::Classic),
        Err(NtError::AccessDenied)
    );
    m.close(h).unwrap();
    let h = open(
        &mut m,
        r"C:\d\f",
        GENERIC_READ | GENERIC_WRITE,
        FILE_SHARE_ALL,
    )
    .unwrap();
    assert_eq!(m.write(h, 0, b"D").unwrap(), 1);
    assert_eq!(m.read(h, 0, 4).unwrap(), b"Data");
    m.close(h).unwrap();
}

#[test]
fn maximum_allowed_leaves_write_out_on_a_read_only_file_m14() {
    let mut m = machine();
    m.set_file_attributes(r"C:\d\f", 0x1).unwrap(); // READONLY
    assert_eq!(
        open(&mut m, r"C:\d\f", GENERIC_WRITE, FILE_SHARE_ALL),
        Err(NtError::AccessDenied)
    );
    let h = open(&mut m, r"C:\d\f", MAXIMUM_ALLOWED, FILE_SHARE_ALL).unwrap();
    assert_eq!(m.write(h, 0, b"x"), Err(NtError::AccessDenied));
    assert_eq!(m.read(h, 0, 4).unwrap(), b"data");
    m.close(h).unwrap();
}

#[test]
fn reparse_fsctls_through_a_handle_need_write_access_r9() {
    let mut m = machine();
    m.create_directory(r"C:\j").unwrap();
    let buf = ReparseData::mount_point(r"\??\C:\d", r"C:\d").encode();
    let dir = |access| {
        OpenOptions::default()
            .access(access)
            .follow(Follow::OpenReparsePoint)
            .want(Want::Directory)
    };
    // BTRFS reparse.cpp reparse16: FILE_READ_ATTRIBUTES only → ACCESS_DENIED.
    let h = m.open(r"C:\j", &dir(FILE_READ_ATTRIBUTES)).unwrap();
    assert_eq!(m.set_reparse_point_h(h, &buf), Err(NtError::AccessDenied));
    m.close(h).unwrap();
    assert!(!m.exists(r"C:\j\f"));
    // FILE_WRITE_ATTRIBUTES is enough; GET needs no access.
    let h = m.open(r"C:\j", &dir(FILE_WRITE_ATTRIBUTES)).unwrap();
    m.set_reparse_point_h(h, &buf).unwrap();
    m.close(h).unwrap();
    assert!(m.exists(r"C:\j\f"));
    let h = m.open(r"C:\j", &dir(SYNCHRONIZE)).unwrap();
    assert_eq!(m.get_reparse_point_h(h).unwrap(), buf);
    let req = delete_request(IO_REPARSE_TAG_MOUNT_POINT);
    assert_eq!(
        m.delete_reparse_point_h(h, &req),
        Err(NtError::AccessDenied)
    );
    m.close(h).unwrap();
    // The path-based call is open (FILE_WRITE_ATTRIBUTES), call, close.
    m.delete_reparse_point(r"C:\j", &req).unwrap();
    assert!(!m.exists(r"C:\j\f"));
    assert_eq!(m.open_handle_count(), 0);
}

#[test]
fn a_root_directory_handle_must_share_write_hl11() {
    let mut m = machine();
    m.create_directory(r"C:\r").unwrap();
    let f = open(&mut m, r"C:\d\f", DELETE, 0).unwrap();
    // BTRFS links.cpp link5: the directory opened FILE_READ_DATA, share 0.
    let dir = opts(FILE_READ_DATA, 0).want(Want::Directory);
    let r = m.open(r"C:\r", &dir).unwrap();
    assert_eq!(
        m.set_link_information(f, Some(r), "file", LinkOptions::default()),
        Err(NtError::SharingViolation)
    );
    assert_eq!(
        m.set_rename_information(f, Some(r), "file", RenameOptions::default()),
        Err(NtError::SharingViolation)
    );
    m.close(r).unwrap();
    // link6: with FILE_SHARE_WRITE the link is made, next to the first name.
    let dir = opts(FILE_READ_DATA, FILE_SHARE_WRITE).want(Want::Directory);
    let r = m.open(r"C:\r", &dir).unwrap();
    let info = m
        .set_link_information(f, Some(r), "file", LinkOptions::default())
        .unwrap();
    assert_eq!(info.link_count, 2);
    m.close(r).unwrap();
    let mut names: Vec<String> = m
        .find_file_names(r"C:\d\f")
        .unwrap()
        .into_iter()
        .map(|n| n.path)
        .collect();
    names.sort();
    assert_eq!(names, [r"\d\f", r"\r\file"]);
    m.close(f).unwrap();
}

#[test]
fn nothing_is_named_in_a_root_directory_deleted_under_its_handle() {
    // The directory's name goes at once (POSIX semantics) while the handle
    // stays open: a link or rename into it would name the file nowhere (found
    // by the model test: a file's second name out of every path).
    let mut m = machine();
    m.create_directory(r"C:\gone").unwrap();
    let f = open(&mut m, r"C:\d\f", DELETE, FILE_SHARE_ALL).unwrap();
    let dir = opts(FILE_READ_DATA | DELETE, FILE_SHARE_ALL).want(Want::Directory);
    let r = m.open(r"C:\gone", &dir).unwrap();
    m.set_delete_disposition(r, true, DeleteSemantics::Posix)
        .unwrap();
    assert!(!m.exists(r"C:\gone"));
    assert_eq!(
        m.set_link_information(f, Some(r), "x", LinkOptions::default()),
        Err(NtError::FileDeleted)
    );
    assert_eq!(
        m.set_rename_information(f, Some(r), "x", RenameOptions::default()),
        Err(NtError::FileDeleted)
    );
    assert_eq!(m.handle_info(f).unwrap().link_count, 1);
    m.close(r).unwrap();
    m.close(f).unwrap();
    ntlinkfs_core::testing::check(&m);
}

#[test]
fn rename_through_a_handle_needs_delete_and_moves_its_name() {
    let mut m = machine();
    let h = open(&mut m, r"C:\d\f", GENERIC_READ, FILE_SHARE_ALL).unwrap();
    assert_eq!(
        m.set_rename_information(h, None, r"C:\d\g", RenameOptions::default()),
        Err(NtError::AccessDenied)
    );
    m.close(h).unwrap();
    // A handle that does not share delete renames its own name (it is left
    // out of the share check).
    let h = open(&mut m, r"C:\d\f", DELETE, 0).unwrap();
    let root = m
        .open(r"C:\", &opts(FILE_LIST_DIRECTORY, FILE_SHARE_ALL))
        .unwrap();
    m.set_rename_information(h, Some(root), r"d\g", RenameOptions::default())
        .unwrap();
    m.close(root).unwrap();
    assert!(!m.exists(r"C:\d\f"));
    m.set_delete_disposition(h, true, DeleteSemantics::Classic)
        .unwrap();
    m.close(h).unwrap();
    assert!(!m.exists(r"C:\d\g"), "the handle followed its name");
}

#[test]
fn posix_link_over_an_open_file_m11() {
    let mut m = machine();
    m.write_file(r"C:\d\victim", b"old").unwrap();
    let src = open(&mut m, r"C:\d\f", MAXIMUM_ALLOWED, FILE_SHARE_READ).unwrap();
    // BTRFS links.cpp linkex3: the victim open for SYNCHRONIZE | DELETE |
    // FILE_READ_DATA | FILE_WRITE_DATA, sharing delete.
    let victim_access = SYNCHRONIZE | DELETE | FILE_READ_DATA | FILE_WRITE_DATA;
    let v = open(&mut m, r"C:\d\victim", victim_access, FILE_SHARE_DELETE).unwrap();
    let replace = LinkOptions {
        replace_if_exists: true,
        ..LinkOptions::default()
    };
    // Without POSIX semantics an open file is not replaced (link8).
    assert_eq!(
        m.set_link_information(src, None, r"C:\d\victim", replace),
        Err(NtError::AccessDenied)
    );
    let posix = LinkOptions {
        posix_semantics: true,
        ..replace
    };
    let info = m
        .set_link_information(src, None, r"C:\d\victim", posix)
        .unwrap();
    assert_eq!((info.link_count, info.total_links), (2, 2));
    let vi = m.handle_info(v).unwrap();
    assert_eq!(
        (vi.link_count, vi.total_links, vi.delete_pending),
        (0, 1, true),
        "M11"
    );
    assert_eq!(m.read(v, 0, 3).unwrap(), b"old");
    assert_eq!(
        m.set_delete_disposition(v, false, DeleteSemantics::Classic),
        Err(NtError::FileDeleted)
    );
    assert_eq!(m.read_file(r"C:\d\victim").unwrap(), b"data");
    m.close(v).unwrap();
    // A victim that does not share delete: SHARING_VIOLATION.
    m.write_file(r"C:\d\other", b"o").unwrap();
    let v = open(&mut m, r"C:\d\other", GENERIC_READ, FILE_SHARE_READ).unwrap();
    assert_eq!(
        m.set_link_information(src, None, r"C:\d\other", posix),
        Err(NtError::SharingViolation)
    );
    m.close(v).unwrap();
    m.close(src).unwrap();
}

#[test]
fn delete_on_close_takes_effect_at_cleanup_hl12() {
    // BTRFS delete.cpp deletefile8: nothing pending before the close.
    let mut m = machine();
    // NtCreateFile(DELETE, FILE_SHARE_DELETE, FILE_CREATE, FILE_DELETE_ON_CLOSE);
    // the access is set after the disposition, which would add write.
    let doc = OpenOptions::default()
        .disposition(Disposition::Create)
        .access(DELETE)
        .share(FILE_SHARE_DELETE)
        .delete_on_close(true);
    let h = m.open(r"C:\d\x", &doc).unwrap();
    assert!(!m.handle_info(h).unwrap().delete_pending, "deletefile8");
    // deletefile9: a reader that shares nothing is refused; a second DELETE
    // opener sharing delete is let in, and reports nothing pending either.
    assert_eq!(
        open(&mut m, r"C:\d\x", FILE_READ_DATA, 0),
        Err(NtError::SharingViolation)
    );
    let h2 = open(&mut m, r"C:\d\x", DELETE, FILE_SHARE_DELETE).unwrap();
    assert!(!m.handle_info(h2).unwrap().delete_pending);
    // The delete-on-close handle's cleanup marks the name.
    m.close(h).unwrap();
    assert!(m.handle_info(h2).unwrap().delete_pending);
    // Clearing the flag on the remaining handle keeps the file.
    m.set_delete_disposition(h2, false, DeleteSemantics::Classic)
        .unwrap();
    assert!(!m.handle_info(h2).unwrap().delete_pending);
    m.close(h2).unwrap();
    assert!(m.exists(r"C:\d\x"), "deletefile9");
    // Without a second handle the name goes at the close.
    let h = m
        .open(r"C:\d\x", &doc.disposition(Disposition::Open))
        .unwrap();
    m.close(h).unwrap();
    assert!(!m.exists(r"C:\d\x"));
    // deletedir13: a directory that gained a child before cleanup stays.
    let dir_doc = doc.want(Want::Directory);
    let h = m.open(r"C:\e", &dir_doc).unwrap();
    m.write_file(r"C:\e\file", b"").unwrap();
    m.close(h).unwrap();
    assert!(m.exists(r"C:\e\file"), "deletedir13");
    // A name marked by FileDispositionInformation is pending at once: the
    // directory takes no new name until it goes (M9), so the last close never
    // finds a child under it (the journal's replay property found both the
    // child left named in a freed record and, after the directory was kept
    // instead, a replay that lost the child).
    m.create_directory(r"C:\g").unwrap();
    let h = open(&mut m, r"C:\g", GENERIC_READ | DELETE, FILE_SHARE_ALL).unwrap();
    m.set_delete_disposition(h, true, DeleteSemantics::Classic)
        .unwrap();
    assert_eq!(
        m.write_file(r"C:\g\file", b"x"),
        Err(NtError::DeletePending)
    );
    assert_eq!(
        m.create_directory(r"C:\g\sub").err(),
        Some(NtError::DeletePending)
    );
    m.close(h).unwrap();
    assert!(!m.exists(r"C:\g"), "gone at the last close");
    ntlinkfs_core::testing::check(&m);
}

fn deny_list_to_everyone() -> SecurityDescriptor {
    let mut sd = SecurityDescriptor::default();
    sd.add(Ace {
        trustee: Trustee::Everyone,
        allow: false,
        mask: SYNCHRONIZE | FILE_LIST_DIRECTORY,
    });
    sd.add(Ace {
        trustee: Trustee::Everyone,
        allow: true,
        mask: GENERIC_READ | GENERIC_EXECUTE,
    });
    sd
}

#[test]
fn a_junction_that_denies_listing_is_traversed_but_not_listed_j42() {
    let mut m = machine();
    m.create_junction(r"C:\Documents and Settings", r"C:\d")
        .unwrap();
    m.set_security(
        r"C:\Documents and Settings",
        Follow::OpenReparsePoint,
        Some(deny_list_to_everyone()),
    )
    .unwrap();
    // Listing the junction itself: ERROR_ACCESS_DENIED (5).
    let e = m.enumerate(r"C:\Documents and Settings").unwrap_err();
    assert_eq!((e, e.win32()), (NtError::AccessDenied, 5));
    // Paths through it work: traverse checking is bypassed.
    assert_eq!(
        m.read_file(r"C:\Documents and Settings\f").unwrap(),
        b"data"
    );
    m.create_directory(r"C:\d\sub").unwrap();
    assert_eq!(
        m.enumerate(r"C:\Documents and Settings\sub")
            .map(|v| v.len()),
        Ok(0)
    );
    // The target itself lists.
    assert_eq!(m.enumerate(r"C:\d").unwrap().len(), 2);
    // The junction's attributes still read (FILE_READ_ATTRIBUTES is allowed).
    assert!(m
        .query_information(r"C:\Documents and Settings", Follow::OpenReparsePoint)
        .is_ok());
}

#[test]
fn deny_aces_refuse_opens_and_new_names() {
    let mut m = machine();
    let mut sd = SecurityDescriptor::default();
    sd.add(Ace {
        trustee: Trustee::User,
        allow: true,
        mask: GENERIC_ALL,
    });
    sd.add(Ace {
        trustee: Trustee::Everyone,
        allow: false,
        mask: FILE_WRITE_DATA | DELETE,
    });
    m.set_security(r"C:\d\f", Follow::Reparse, Some(sd.clone()))
        .unwrap();
    assert_eq!(
        m.security(r"C:\d\f", Follow::Reparse).unwrap(),
        Some(sd.clone())
    );
    assert_eq!(m.write_file(r"C:\d\f", b"x"), Err(NtError::AccessDenied));
    assert_eq!(m.delete_file(r"C:\d\f"), Err(NtError::AccessDenied));
    assert_eq!(
        m.move_file(r"C:\d\f", r"C:\d\g", Default::default()),
        Err(NtError::AccessDenied)
    );
    assert_eq!(m.read_file(r"C:\d\f").unwrap(), b"data");
    // A directory that denies FILE_ADD_FILE refuses new files and links.
    m.set_security(r"C:\d", Follow::Reparse, Some(sd)).unwrap();
    assert_eq!(m.write_file(r"C:\d\new", b"x"), Err(NtError::AccessDenied));
    m.write_file(r"C:\g", b"g").unwrap();
    assert_eq!(
        m.create_hard_link(r"C:\d\l", r"C:\g").map(|_| ()),
        Err(NtError::AccessDenied)
    );
    // Removing the descriptor grants everything again.
    m.set_security(r"C:\d", Follow::Reparse, None).unwrap();
    m.write_file(r"C:\d\new", b"x").unwrap();
}

mod dacl_property {
    use super::*;
    use proptest::prelude::*;

    /// The specific file rights a DACL names here.
    const RIGHTS: u32 = FILE_ALL_ACCESS;

    proptest! {
        /// J42, M14: with a DACL "deny D, then allow A" (Everyone), an open
        /// asking for X succeeds exactly when X lies within A minus D, and
        /// MAXIMUM_ALLOWED grants exactly A minus D; a refused open changes
        /// nothing and leaves no handle.
        #[test]
        fn an_open_is_granted_exactly_what_the_dacl_allows(
            deny in 0..=RIGHTS,
            allow in 0..=RIGHTS,
            desired in 1..=RIGHTS,
        ) {
            let (deny, allow, desired) = (deny & RIGHTS, allow & RIGHTS, desired & RIGHTS);
            let mut m = machine();
            let mut sd = SecurityDescriptor::default();
            sd.add(Ace { trustee: Trustee::Everyone, allow: false, mask: deny });
            sd.add(Ace { trustee: Trustee::Everyone, allow: true, mask: allow });
            m.set_security(r"C:\d\f", Follow::Reparse, Some(sd)).unwrap();
            let granted = allow & !deny;
            let got = m.open(r"C:\d\f", &opts(desired, FILE_SHARE_ALL));
            prop_assert_eq!(got.is_ok(), desired & !granted == 0, "{:#x} of {:#x}", desired, granted);
            if let Err(e) = got {
                prop_assert_eq!(e, NtError::AccessDenied);
                prop_assert_eq!(m.open_handle_count(), 0);
            } else if let Ok(h) = got {
                m.close(h).unwrap();
            }
            match m.open(r"C:\d\f", &opts(MAXIMUM_ALLOWED, FILE_SHARE_ALL)) {
                Ok(h) => {
                    prop_assert!(granted != 0);
                    // Readable through the handle exactly when granted.
                    prop_assert_eq!(m.read(h, 0, 4).is_ok(), granted & FILE_READ_DATA != 0);
                    m.close(h).unwrap();
                }
                // Nothing granted: MAXIMUM_ALLOWED is refused.
                Err(e) => {
                    prop_assert_eq!(granted, 0);
                    prop_assert_eq!(e, NtError::AccessDenied);
                }
            }
            prop_assert_eq!(m.read_file(r"C:\d\f").is_ok(), granted & FILE_GENERIC_READ == FILE_GENERIC_READ);
        }
    }
}

/// DuplicateHandle: two handles on one file object differ from two opens
/// (HL12; WINE-NEW ntdll file.c test_file_disposition_information, "Delete-on-
/// close flag sets disposition when a handle is closed"): closing one of them
/// is no cleanup, so FILE_DELETE_ON_CLOSE still takes effect at the last
/// close even after the disposition was cleared through the duplicate; with
/// a second open instead (deletefile9 above) the file stays.
#[test]
fn a_duplicate_shares_the_file_objects_delete_on_close_hl12() {
    let mut m = machine();
    // CreateFileA(GENERIC_WRITE | DELETE, 0, CREATE_ALWAYS, FILE_FLAG_DELETE_ON_CLOSE).
    let doc = OpenOptions::default()
        .disposition(Disposition::OverwriteIf)
        .access(GENERIC_WRITE | DELETE)
        .share(0)
        .delete_on_close(true);
    let h = m.open(r"C:\d\x", &doc).unwrap();
    let h2 = m.duplicate_handle(h).unwrap();
    assert_ne!(h, h2);
    assert_eq!(m.open_handle_count(), 2);
    m.close(h).unwrap();
    // The first id is gone; the file object and its name are not.
    assert_eq!(m.close(h), Err(NtError::InvalidHandle));
    assert!(!m.handle_info(h2).unwrap().delete_pending);
    assert!(m.exists(r"C:\d\x"));
    m.set_delete_disposition(h2, false, DeleteSemantics::Classic)
        .unwrap();
    m.close(h2).unwrap();
    assert!(!m.exists(r"C:\d\x"), "File should have been deleted");
    assert_eq!(m.open_handle_count(), 0);
    ntlinkfs_core::testing::check(&m);
}

/// Share checks are per file object: a duplicate of a handle that shares
/// nothing is no conflict with it, and it has the same granted access; a
/// second open of the file is refused.
#[test]
fn a_duplicate_is_not_a_second_share_entry_m13() {
    let mut m = machine();
    let h = open(&mut m, r"C:\d\f", FILE_READ_DATA, 0).unwrap();
    let h2 = m.duplicate_handle(h).unwrap();
    assert_eq!(m.read(h2, 0, 4).unwrap(), b"data");
    assert_eq!(m.write(h2, 0, b"x"), Err(NtError::AccessDenied));
    assert_eq!(
        open(&mut m, r"C:\d\f", FILE_READ_DATA, FILE_SHARE_ALL),
        Err(NtError::SharingViolation)
    );
    // Closing the first handle leaves the file object open: still refused.
    m.close(h).unwrap();
    assert_eq!(
        open(&mut m, r"C:\d\f", FILE_READ_DATA, FILE_SHARE_ALL),
        Err(NtError::SharingViolation)
    );
    // A duplicate of the duplicate is the same object too.
    let h3 = m.duplicate_handle(h2).unwrap();
    m.close(h2).unwrap();
    assert_eq!(m.read(h3, 0, 4).unwrap(), b"data");
    m.close(h3).unwrap();
    assert!(open(&mut m, r"C:\d\f", FILE_READ_DATA, FILE_SHARE_ALL).is_ok());
    assert_eq!(m.duplicate_handle(h3), Err(NtError::InvalidHandle));
}
