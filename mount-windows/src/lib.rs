//! WinFsp adapter for ntlinkfs (see shared/DESIGN.md, "mount-windows").
