//! Directory enumeration in the shapes Windows returns (J18): the
//! FILE_INFORMATION_CLASS values NtQueryDirectoryFile takes, one entry type per
//! class with exactly its fields (MS-FSCC 2.4), and FindFirstFileW's
//! WIN32_FIND_DATAW. Where the reparse tag goes differs by class: classes
//! without a ReparsePointTag field (FULL_DIR, BOTH_DIR and their ID_ forms)
//! carry it in EaSize; the ID_EXTD classes put it in ReparsePointTag and EaSize
//! is 0; FindFirstFileW puts it in dwReserved0 ([T] BTRFS reparse.cpp
//! check_reparse_dirent, WINE-NEW). A class the call does not take is
//! STATUS_INVALID_INFO_CLASS ([T] BTRFS "Try checking FileReparsePointInformation").
//!
//! The model has no extended attributes and no 8.3 short names (HL25): EaSize
//! is the tag or 0, ShortName is empty. FileIndex is 0, as NTFS leaves it.

use crate::attrs::FILE_ATTRIBUTE_REPARSE_POINT;
use crate::error::{NtError, Result};
use crate::machine::FileInfo;
use crate::name::Name;
use crate::space::BLOCK_SIZE;
use crate::Times;

/// The FILE_INFORMATION_CLASS values NtQueryDirectoryFile answers for an
/// ordinary directory (MS-FSCC 2.4; the numbers are the Windows ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirInfoClass {
    /// FileDirectoryInformation (1).
    Directory,
    /// FileFullDirectoryInformation (2).
    FullDirectory,
    /// FileBothDirectoryInformation (3).
    BothDirectory,
    /// FileNamesInformation (12).
    Names,
    /// FileIdBothDirectoryInformation (37).
    IdBothDirectory,
    /// FileIdFullDirectoryInformation (38).
    IdFullDirectory,
    /// FileIdExtdDirectoryInformation (60).
    IdExtdDirectory,
    /// FileIdExtdBothDirectoryInformation (63).
    IdExtdBothDirectory,
}

impl DirInfoClass {
    /// Every class, in FILE_INFORMATION_CLASS order.
    pub const ALL: [DirInfoClass; 8] = [
        DirInfoClass::Directory,
        DirInfoClass::FullDirectory,
        DirInfoClass::BothDirectory,
        DirInfoClass::Names,
        DirInfoClass::IdBothDirectory,
        DirInfoClass::IdFullDirectory,
        DirInfoClass::IdExtdDirectory,
        DirInfoClass::IdExtdBothDirectory,
    ];

    /// The FILE_INFORMATION_CLASS value.
    pub fn value(self) -> u32 {
        match self {
            DirInfoClass::Directory => 1,
            DirInfoClass::FullDirectory => 2,
            DirInfoClass::BothDirectory => 3,
            DirInfoClass::Names => 12,
            DirInfoClass::IdBothDirectory => 37,
            DirInfoClass::IdFullDirectory => 38,
            DirInfoClass::IdExtdDirectory => 60,
            DirInfoClass::IdExtdBothDirectory => 63,
        }
    }

    /// The class NtQueryDirectoryFile is asked for. Any other value, a file
    /// class (FileBasicInformation, 4) or one that only NTFS metadata files
    /// answer (FileReparsePointInformation, 33: MS-FSA 2.1.5.5.2), is
    /// STATUS_INVALID_INFO_CLASS. The 64-bit and "all" ID classes of newer
    /// releases (78–81) are not modelled and are refused the same way.
    pub fn from_value(value: u32) -> Result<DirInfoClass> {
        DirInfoClass::ALL
            .into_iter()
            .find(|c| c.value() == value)
            .ok_or(NtError::InvalidInfoClass)
    }
}

/// The fields every directory class but FileNamesInformation shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntryBasics {
    /// FileIndex: 0 on NTFS.
    pub file_index: u32,
    /// CreationTime, LastAccessTime, LastWriteTime, ChangeTime.
    pub times: Times,
    /// EndOfFile: 0 for directories and links (J1).
    pub end_of_file: u64,
    /// AllocationSize: EndOfFile rounded up to the cluster.
    pub allocation_size: u64,
    /// FileAttributes.
    pub file_attributes: u32,
    /// FileName as stored (case preserved).
    pub file_name: Name,
}

/// One directory entry in the shape of its class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirEntryClassed {
    /// FILE_DIRECTORY_INFORMATION.
    Directory(DirEntryBasics),
    /// FILE_FULL_DIR_INFORMATION: the tag of a reparse point in EaSize.
    FullDirectory {
        /// The shared fields.
        basics: DirEntryBasics,
        /// EaSize: the reparse tag here (no EAs are modelled), 0 in ID_EXTD.
        ea_size: u32,
    },
    /// FILE_BOTH_DIR_INFORMATION: EaSize as FULL; ShortName (none modelled).
    BothDirectory {
        /// The shared fields.
        basics: DirEntryBasics,
        /// EaSize: the reparse tag here (no EAs are modelled), 0 in ID_EXTD.
        ea_size: u32,
        /// ShortName: empty (no 8.3 names).
        short_name: Name,
    },
    /// FILE_NAMES_INFORMATION.
    Names {
        /// FileIndex: 0 on NTFS.
        file_index: u32,
        /// FileName.
        file_name: Name,
    },
    /// FILE_ID_BOTH_DIR_INFORMATION: BOTH plus the 64-bit file ID.
    IdBothDirectory {
        /// The shared fields.
        basics: DirEntryBasics,
        /// EaSize: the reparse tag here (no EAs are modelled), 0 in ID_EXTD.
        ea_size: u32,
        /// ShortName: empty (no 8.3 names).
        short_name: Name,
        /// FileId: the NTFS file reference (HL20).
        file_id: u64,
    },
    /// FILE_ID_FULL_DIR_INFORMATION: FULL plus the 64-bit file ID (HL20).
    IdFullDirectory {
        /// The shared fields.
        basics: DirEntryBasics,
        /// EaSize: the reparse tag here (no EAs are modelled), 0 in ID_EXTD.
        ea_size: u32,
        /// FileId: the NTFS file reference (HL20).
        file_id: u64,
    },
    /// FILE_ID_EXTD_DIR_INFORMATION: EaSize 0, the tag in ReparsePointTag,
    /// the 128-bit file ID.
    IdExtdDirectory {
        /// The shared fields.
        basics: DirEntryBasics,
        /// EaSize: the reparse tag here (no EAs are modelled), 0 in ID_EXTD.
        ea_size: u32,
        /// ReparsePointTag: the tag, or 0.
        reparse_point_tag: u32,
        /// FileId: the NTFS file reference (HL20).
        file_id: [u8; 16],
    },
    /// FILE_ID_EXTD_BOTH_DIR_INFORMATION: ID_EXTD plus ShortName.
    IdExtdBothDirectory {
        /// The shared fields.
        basics: DirEntryBasics,
        /// EaSize: the reparse tag here (no EAs are modelled), 0 in ID_EXTD.
        ea_size: u32,
        /// ReparsePointTag: the tag, or 0.
        reparse_point_tag: u32,
        /// FileId: the NTFS file reference (HL20).
        file_id: [u8; 16],
        /// ShortName: empty (no 8.3 names).
        short_name: Name,
    },
}

impl DirEntryClassed {
    /// The entry of `name` (information `info`) in the shape of `class`.
    pub fn new(class: DirInfoClass, name: &Name, info: &FileInfo) -> DirEntryClassed {
        let tag = reparse_tag(info);
        let file_id = info.id.file.0;
        let mut id128 = [0u8; 16];
        id128[..8].copy_from_slice(&file_id.to_le_bytes());
        let basics = DirEntryBasics {
            file_index: 0,
            times: info.times,
            end_of_file: info.size,
            allocation_size: info.size.div_ceil(BLOCK_SIZE) * BLOCK_SIZE,
            file_attributes: info.attributes,
            file_name: name.clone(),
        };
        // No extended attributes are modelled: EaSize carries only the tag.
        let ea_size = tag;
        let short_name = Name::new("");
        match class {
            DirInfoClass::Directory => DirEntryClassed::Directory(basics),
            DirInfoClass::FullDirectory => DirEntryClassed::FullDirectory { basics, ea_size },
            DirInfoClass::BothDirectory => DirEntryClassed::BothDirectory {
                basics,
                ea_size,
                short_name,
            },
            DirInfoClass::Names => DirEntryClassed::Names {
                file_index: 0,
                file_name: name.clone(),
            },
            DirInfoClass::IdBothDirectory => DirEntryClassed::IdBothDirectory {
                basics,
                ea_size,
                short_name,
                file_id,
            },
            DirInfoClass::IdFullDirectory => DirEntryClassed::IdFullDirectory {
                basics,
                ea_size,
                file_id,
            },
            DirInfoClass::IdExtdDirectory => DirEntryClassed::IdExtdDirectory {
                basics,
                ea_size: 0,
                reparse_point_tag: tag,
                file_id: id128,
            },
            DirInfoClass::IdExtdBothDirectory => DirEntryClassed::IdExtdBothDirectory {
                basics,
                ea_size: 0,
                reparse_point_tag: tag,
                file_id: id128,
                short_name,
            },
        }
    }

    /// The class this entry has the shape of.
    pub fn class(&self) -> DirInfoClass {
        match self {
            DirEntryClassed::Directory(_) => DirInfoClass::Directory,
            DirEntryClassed::FullDirectory { .. } => DirInfoClass::FullDirectory,
            DirEntryClassed::BothDirectory { .. } => DirInfoClass::BothDirectory,
            DirEntryClassed::Names { .. } => DirInfoClass::Names,
            DirEntryClassed::IdBothDirectory { .. } => DirInfoClass::IdBothDirectory,
            DirEntryClassed::IdFullDirectory { .. } => DirInfoClass::IdFullDirectory,
            DirEntryClassed::IdExtdDirectory { .. } => DirInfoClass::IdExtdDirectory,
            DirEntryClassed::IdExtdBothDirectory { .. } => DirInfoClass::IdExtdBothDirectory,
        }
    }

    /// FileName, in every class.
    pub fn file_name(&self) -> &Name {
        match self {
            DirEntryClassed::Names { file_name, .. } => file_name,
            _ => {
                &self
                    .basics()
                    .expect("every other class has basics")
                    .file_name
            }
        }
    }

    /// The shared fields; None for FileNamesInformation.
    pub fn basics(&self) -> Option<&DirEntryBasics> {
        match self {
            DirEntryClassed::Directory(b)
            | DirEntryClassed::FullDirectory { basics: b, .. }
            | DirEntryClassed::BothDirectory { basics: b, .. }
            | DirEntryClassed::IdBothDirectory { basics: b, .. }
            | DirEntryClassed::IdFullDirectory { basics: b, .. }
            | DirEntryClassed::IdExtdDirectory { basics: b, .. }
            | DirEntryClassed::IdExtdBothDirectory { basics: b, .. } => Some(b),
            DirEntryClassed::Names { .. } => None,
        }
    }

    /// EaSize, in the classes that have it.
    pub fn ea_size(&self) -> Option<u32> {
        match self {
            DirEntryClassed::FullDirectory { ea_size, .. }
            | DirEntryClassed::BothDirectory { ea_size, .. }
            | DirEntryClassed::IdBothDirectory { ea_size, .. }
            | DirEntryClassed::IdFullDirectory { ea_size, .. }
            | DirEntryClassed::IdExtdDirectory { ea_size, .. }
            | DirEntryClassed::IdExtdBothDirectory { ea_size, .. } => Some(*ea_size),
            DirEntryClassed::Directory(_) | DirEntryClassed::Names { .. } => None,
        }
    }

    /// ReparsePointTag, in the ID_EXTD classes.
    pub fn reparse_point_tag(&self) -> Option<u32> {
        match self {
            DirEntryClassed::IdExtdDirectory {
                reparse_point_tag, ..
            }
            | DirEntryClassed::IdExtdBothDirectory {
                reparse_point_tag, ..
            } => Some(*reparse_point_tag),
            _ => None,
        }
    }
}

/// WIN32_FIND_DATAW, as FindFirstFileW / FindNextFileW fill it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Win32FindData {
    /// dwFileAttributes.
    pub file_attributes: u32,
    /// ftCreationTime, ftLastAccessTime, ftLastWriteTime (ChangeTime unused).
    pub times: Times,
    /// nFileSizeHigh:nFileSizeLow.
    pub file_size: u64,
    /// dwReserved0: the reparse tag when FILE_ATTRIBUTE_REPARSE_POINT is set
    /// (J18, S36), else 0.
    pub reserved0: u32,
    /// dwReserved1: unused, 0.
    pub reserved1: u32,
    /// cFileName.
    pub file_name: Name,
    /// cAlternateFileName: the 8.3 name (none modelled).
    pub alternate_file_name: Name,
}

impl Win32FindData {
    /// The find data of `name` (information `info`).
    pub fn new(name: &Name, info: &FileInfo) -> Win32FindData {
        Win32FindData {
            file_attributes: info.attributes,
            times: info.times,
            file_size: info.size,
            reserved0: reparse_tag(info),
            reserved1: 0,
            file_name: name.clone(),
            alternate_file_name: Name::new(""),
        }
    }
}

/// The tag a directory entry reports: only with FILE_ATTRIBUTE_REPARSE_POINT.
fn reparse_tag(info: &FileInfo) -> u32 {
    if info.attributes & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        info.reparse_tag.unwrap_or(0)
    } else {
        0
    }
}

/// DOS wildcard match of FindFirstFileW / NtQueryDirectoryFile's FileName
/// filter: `*` any run, `?` one unit, case folded as NTFS looks names up (N1).
pub(crate) fn matches(pattern: &Name, name: &Name) -> bool {
    let (p, n) = (pattern.key(), name.key());
    let (p, n) = (p.units(), n.units());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == u16::from(b'?') || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == u16::from(b'*') {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    // `*.*` also matches a name without a dot, as Win32 reads it.
    let rest = &p[pi..];
    rest.iter().all(|&u| u == u16::from(b'*')) || rest == [u16::from(b'.'), u16::from(b'*')]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_values_round_trip_and_others_are_invalid_info_class() {
        for c in DirInfoClass::ALL {
            assert_eq!(DirInfoClass::from_value(c.value()), Ok(c));
        }
        // FileBasicInformation, FileReparsePointInformation (BTRFS), 0, FileId64Extd.
        for v in [0, 4, 33, 78, 0xFFFF] {
            assert_eq!(
                DirInfoClass::from_value(v),
                Err(NtError::InvalidInfoClass),
                "{v}"
            );
        }
    }

    #[test]
    fn wildcards() {
        let rows = [
            ("*", "abc", true),
            ("*.*", "abc", true),
            ("*.*", "a.b", true),
            ("A?C", "abc", true),
            ("a*c", "abbbc", true),
            ("a*c", "abd", false),
            ("abc", "ABC", true),
            ("abc", "abcd", false),
            ("*.txt", "f.TXT", true),
            ("*.txt", "f.txt.bak", false),
        ];
        for (p, n, want) in rows {
            assert_eq!(matches(&Name::new(p), &Name::new(n)), want, "{p} {n}");
        }
    }
}
