//! # ntlinkfs-linktools
//!
//! Tools that walk a tree with links: the link-aware copy (a policy per link
//! kind, a summary), the link audit (hard-link groups, junctions and symbolic
//! links with where they lead, as a table or JSON), and the `--demo` layout.
//! They run on the emulated NTFS machine of `ntlinkfs-core` and on host
//! directories (a mounted ntlinkfs volume, ntfs-3g, any POSIX tree).

pub mod audit;
pub mod copy;
pub mod fixture;
#[cfg(unix)]
pub mod host_audit;
pub mod host_copy;
pub mod tree;
