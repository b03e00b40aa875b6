//! FUSE adapter for ntlinkfs (see shared/DESIGN.md, "mount-unix").
