:: args: --keep-going
rem Symbolic link evaluation classes (S50-S53). \\localhost\C$ reaches C: as a remote client would.
md C:\s
echo data> C:\s\f.txt
mklink C:\s\abs C:\s\f.txt
mklink C:\s\rel f.txt
mklink C:\s\tounc \\localhost\C$\s\f.txt
mklink /J C:\s\junction C:\s
rem S51: by default local links may be followed, remote ones may not.
fsutil behavior query SymlinkEvaluation
type C:\s\abs
rem L2R: a local link to a remote target.
type C:\s\tounc
rem R2L and R2R: links reached through a share; S52: ERROR_SYMLINK_CLASS_DISABLED.
type \\localhost\C$\s\f.txt
type \\localhost\C$\s\abs
type \\localhost\C$\s\rel
type \\localhost\C$\s\tounc
rem S53: junctions are evaluated by the server, not by this policy.
type \\localhost\C$\s\junction\f.txt
fsutil behavior set SymlinkEvaluation R2L:1 L2R:0
fsutil behavior query SymlinkEvaluation
type \\localhost\C$\s\abs
type \\localhost\C$\s\rel
type C:\s\tounc
fsutil behavior set SymlinkEvaluation R2X:1
fsutil behavior set SymlinkEvaluation
