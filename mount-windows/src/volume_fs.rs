//! The file system of one mounted volume, as plain calls: every WinFsp
//! operation the adapter serves, taking WinFsp's names (volume-relative UTF-16)
//! and flags, calling the core, answering in plain data. The Windows glue
//! (`host`) only moves these answers into WinFsp's buffers, so everything here
//! is compiled and tested on every platform.
//!
//! No NTFS rule is decided here and no error is invented: each call is one
//! core operation (STYLE §2). A WinFsp file context is only a core handle.

use crate::control;
use crate::file_info::FspFileInfo;
use crate::open_options::open_options;
use crate::path::{normalized_name, MountTable, VolumePath};
use crate::security::SecurityDescriptor;
use crate::volume_params;
use ntlinkfs_core::{
    reparse, DeleteSemantics, DirInfoClass, Disposition, HandleId, Machine, Name, NameKey, NodeId,
    NtError, ReparseData, Shared, VolumeId,
};
use std::sync::Arc;

type Result<T> = std::result::Result<T, NtError>;

/// What GetSecurityByName answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Security {
    /// A prefix of the name is a reparse point: STATUS_REPARSE with the UTF-16
    /// index of that component, so that WinFsp resolves it.
    Reparse { index: u32 },
    /// The object itself (not followed): its attributes and its security
    /// descriptor (self-relative).
    Object {
        attributes: u32,
        descriptor: Vec<u8>,
    },
}

/// An object opened or created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub handle: HandleId,
    pub info: FspFileInfo,
    /// The stored spelling of the opened name, when it is known.
    pub normalized_name: Option<Vec<u16>>,
}

/// One directory entry for ReadDirectory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: Vec<u16>,
    pub info: FspFileInfo,
}

const DOT: &[u16] = &[b'.' as u16];
const DOTDOT: &[u16] = &[b'.' as u16, b'.' as u16];

/// One core volume served as a WinFsp file system.
pub struct VolumeFs {
    pub shared: Shared,
    pub volume: VolumeId,
    pub mounts: Arc<MountTable>,
    pub security: Arc<SecurityDescriptor>,
}

impl VolumeFs {
    /// The object a path names, nothing followed.
    fn object_info(&self, m: &Machine, path: &VolumePath) -> Result<ntlinkfs_core::FileInfo> {
        match (
            m.parent_no_follow(self.volume, &path.components)?,
            path.last_name(),
        ) {
            (Some(dir), Some(name)) => m.lookup(dir, name),
            _ => m.info(m.root(self.volume)),
        }
    }

    fn info_of(m: &Machine, h: HandleId) -> Result<FspFileInfo> {
        Ok(FspFileInfo::from_core(&m.handle_info(h)?))
    }

    /// GetSecurityByName: the reparse index of the first prefix that is a
    /// reparse point (the core's query, one walk), else the object's attributes.
    pub fn security_by_name(&self, name: &[u16]) -> Result<Security> {
        let path = VolumePath::parse(name)?;
        let m = self.shared.read();
        if let Some(i) = m.first_reparse_point(self.volume, &path.components)? {
            return Ok(Security::Reparse {
                index: path.reparse_index(i),
            });
        }
        let info = self.object_info(&m, &path)?;
        Ok(Security::Object {
            attributes: info.attributes,
            descriptor: self.descriptor_of(m.security_of(info.id)?.as_ref()),
        })
    }

    /// The descriptor of an object: the mount's, with the object's own DACL
    /// when the core has one (the compatibility junctions' deny ACE, `icacls`).
    pub fn descriptor_of(&self, sd: Option<&ntlinkfs_core::SecurityDescriptor>) -> Vec<u8> {
        let Some(sd) = sd else {
            return self.security.as_bytes().to_vec();
        };
        let sddl = crate::security::sddl_with_dacl(self.security.sddl(), sd);
        SecurityDescriptor::from_sddl(&sddl)
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_else(|_| self.security.as_bytes().to_vec())
    }

    /// GetSecurity: the descriptor of the object a handle is open on.
    pub fn handle_descriptor(&self, h: HandleId) -> Result<Vec<u8>> {
        let m = self.shared.read();
        let id = m.handle_node(h)?;
        Ok(self.descriptor_of(m.security_of(id)?.as_ref()))
    }

    /// SetSecurity on an open file: the DACL of the self-relative
    /// `modification` (`security_information` says which parts), translated to
    /// the core's descriptor (`security::dacl_change`) and set through the
    /// handle, which needs WRITE_DAC (NtSetSecurityObject).
    pub fn set_security(
        &self,
        h: HandleId,
        security_information: u32,
        modification: &[u8],
    ) -> Result<()> {
        use crate::security::{dacl_change, DaclChange};
        match dacl_change(&self.security, security_information, modification)? {
            DaclChange::Keep => Ok(()),
            DaclChange::Set(sd) => self.shared.write().set_security_h(h, sd),
        }
    }

    fn open_path(&self, path: &VolumePath, opts: &ntlinkfs_core::OpenOptions) -> Result<Opened> {
        let mut m = self.shared.write();
        let h = match (
            m.parent_no_follow(self.volume, &path.components)?,
            path.last_name(),
        ) {
            (Some(dir), Some(name)) => m.open_at(dir, name, opts)?,
            // The root exists: creating it collides, as CreateDirectory says.
            _ if opts.disposition == Disposition::Create => {
                return Err(NtError::ObjectNameCollision)
            }
            _ => {
                let root = m.root(self.volume);
                m.open_node(root, opts)?
            }
        };
        match Self::info_of(&m, h) {
            Ok(info) => {
                let names: Vec<Vec<u16>> = m
                    .handle_node(h)
                    .and_then(|id| m.file_names(id))
                    .map(|v| v.into_iter().map(|n| n.path_units).collect())
                    .unwrap_or_default();
                Ok(Opened {
                    handle: h,
                    info,
                    normalized_name: normalized_name(path, &names),
                })
            }
            Err(e) => {
                let _ = m.close(h);
                Err(e)
            }
        }
    }

    /// Open: the object itself; WinFsp and the I/O manager follow links.
    pub fn open(&self, name: &[u16], create_options: u32, granted_access: u32) -> Result<Opened> {
        let path = VolumePath::parse(name)?;
        let opts = open_options(
            Disposition::Open,
            create_options,
            granted_access,
            0,
            path.trailing_separator,
        );
        self.open_path(&path, &opts)
    }

    /// Create: a new file or directory, optionally carrying a reparse point
    /// (WinFsp's extra buffer); all or nothing.
    pub fn create(
        &self,
        name: &[u16],
        create_options: u32,
        granted_access: u32,
        file_attributes: u32,
        reparse_buffer: Option<&[u8]>,
    ) -> Result<Opened> {
        let path = VolumePath::parse(name)?;
        let opts = open_options(
            Disposition::Create,
            create_options,
            granted_access,
            file_attributes,
            path.trailing_separator,
        );
        let mut opened = self.open_path(&path, &opts)?;
        let Some(buffer) = reparse_buffer else {
            return Ok(opened);
        };
        let buffer = self.mounts.to_core(buffer);
        let h = opened.handle;
        let mut m = self.shared.write();
        let set = m
            .handle_node(h)
            .and_then(|id| m.set_reparse_point_of(id, &buffer))
            .and_then(|()| Self::info_of(&m, h));
        match set {
            Ok(info) => {
                opened.info = info;
                Ok(opened)
            }
            Err(e) => {
                // Undo the create whatever access the caller was granted: the
                // name goes by a delete of its own, then the handle closes.
                if let (Ok(Some(dir)), Some(name)) = (
                    m.parent_no_follow(self.volume, &path.components),
                    path.last_name(),
                ) {
                    let _ = m.delete_at(dir, name, ntlinkfs_core::Want::Any);
                }
                let _ = m.close(h);
                Err(e)
            }
        }
    }

    /// Close. WinFsp's Close cannot fail; an unknown handle would be a core bug,
    /// which the debug-build invariant check reports.
    pub fn close(&self, h: HandleId) {
        let _ = self.shared.write().close(h);
    }

    /// Cleanup: with the delete flag, the name goes now (SetDelete ran the
    /// core's checks); open handles keep the data until they close (HL30).
    pub fn cleanup(&self, h: HandleId, delete: bool) {
        if delete {
            let _ = self
                .shared
                .write()
                .set_delete_disposition(h, true, DeleteSemantics::Posix);
        }
    }

    /// SetDelete: marks the name for delete or clears the mark; the core says
    /// whether it may go (non-empty directory, read-only, M9, HL34).
    pub fn set_delete(&self, h: HandleId, delete: bool) -> Result<()> {
        self.shared
            .write()
            .set_delete_disposition(h, delete, DeleteSemantics::Classic)
    }

    pub fn file_info(&self, h: HandleId) -> Result<FspFileInfo> {
        Self::info_of(&self.shared.read(), h)
    }

    /// Overwrite (FILE_OVERWRITE, FILE_SUPERSEDE) of an open file.
    pub fn overwrite(&self, h: HandleId, file_attributes: u32) -> Result<FspFileInfo> {
        let mut m = self.shared.write();
        m.overwrite_handle(h, file_attributes)?;
        Self::info_of(&m, h)
    }

    /// ReadDirectory: up to `limit` entries after `marker` (the last name
    /// returned before), in NTFS collation order; `.` and `..` come first,
    /// except at the root.
    pub fn read_directory(
        &self,
        h: HandleId,
        marker: Option<&[u16]>,
        limit: usize,
    ) -> Result<Vec<DirEntry>> {
        let m = self.shared.read();
        let dir = m.handle_node(h)?;
        let info = m.info(dir)?;
        if !info.is_directory {
            return Err(NtError::NotADirectory);
        }
        let parent_info = || {
            m.file_names(dir)
                .ok()
                .and_then(|n| n.first().map(|n| n.parent))
                .and_then(|p| m.info(p).ok())
                .unwrap_or_else(|| info.clone())
        };
        let dot = |name: &[u16], info: &ntlinkfs_core::FileInfo| DirEntry {
            name: name.to_vec(),
            info: FspFileInfo::from_core(info),
        };
        let mut out = Vec::new();
        let is_root = dir == m.root(self.volume);
        let after: Option<NameKey> = match marker {
            None if !is_root => {
                out.push(dot(DOT, &info));
                out.push(dot(DOTDOT, &parent_info()));
                None
            }
            Some(DOT) if !is_root => {
                out.push(dot(DOTDOT, &parent_info()));
                None
            }
            None | Some(DOT) | Some(DOTDOT) => None,
            Some(name) => Some(Name::from_units(name).key()),
        };
        let room = limit.saturating_sub(out.len());
        // The class with every field FSP_FSCTL_DIR_INFO carries (J18).
        let class = DirInfoClass::IdExtdBothDirectory;
        for e in m.query_directory_of(dir, class, after.as_ref(), room)? {
            let info = FspFileInfo::from_dir_entry(&e).ok_or(NtError::InvalidInfoClass)?;
            out.push(DirEntry {
                name: e.file_name().units().to_vec(),
                info,
            });
        }
        Ok(out)
    }

    /// Rename (MoveFileEx within the volume). WinFsp resolves the target's
    /// directory through the I/O manager first, so neither name's prefix is a
    /// reparse point here.
    pub fn rename(&self, from: &[u16], to: &[u16], replace_if_exists: bool) -> Result<()> {
        let from = VolumePath::parse(from)?;
        let to = VolumePath::parse(to)?;
        let mut m = self.shared.write();
        let ends = |m: &Machine, p: &VolumePath| -> Result<(NodeId, Name)> {
            match (
                m.parent_no_follow(self.volume, &p.components)?,
                p.last_name(),
            ) {
                (Some(dir), Some(name)) => Ok((dir, name.clone())),
                // A volume root cannot move (the core's answer for MoveFileEx).
                _ => Err(NtError::AccessDenied),
            }
        };
        let (from_dir, from_name) = ends(&m, &from)?;
        let (to_dir, to_name) = ends(&m, &to)?;
        m.rename_at(from_dir, &from_name, to_dir, &to_name, replace_if_exists)
    }

    /// SetBasicInfo: 0 and INVALID_FILE_ATTRIBUTES leave the attributes, 0
    /// leaves a time (WinFsp's contract). The change time is the core's own.
    pub fn set_basic_info(
        &self,
        h: HandleId,
        file_attributes: u32,
        creation: u64,
        last_access: u64,
        last_write: u64,
    ) -> Result<FspFileInfo> {
        let time = |t: u64| (t != 0).then_some(t);
        let mut m = self.shared.write();
        let id = m.handle_node(h)?;
        if file_attributes != 0 && file_attributes != u32::MAX {
            m.set_attributes_of(id, file_attributes)?;
        }
        m.set_times_of(id, time(creation), time(last_access), time(last_write))?;
        Self::info_of(&m, h)
    }

    /// SetFileSize. Allocation is not modelled: an allocation below the size
    /// truncates (WinFsp's rule), any other leaves the file as it is.
    pub fn set_file_size(
        &self,
        h: HandleId,
        new_size: u64,
        set_allocation_size: bool,
    ) -> Result<FspFileInfo> {
        let mut m = self.shared.write();
        let size = m.handle_info(h)?.size;
        if !set_allocation_size || new_size < size {
            m.set_len(h, new_size)?;
        }
        Self::info_of(&m, h)
    }

    /// Read: the bytes read (0 at or past the end; WinFsp's driver answers
    /// STATUS_END_OF_FILE itself before asking).
    pub fn read(&self, h: HandleId, offset: u64, buffer: &mut [u8]) -> Result<usize> {
        self.shared.read().read_into(h, offset, buffer)
    }

    /// Write: at `offset`, or at the end; constrained (paging) I/O never
    /// extends the file.
    pub fn write(
        &self,
        h: HandleId,
        buffer: &[u8],
        offset: u64,
        write_to_eof: bool,
        constrained_io: bool,
    ) -> Result<(usize, FspFileInfo)> {
        let mut m = self.shared.write();
        let size = m.handle_info(h)?.size;
        let offset = if write_to_eof { size } else { offset };
        let data = if constrained_io {
            let room = size.saturating_sub(offset).min(buffer.len() as u64) as usize;
            &buffer[..room]
        } else {
            buffer
        };
        let n = if data.is_empty() {
            0
        } else {
            m.write(h, offset, data)?
        };
        Ok((n, Self::info_of(&m, h)?))
    }

    /// GetVolumeInfo: (total bytes, free bytes, label).
    pub fn volume_info(&self) -> (u64, u64, Vec<u16>) {
        let info = self.shared.read().volume_info(self.volume);
        let (total, free) = volume_params::space(&info);
        (total, free, volume_params::label_units(&info.label))
    }

    pub fn set_volume_label(&self, label: &[u16]) -> Result<()> {
        let label = String::from_utf16(label).map_err(|_| NtError::InvalidParameter)?;
        self.shared.write().set_volume_label(self.volume, &label)
    }

    /// GetReparsePointByName, as WinFsp's resolver asks it: where the reparse
    /// point at `name` leads by the core's rules, as an absolute symbolic link
    /// on the host's mounts. WinFsp hands such a link straight to the I/O
    /// manager, which re-parses; WinFsp's own resolution rules never apply.
    pub fn reparse_point_by_name(&self, name: &[u16]) -> Result<Vec<u8>> {
        let path = VolumePath::parse(name)?;
        let target = self
            .shared
            .read()
            .reparse_target(self.volume, &path.components)?;
        let nt = self.mounts.nt_path(&target)?;
        Ok(ReparseData::Symlink {
            print: ntlinkfs_core::path::strip_nt_prefix_units(&nt)
                .unwrap_or(&nt)
                .to_vec(),
            substitute: nt,
            flags: 0,
        }
        .encode())
    }

    /// FSCTL_GET_REPARSE_POINT: the core's raw buffer, exactly as set (R5).
    pub fn reparse_point(&self, h: HandleId) -> Result<Vec<u8>> {
        let m = self.shared.read();
        m.get_reparse_point_of(m.handle_node(h)?)
    }

    /// FSCTL_SET_REPARSE_POINT; absolute host targets are stored in the
    /// machine's terms (`MountTable::to_core`).
    pub fn set_reparse_point(&self, h: HandleId, buffer: &[u8]) -> Result<()> {
        let buffer = self.mounts.to_core(buffer);
        let mut m = self.shared.write();
        let id = m.handle_node(h)?;
        m.set_reparse_point_of(id, &buffer)
    }

    pub fn delete_reparse_point(&self, h: HandleId, request: &[u8]) -> Result<()> {
        let mut m = self.shared.write();
        let id = m.handle_node(h)?;
        m.delete_reparse_point_of(id, request)
    }

    /// The adapter's private DeviceIoControl requests (see `control`); any other
    /// code is not this file system's.
    pub fn control(
        &self,
        h: HandleId,
        code: u32,
        input: &[u8],
        capacity: usize,
    ) -> Result<Vec<u8>> {
        if code != control::IOCTL_NTLINKFS_QUERY_NAMES {
            return Err(NtError::InvalidDeviceRequest);
        }
        let m = self.shared.read();
        let names = m.file_names(m.handle_node(h)?)?;
        let paths: Vec<String> = names.into_iter().map(|n| n.path).collect();
        control::names_reply(&paths, control::names_request_skip(input), capacity)
    }
}

/// Copies `bytes` into an output buffer as FSCTL_GET_REPARSE_POINT does (the
/// core's sizing rules, §6.3); returns the length written.
pub fn copy_out(bytes: &[u8], buffer: &mut [u8]) -> Result<usize> {
    let out = reparse::get_into(bytes, buffer.len()).map_err(|(e, _)| e)?;
    buffer[..out.len()].copy_from_slice(&out);
    Ok(out.len())
}

#[cfg(test)]
mod tests {
    //! Each test drives `VolumeFs` as WinFsp would (names as WinFsp passes
    //! them, the call order of its driver) over this machine, volume C:
    //! mounted at host X: and D: at host Y:.
    //!
    //! ```text
    //! C:\
    //! ├── a\
    //! │   ├── f          "hello"   (hard link: C:\a\g)
    //! │   ├── g          = f
    //! │   └── Mixed.TXT  ""
    //! ├── j   → C:\a     junction
    //! ├── rel → a\f      relative file symlink
    //! └── ro             read-only file
    //! D:\x\
    //! ```
    use super::*;
    use crate::path::MountPoint;
    use ntlinkfs_core::attrs::{
        FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_READONLY,
        FILE_ATTRIBUTE_REPARSE_POINT,
    };
    use ntlinkfs_core::reparse::{IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK};
    use ntlinkfs_core::{Follow, Machine};

    const DIR: u32 = crate::open_options::FILE_DIRECTORY_FILE;
    const RW: u32 = 0x0012_019F; // FILE_GENERIC_READ | FILE_GENERIC_WRITE
    const RO: u32 = 0x0012_0089; // FILE_GENERIC_READ
    /// DELETE: the I/O manager lets only such handles set a disposition.
    const DEL: u32 = 0x0001_0000;

    fn u(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn fs() -> VolumeFs {
        let mut m = Machine::default();
        m.create_directory(r"C:\a").unwrap();
        m.write_file(r"C:\a\f", b"hello").unwrap();
        m.create_hard_link(r"C:\a\g", r"C:\a\f").unwrap();
        m.create_file(r"C:\a\Mixed.TXT").unwrap();
        m.create_junction(r"C:\j", r"C:\a").unwrap();
        m.write_file(r"C:\rel", b"").unwrap();
        let rel = ReparseData::symlink(r"a\f", r"a\f", true).encode();
        m.set_reparse_point(r"C:\rel", &rel).unwrap();
        m.write_file(r"C:\ro", b"x").unwrap();
        m.set_file_attributes(r"C:\ro", FILE_ATTRIBUTE_READONLY)
            .unwrap();
        m.create_directory(r"D:\x").unwrap();
        VolumeFs {
            shared: Shared::new(m),
            volume: 0,
            mounts: Arc::new(MountTable {
                entries: vec![
                    (0, 'C', MountPoint::Drive('X')),
                    (1, 'D', MountPoint::Drive('Y')),
                ],
            }),
            security: Arc::new(SecurityDescriptor::default_descriptor()),
        }
    }

    fn exists(fs: &VolumeFs, path: &str) -> bool {
        fs.shared.read().exists(path)
    }

    #[test]
    fn security_by_name_reports_prefix_links_and_the_object_itself() {
        let fs = fs();
        let default = SecurityDescriptor::default_descriptor().as_bytes().to_vec();
        let obj = |attributes| Security::Object {
            attributes,
            descriptor: default.clone(),
        };
        let rows: &[(&str, Result<Security>)] = &[
            (r"\j\f", Ok(Security::Reparse { index: 1 })),
            (r"\a\..\j\f", Err(NtError::ObjectNameInvalid)), // WinFsp never sends `..`
            (
                r"\j",
                Ok(obj(FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)),
            ),
            (r"\A\F", Ok(obj(0x20))), // ARCHIVE
            (r"\a\nope", Err(NtError::ObjectNameNotFound)),
            (r"\nope\f", Err(NtError::ObjectPathNotFound)),
            (r"\", Ok(obj(FILE_ATTRIBUTE_DIRECTORY))),
        ];
        for (name, want) in rows {
            let got = fs.security_by_name(&u(name)).map(|s| match s {
                // The archive bit and friends vary; the kind bits are the point.
                Security::Object {
                    attributes,
                    descriptor,
                } => Security::Object {
                    attributes: attributes
                        & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT | 0x20),
                    descriptor,
                },
                r => r,
            });
            assert_eq!(&got, want, "{name}");
        }
        // An object with its own DACL reports it (J42: the compatibility
        // junctions' deny ACE reaches WinFsp's access check).
        let mut sd = ntlinkfs_core::SecurityDescriptor::default();
        sd.add(ntlinkfs_core::Ace {
            trustee: ntlinkfs_core::Trustee::Everyone,
            allow: false,
            mask: 0x0010_0001,
        });
        let id = {
            let m = fs.shared.read();
            m.lookup(m.root(fs.volume), "j").unwrap().id
        };
        fs.shared
            .write()
            .set_security_of(id, Some(sd.clone()))
            .unwrap();
        let Ok(Security::Object { descriptor, .. }) = fs.security_by_name(&u(r"\j")) else {
            panic!("\\j is an object");
        };
        let want = crate::security::sddl_with_dacl(crate::security::DEFAULT_SDDL, &sd);
        assert_eq!(
            descriptor,
            SecurityDescriptor::from_sddl(&want).unwrap().as_bytes()
        );
    }

    /// SetSecurity through an open file: set with WRITE_DAC (and reported
    /// back by GetSecurity), refused without it; the mount's DACL given back
    /// removes the descriptor.
    #[test]
    fn set_security_sets_the_cores_dacl_through_a_handle_with_write_dac() {
        use crate::security::{sddl_with_dacl, DACL_SECURITY_INFORMATION as DACL, DEFAULT_SDDL};
        const WRITE_DAC: u32 = 0x0004_0000;
        let fs = fs();
        let deny = SecurityDescriptor::from_sddl("D:P(D;;FW;;;WD)(A;;FA;;;WD)").unwrap();
        let ro = fs.open(&u(r"\a\f"), 0, RO).unwrap();
        assert_eq!(
            fs.set_security(ro.handle, DACL, deny.as_bytes()),
            Err(NtError::AccessDenied)
        );
        let h = fs.open(&u(r"\a\f"), 0, WRITE_DAC).unwrap().handle;
        fs.set_security(h, DACL, deny.as_bytes()).unwrap();
        let core = fs
            .shared
            .read()
            .security(r"C:\a\f", ntlinkfs_core::Follow::Reparse);
        let core = core.unwrap().expect("a descriptor now");
        assert_eq!(core.dacl.len(), 2);
        assert_eq!(
            fs.handle_descriptor(h).unwrap(),
            SecurityDescriptor::from_sddl(&sddl_with_dacl(DEFAULT_SDDL, &core))
                .unwrap()
                .as_bytes()
        );
        // Refused: a SID the core does not model; nothing changed.
        let other = SecurityDescriptor::from_sddl("D:(A;;FA;;;SY)").unwrap();
        assert_eq!(
            fs.set_security(h, DACL, other.as_bytes()),
            Err(NtError::NotSupported)
        );
        let default = SecurityDescriptor::default_descriptor();
        fs.set_security(h, DACL, default.as_bytes()).unwrap();
        assert_eq!(fs.handle_descriptor(h).unwrap(), default.as_bytes());
        for h in [ro.handle, h] {
            fs.close(h);
        }
    }

    #[test]
    fn reparse_point_by_name_is_the_cores_target_on_the_host_mounts() {
        let fs = fs();
        let target = |name: &str| {
            fs.reparse_point_by_name(&u(name))
                .map(|b| ReparseData::decode(&b).unwrap())
        };
        // Junction C:\a → where C: is mounted (X:).
        assert_eq!(
            target(r"\j"),
            Ok(ReparseData::symlink(r"\??\X:\a", r"X:\a", false))
        );
        // Relative a\f from C:\ → resolved by the core, absolute on X:.
        assert_eq!(
            target(r"\REL"),
            Ok(ReparseData::symlink(r"\??\X:\a\f", r"X:\a\f", false))
        );
        assert_eq!(target(r"\a\f"), Err(NtError::NotAReparsePoint));
        assert_eq!(target(r"\nope"), Err(NtError::ObjectNameNotFound));
    }

    #[test]
    fn open_read_write_close_as_winfsp_calls_them() {
        let fs = fs();
        let o = fs.open(&u(r"\A\f"), 0, RW).unwrap();
        assert_eq!(o.info.file_size, 5);
        assert_eq!(o.normalized_name, Some(u(r"\a\f")));
        let mut buf = [0u8; 16];
        assert_eq!(fs.read(o.handle, 0, &mut buf), Ok(5));
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(fs.read(o.handle, 5, &mut buf), Ok(0));
        // Append, then a constrained (paging) write past the end: not extended.
        let (n, info) = fs.write(o.handle, b"!!", 0, true, false).unwrap();
        assert_eq!((n, info.file_size), (2, 7));
        let (n, info) = fs.write(o.handle, b"abcd", 5, false, true).unwrap();
        assert_eq!((n, info.file_size), (2, 7));
        let (n, _) = fs.write(o.handle, b"zz", 9, false, true).unwrap();
        assert_eq!(n, 0);
        fs.close(o.handle);
        // The other name of the hard link shows the same bytes (HL: one file).
        let o = fs.open(&u(r"\a\g"), 0, RO).unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(fs.read(o.handle, 0, &mut buf), Ok(7));
        assert_eq!(&buf[..7], b"helloab");
        assert_eq!(
            fs.write(o.handle, b"x", 0, false, false),
            Err(NtError::AccessDenied)
        );
        fs.close(o.handle);
        assert_eq!(fs.shared.read().open_handle_count(), 0);
    }

    #[test]
    fn open_errors_come_from_the_core() {
        let fs = fs();
        let rows: &[(&str, u32, u32, NtError)] = &[
            (r"\a\nope", 0, RO, NtError::ObjectNameNotFound),
            (r"\nope\f", 0, RO, NtError::ObjectPathNotFound),
            (r"\a\f", DIR, RO, NtError::NotADirectory),
            (r"\a", 0x40, RO, NtError::FileIsADirectory), // FILE_NON_DIRECTORY_FILE
            (r"\ro", 0, RW, NtError::AccessDenied),
            (r"\a\b?c", 0, RO, NtError::ObjectNameInvalid),
            (r"a", 0, RO, NtError::ObjectNameInvalid),
        ];
        for &(name, co, access, want) in rows {
            assert_eq!(
                fs.open(&u(name), co, access).map(|o| o.handle),
                Err(want),
                "{name}"
            );
        }
        assert_eq!(fs.shared.read().open_handle_count(), 0);
    }

    #[test]
    fn create_files_directories_and_links() {
        let fs = fs();
        let o = fs
            .create(&u(r"\a\new"), 0, RW, FILE_ATTRIBUTE_HIDDEN, None)
            .unwrap();
        assert_eq!(
            o.info.file_attributes & FILE_ATTRIBUTE_HIDDEN,
            FILE_ATTRIBUTE_HIDDEN
        );
        fs.close(o.handle);
        let o = fs.create(&u(r"\d"), DIR, RW, 0, None).unwrap();
        assert_eq!(
            o.info.file_attributes & FILE_ATTRIBUTE_DIRECTORY,
            FILE_ATTRIBUTE_DIRECTORY
        );
        fs.close(o.handle);
        let err = |name: &str, co| fs.create(&u(name), co, RW, 0, None).map(|o| o.handle);
        assert_eq!(err(r"\A\NEW", 0), Err(NtError::ObjectNameCollision));
        assert_eq!(err(r"\", DIR), Err(NtError::ObjectNameCollision));
        assert_eq!(err(r"\a\con:x", 0), Err(NtError::ObjectNameInvalid));
        // A junction made as `mklink /J Y:\... X:\a` writes it: stored in the
        // machine's terms, so the core (and `dir`) see C:\a.
        let j = ReparseData::mount_point(r"\??\X:\a", r"X:\a").encode();
        let o = fs.create(&u(r"\j2"), DIR, RW, 0, Some(&j)).unwrap();
        assert_eq!(o.info.reparse_tag, IO_REPARSE_TAG_MOUNT_POINT);
        assert_eq!(
            fs.reparse_point(o.handle)
                .map(|b| ReparseData::decode(&b).unwrap()),
            Ok(ReparseData::mount_point(r"\??\C:\a", r"C:\a"))
        );
        fs.close(o.handle);
        assert!(exists(&fs, r"C:\j2\f"));
        // A bad buffer leaves nothing behind.
        let o = fs.create(&u(r"\bad"), DIR, RW, 0, Some(&[1, 2, 3]));
        assert!(o.is_err());
        assert!(!exists(&fs, r"C:\bad"));
        assert_eq!(fs.shared.read().open_handle_count(), 0);
    }

    #[test]
    fn delete_marks_then_cleanup_removes_and_handles_keep_the_data() {
        let fs = fs();
        // A non-empty directory cannot be marked (the core's answer).
        let d = fs.open(&u(r"\a"), DIR, RW | DEL).unwrap();
        assert_eq!(
            fs.set_delete(d.handle, true),
            Err(NtError::DirectoryNotEmpty)
        );
        fs.close(d.handle);
        let ro = fs.open(&u(r"\ro"), 0, RO | DEL).unwrap();
        assert_eq!(fs.set_delete(ro.handle, true), Err(NtError::CannotDelete));
        fs.close(ro.handle);
        // DeleteFile: open, SetDelete, Cleanup(delete) while another handle reads.
        let reader = fs.open(&u(r"\a\f"), 0, RO).unwrap();
        let del = fs.open(&u(r"\a\f"), 0, RO | DEL).unwrap();
        fs.set_delete(del.handle, true).unwrap();
        fs.set_delete(del.handle, false).unwrap(); // undelete
        fs.set_delete(del.handle, true).unwrap();
        fs.cleanup(del.handle, true);
        fs.close(del.handle);
        assert!(!exists(&fs, r"C:\a\f"));
        let mut buf = [0u8; 8];
        assert_eq!(fs.read(reader.handle, 0, &mut buf), Ok(5)); // HL30
        fs.close(reader.handle);
        // The other name lives on, now the only one.
        assert_eq!(
            fs.shared
                .read()
                .query_information(r"C:\a\g", Follow::Reparse)
                .unwrap()
                .link_count,
            1
        );
        // rmdir of a junction removes the link, not its target (J30).
        let j = fs.open(&u(r"\j"), DIR, RW | DEL).unwrap();
        fs.set_delete(j.handle, true).unwrap();
        fs.cleanup(j.handle, true);
        fs.close(j.handle);
        assert!(!exists(&fs, r"C:\j"));
        assert!(exists(&fs, r"C:\a\g"));
    }

    #[test]
    fn names_with_unpaired_surrogates_pass_through_unchanged() {
        // N3: WinFsp's UTF-16 goes to the core as is, and comes back exactly.
        let fs = fs();
        let name = [
            u16::from(b'\\'),
            u16::from(b'a'),
            u16::from(b'\\'),
            0xDC00,
            u16::from(b'x'),
        ];
        let o = fs.create(&name, 0, RW, 0, None).unwrap();
        assert_eq!(o.normalized_name.as_deref(), Some(&name[..]));
        fs.close(o.handle);
        let a = fs.open(&u(r"\a"), DIR, RO).unwrap();
        let listed: Vec<Vec<u16>> = fs
            .read_directory(a.handle, None, 100)
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert!(listed.contains(&vec![0xDC00, u16::from(b'x')]));
        fs.close(a.handle);
        let mut to = name.to_vec();
        to.push(u16::from(b'y'));
        assert_eq!(fs.rename(&name, &to, false), Ok(()));
        assert_eq!(
            fs.open(&name, 0, RO).map(|o| o.handle),
            Err(NtError::ObjectNameNotFound)
        );
        let o = fs.open(&to, 0, RO).unwrap();
        assert_eq!(o.normalized_name, Some(to));
        fs.close(o.handle);
    }

    #[test]
    fn read_directory_pages_with_dots_and_markers() {
        let fs = fs();
        let names = |v: &[DirEntry]| {
            v.iter()
                .map(|e| String::from_utf16(&e.name).unwrap())
                .collect::<Vec<_>>()
        };
        let a = fs.open(&u(r"\a"), DIR, RO).unwrap();
        let all = fs.read_directory(a.handle, None, 100).unwrap();
        assert_eq!(names(&all), [".", "..", "f", "g", "Mixed.TXT"]);
        assert_eq!(all[2].info.index_number, all[3].info.index_number); // one file
        assert_eq!(all[1].info.index_number, fs.shared.read().root(0).file.0);
        let page = |marker: &str, limit| {
            names(
                &fs.read_directory(a.handle, Some(&u(marker)), limit)
                    .unwrap(),
            )
        };
        assert_eq!(page(".", 2), ["..", "f"]);
        assert_eq!(page("..", 100), ["f", "g", "Mixed.TXT"]);
        assert_eq!(page("F", 1), ["g"]); // markers compare case-insensitively
        assert_eq!(page("mixed.txt", 100), Vec::<String>::new());
        fs.close(a.handle);
        let root = fs.open(&u(r"\"), DIR, RO).unwrap();
        assert_eq!(
            names(&fs.read_directory(root.handle, None, 100).unwrap()),
            ["a", "j", "rel", "ro"]
        );
        fs.close(root.handle);
        let f = fs.open(&u(r"\a\f"), 0, RO).unwrap();
        assert_eq!(
            fs.read_directory(f.handle, None, 10),
            Err(NtError::NotADirectory)
        );
        fs.close(f.handle);
    }

    #[test]
    fn rename_moves_names_with_the_cores_rules() {
        let fs = fs();
        let rows: &[(&str, &str, bool, Result<()>)] = &[
            (r"\a\Mixed.TXT", r"\a\mixed.txt", false, Ok(())), // case change (M1)
            (r"\a\f", r"\a\g", false, Err(NtError::ObjectNameCollision)),
            (r"\a\f", r"\moved", false, Ok(())),
            (r"\a", r"\a\inside", false, Err(NtError::InvalidParameter)),
            (r"\", r"\x", false, Err(NtError::AccessDenied)),
            (r"\ro", r"\a\g", true, Ok(())), // replaces one name of the hard link
        ];
        for (from, to, replace, want) in rows {
            let o = fs.open(&u(from), 0, RO).unwrap();
            assert_eq!(
                &fs.rename(&u(from), &u(to), *replace),
                want,
                "{from} -> {to}"
            );
            fs.close(o.handle);
        }
        let m = fs.shared.read();
        let listed: Vec<String> = m
            .enumerate(r"C:\a")
            .unwrap()
            .iter()
            .map(|e| e.name.to_string_lossy())
            .collect();
        assert_eq!(listed, ["g", "mixed.txt"]);
        assert_eq!(
            m.query_information(r"C:\moved", Follow::Reparse)
                .unwrap()
                .link_count,
            1
        );
    }

    #[test]
    fn basic_info_size_overwrite_and_reparse_calls() {
        let fs = fs();
        let o = fs.open(&u(r"\a\f"), 0, RW).unwrap();
        let before = o.info;
        let info = fs.set_basic_info(o.handle, u32::MAX, 0, 0, 42).unwrap();
        assert_eq!(info.file_attributes, before.file_attributes);
        assert_eq!(
            (info.creation_time, info.last_write_time),
            (before.creation_time, 42)
        );
        let info = fs
            .set_basic_info(o.handle, FILE_ATTRIBUTE_HIDDEN, 7, 0, 0)
            .unwrap();
        assert_eq!(info.file_attributes, FILE_ATTRIBUTE_HIDDEN);
        assert_eq!(info.creation_time, 7);
        assert_eq!(fs.set_file_size(o.handle, 8192, true).unwrap().file_size, 5);
        assert_eq!(fs.set_file_size(o.handle, 2, true).unwrap().file_size, 2);
        assert_eq!(fs.set_file_size(o.handle, 10, false).unwrap().file_size, 10);
        assert_eq!(fs.reparse_point(o.handle), Err(NtError::NotAReparsePoint));
        fs.close(o.handle);
        // Overwriting the link itself drops its reparse point (S21).
        let l = fs.open(&u(r"\rel"), 0, RW).unwrap();
        assert_eq!(l.info.reparse_tag, IO_REPARSE_TAG_SYMLINK);
        let info = fs.overwrite(l.handle, 0).unwrap();
        assert_eq!(
            (
                info.reparse_tag,
                info.file_attributes & FILE_ATTRIBUTE_REPARSE_POINT
            ),
            (0, 0)
        );
        // FSCTL_SET / DELETE_REPARSE_POINT through the handle.
        let s = ReparseData::symlink(r"\??\Y:\x", r"Y:\x", false).encode();
        fs.set_reparse_point(l.handle, &s).unwrap();
        assert_eq!(
            fs.reparse_point(l.handle)
                .map(|b| ReparseData::decode(&b).unwrap()),
            Ok(ReparseData::symlink(r"\??\D:\x", r"D:\x", false))
        );
        let request = reparse::delete_request(IO_REPARSE_TAG_MOUNT_POINT);
        assert_eq!(
            fs.delete_reparse_point(l.handle, &request),
            Err(NtError::IoReparseTagMismatch)
        );
        let request = reparse::delete_request(IO_REPARSE_TAG_SYMLINK);
        fs.delete_reparse_point(l.handle, &request).unwrap();
        assert_eq!(fs.file_info(l.handle).unwrap().reparse_tag, 0);
        fs.close(l.handle);
    }

    #[test]
    fn control_lists_every_name_and_refuses_other_codes() {
        let fs = fs();
        let o = fs.open(&u(r"\a\g"), 0, RO).unwrap();
        let reply = fs
            .control(o.handle, control::IOCTL_NTLINKFS_QUERY_NAMES, &[], 4096)
            .unwrap();
        assert_eq!(
            control::parse_names_reply(&reply),
            Some((2, vec![r"\a\f".to_string(), r"\a\g".to_string()]))
        );
        assert_eq!(
            fs.control(o.handle, 0x0009_00A8, &[], 4096),
            Err(NtError::InvalidDeviceRequest)
        );
        fs.close(o.handle);
    }

    #[test]
    fn volume_info_and_label() {
        let fs = fs();
        let (total, free, label) = fs.volume_info();
        assert_eq!(total - free, 5 + 1); // "hello" and "x"
        assert_eq!(label, u("NTFS"));
        fs.set_volume_label(&u("Test Vol")).unwrap();
        assert_eq!(fs.volume_info().2, u("Test Vol"));
        assert_eq!(
            fs.set_volume_label(&[0xD800]),
            Err(NtError::InvalidParameter)
        );
    }

    #[test]
    fn copy_out_follows_get_reparse_point_sizing() {
        let raw = ReparseData::mount_point(r"\??\C:\a", r"C:\a").encode();
        let mut big = vec![0u8; 100];
        assert_eq!(copy_out(&raw, &mut big), Ok(raw.len()));
        assert_eq!(&big[..raw.len()], &raw[..]);
        let mut small = vec![0u8; 30];
        assert_eq!(copy_out(&raw, &mut small), Err(NtError::BufferOverflow));
        assert_eq!(copy_out(&raw, &mut [0u8; 8]), Err(NtError::BufferTooSmall));
    }
}
