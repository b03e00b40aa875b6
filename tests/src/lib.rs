//! Conformance suite for ntlinkfs (see shared/DESIGN.md, "tests and fuzz").
