//! The adapter's private DeviceIoControl requests: what Windows tools cannot
//! ask a WinFsp volume, `ntlinkfs` asks it directly. WinFsp forwards only
//! METHOD_BUFFERED codes of a custom device type (bit 0x8000) to the file
//! system (WinFsp src/sys/devctl.c, FspFsvolDeviceControl).

/// CTL_CODE(DeviceType, Function, Method, Access).
pub const fn ctl_code(device_type: u32, function: u32, method: u32, access: u32) -> u32 {
    (device_type << 16) | (access << 14) | (function << 2) | method
}

use ntlinkfs_core::NtError;

pub const METHOD_BUFFERED: u32 = 0;
pub const FILE_ANY_ACCESS: u32 = 0;
/// A custom device type for ntlinkfs ("NL").
pub const FILE_DEVICE_NTLINKFS: u32 = 0x8E4C;

/// Every name of the open file, as the machine knows them (FindFirstFileNameW
/// through ntlinkfs), a page at a time. Input: the number of names to skip
/// (u32 LE; none = 0). Output, UTF-8 lines: the total number of names, then
/// as many volume-relative paths (`\dir\name`, HL24) as fit.
pub const IOCTL_NTLINKFS_QUERY_NAMES: u32 = ctl_code(
    FILE_DEVICE_NTLINKFS,
    0x801,
    METHOD_BUFFERED,
    FILE_ANY_ACCESS,
);

/// `ntlinkfs mklink /H` on a WinFsp mount, whose driver refuses hard links
/// itself: issued on a handle to the directory that gets the new name. Input:
/// the existing file's volume serial number (u32 LE) and file index (u64 LE,
/// GetFileInformationByHandle's), then the new name (UTF-16LE, no NUL). No
/// output. The core decides everything (HL1–HL34).
pub const IOCTL_NTLINKFS_CREATE_HARD_LINK: u32 = ctl_code(
    FILE_DEVICE_NTLINKFS,
    0x802,
    METHOD_BUFFERED,
    FILE_ANY_ACCESS,
);

/// IOCTL_NTLINKFS_CREATE_HARD_LINK's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardLinkRequest {
    pub volume_serial: u32,
    pub file_index: u64,
    pub name: Vec<u16>,
}

impl HardLinkRequest {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + 2 * self.name.len());
        out.extend_from_slice(&self.volume_serial.to_le_bytes());
        out.extend_from_slice(&self.file_index.to_le_bytes());
        for u in &self.name {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }

    /// A request too short, or with an odd name length, is a bad parameter.
    pub fn decode(input: &[u8]) -> Result<HardLinkRequest, NtError> {
        if input.len() < 12 || input.len() % 2 != 0 {
            return Err(NtError::InvalidParameter);
        }
        let u32_at =
            |i: usize| u32::from_le_bytes([input[i], input[i + 1], input[i + 2], input[i + 3]]);
        Ok(HardLinkRequest {
            volume_serial: u32_at(0),
            file_index: u64::from(u32_at(4)) | u64::from(u32_at(8)) << 32,
            name: input[12..]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        })
    }
}

/// WinFsp's limit on a forwarded request's input and output buffers
/// (FSP_FSCTL_DEVICECONTROL_SIZEMAX, winfsp/fsctl.h).
pub const DEVICE_CONTROL_SIZEMAX: usize = 4 * 1024;

/// The names to skip, from the request's input.
pub fn names_request_skip(input: &[u8]) -> usize {
    input
        .get(..4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// One page of the reply: the total, then the paths from `skip` that fit in
/// `capacity` bytes. None fits: STATUS_BUFFER_TOO_SMALL.
pub fn names_reply(paths: &[String], skip: usize, capacity: usize) -> Result<Vec<u8>, NtError> {
    let mut out = format!("{}\n", paths.len()).into_bytes();
    let mut added = 0;
    for p in paths.iter().skip(skip) {
        if out.len() + p.len() + 1 > capacity {
            break;
        }
        out.extend_from_slice(p.as_bytes());
        out.push(b'\n');
        added += 1;
    }
    if out.len() > capacity || (added == 0 && skip < paths.len()) {
        return Err(NtError::BufferTooSmall);
    }
    Ok(out)
}

/// (total, the paths of this page) from a reply.
pub fn parse_names_reply(bytes: &[u8]) -> Option<(usize, Vec<String>)> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.split('\n');
    let total = lines.next()?.parse().ok()?;
    Some((
        total,
        lines
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_code_is_forwarded_by_winfsp() {
        assert_eq!(IOCTL_NTLINKFS_QUERY_NAMES, 0x8E4C_2004);
        assert_ne!((IOCTL_NTLINKFS_QUERY_NAMES >> 16) & 0x8000, 0); // custom device type
        assert_eq!(IOCTL_NTLINKFS_QUERY_NAMES & 3, METHOD_BUFFERED);
        // FSCTL_GET_REPARSE_POINT, for comparison with a well-known code.
        assert_eq!(
            ctl_code(0x9, 42, METHOD_BUFFERED, FILE_ANY_ACCESS),
            0x0009_00A8
        );
    }

    #[test]
    fn names_reply_pages_within_the_buffer() {
        let names: Vec<String> = (0..1024).map(|i| format!(r"\dir\link{i:04}.txt")).collect();
        let mut got = Vec::new();
        let mut pages = 0;
        loop {
            let skip = got.len();
            let input = (skip as u32).to_le_bytes();
            let reply =
                names_reply(&names, names_request_skip(&input), DEVICE_CONTROL_SIZEMAX).unwrap();
            assert!(reply.len() <= DEVICE_CONTROL_SIZEMAX);
            let (total, page) = parse_names_reply(&reply).unwrap();
            assert_eq!(total, 1024);
            pages += 1;
            if page.is_empty() {
                break;
            }
            got.extend(page);
        }
        assert_eq!(got, names);
        assert_eq!(pages, 1024 / 227 + 2); // 227 names of 18 bytes fit a page
    }

    #[test]
    fn hard_link_request_round_trip_and_refusals() {
        assert_eq!(IOCTL_NTLINKFS_CREATE_HARD_LINK, 0x8E4C_2008);
        let r = HardLinkRequest {
            volume_serial: 0x1A2B_433C,
            file_index: 0x0005_0000_0000_0010,
            name: "b é.txt".encode_utf16().collect(),
        };
        let bytes = r.encode();
        assert_eq!(
            &bytes[..12],
            &[0x3C, 0x43, 0x2B, 0x1A, 0x10, 0, 0, 0, 0, 0, 5, 0]
        );
        assert_eq!(HardLinkRequest::decode(&bytes), Ok(r));
        assert_eq!(
            HardLinkRequest::decode(&[0; 11]),
            Err(NtError::InvalidParameter)
        );
        assert_eq!(
            HardLinkRequest::decode(&[0; 13]),
            Err(NtError::InvalidParameter)
        );
        assert_eq!(
            HardLinkRequest::decode(&[0; 12]).unwrap().name,
            Vec::<u16>::new()
        );
    }

    #[test]
    fn names_reply_edges() {
        let names = vec![r"\a".to_string(), "\\".repeat(50)];
        assert_eq!(names_reply(&names, 0, 10), Ok(b"2\n\\a\n".to_vec()));
        assert_eq!(names_reply(&names, 1, 10), Err(NtError::BufferTooSmall));
        assert_eq!(names_reply(&names, 2, 10), Ok(b"2\n".to_vec()));
        assert_eq!(names_reply(&names, 0, 1), Err(NtError::BufferTooSmall));
        assert_eq!(names_request_skip(&[]), 0);
        assert_eq!(parse_names_reply(b"x"), None);
    }
}
