:: args: --keep-going
rem fsutil: reparse point dumps like Windows (R3, S5, S7), deletes (J32), file IDs (HL20).
md C:\t
echo x> C:\t\f.txt
mklink /J C:\j C:\t
mklink C:\abs C:\t\f.txt
mklink C:\rel t\f.txt
mklink /D C:\unc \\server\share
fsutil reparsepoint query C:\j
fsutil reparsepoint query C:\abs
fsutil reparsepoint query C:\rel
fsutil reparsepoint query C:\unc
rem Not a reparse point (§6.3) and not found.
fsutil reparsepoint query C:\t\f.txt
fsutil reparsepoint query C:\nothing
rem J32: deleting the reparse point keeps the object: the junction is an empty directory now.
fsutil reparsepoint delete C:\j
dir /b C:\j
fsutil reparsepoint delete C:\j
rem S13: a file symlink becomes an empty ordinary file.
fsutil reparsepoint delete C:\abs
dir C:\abs
fsutil file queryfileid C:\t\f.txt
fsutil file queryfileid C:\
fsutil hardlink list C:\
fsutil hardlink list C:\nothing
fsutil hardlink
fsutil reparsepoint
fsutil file
fsutil
fsutil behavior query SymlinkEvaluation
