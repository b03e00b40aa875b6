:: args: --keep-going
rem Junctions (J1-J41).
md C:\target\inner
echo in target> C:\target\file.txt
rem J41: what mklink /J prints.
mklink /J C:\j C:\target
type C:\j\file.txt
dir C:\j
rem J8: a relative target is made absolute against the current directory.
cd C:\target
mklink /J C:\rel inner
cd \
fsutil reparsepoint query C:\rel
rem J2: a junction may point to another local volume.
md D:\other
mklink /J C:\jd D:\other
rem J6: the target is not checked when the junction is made.
mklink /J C:\dangling C:\nothing
dir C:\dangling
rem J15: writing through a dangling junction creates the target file; the junction then no longer opens.
echo made through the junction> C:\dangling
type C:\nothing
type C:\dangling
rem J16: making a junction or directory over an existing name fails.
mklink /J C:\j C:\target
md C:\j
rem J3: not over an existing directory either.
mklink /J C:\target C:\target\inner
rem J8a: cmd's own texts for a non-NTFS link volume and a network target.
volume add E: exfat
mklink /J E:\j C:\target
mklink /J C:\net \\server\share\dir
rem J33: moving the target leaves the junction dangling; moving it back revives it.
move C:\target C:\moved
type C:\j\file.txt
dir C:\j
move C:\moved C:\target
type C:\j\file.txt
rem J13: a junction to a file does not open (Windows 10 1709+).
mklink /J C:\jfile C:\target\file.txt
type C:\jfile
rem J12/P8: a junction to itself cannot be resolved.
mklink /J C:\self C:\self
dir C:\self
rem J14: a junction to its own parent resolves at every level.
mklink /J C:\target\loop C:\target
type C:\target\loop\loop\loop\file.txt
rd C:\target\loop
rem J30: rd removes the junction only; the target stays.
rd C:\j
type C:\target\file.txt
rem J34: rd /s through a tree with a junction leaves the target alone.
md C:\tree
mklink /J C:\tree\link C:\target
rd /s /q C:\tree
dir /b C:\target
rem J32: fsutil reparsepoint delete leaves an empty ordinary directory.
fsutil reparsepoint delete C:\rel
dir /b C:\rel
dir /al C:\
rem J19: cd into a junction keeps the typed path; relative names resolve in the target.
mklink /J C:\cdj C:\target
cd C:\cdj
type file.txt
cd \
rem A junction is deleted by rd, not del: del of a junction deletes the files in its target.
del /q C:\cdj
dir /b C:\target
