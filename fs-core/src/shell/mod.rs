//! The cmd.exe dialect over a Machine.
