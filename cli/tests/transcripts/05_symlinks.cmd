:: args: --keep-going
rem Symbolic links (S1-S53, P4, P8).
md C:\s\dir
echo target data> C:\s\file.txt
echo in dir> C:\s\dir\x.txt
cd C:\s
rem J41: what mklink prints; S7: a relative target is kept as written.
mklink rel file.txt
mklink /D reldir dir
rem S5: an absolute target is stored as an NT path.
mklink abs C:\s\file.txt
rem S6: a UNC target.
mklink unc \\server\share\f.txt
rem S8: a root-relative target; S9: a drive-relative one is made absolute.
mklink root \s\file.txt
mklink drive C:file.txt
dir
type rel
type abs
type root
type drive
type reldir\x.txt
rem P4: relative targets resolve from the link's folder, not the current directory.
cd \
type C:\s\rel
rem S4: a dangling link may be made; opening it fails.
mklink C:\s\dangling nothing.txt
type C:\s\dangling
rem S22: a file symlink to a directory does not open (Windows 10 1709+).
mklink C:\s\filetodir dir
dir C:\s\filetodir
type C:\s\filetodir
rem S23: a directory symlink to a file does not open either.
mklink /D C:\s\dirtofile file.txt
type C:\s\dirtofile
rem S24: a relative target naming a file with a trailing backslash.
mklink C:\s\slash file.txt\
type C:\s\slash
rem S36: attrib changes the link itself, not its target.
attrib +H C:\s\rel
attrib C:\s\rel
attrib C:\s\file.txt
attrib -H C:\s\rel
rem S1: making a link over an existing name fails.
mklink C:\s\rel file.txt
rem P8: a link to itself cannot be resolved.
mklink C:\s\loop C:\s\loop
type C:\s\loop
rem S30: del deletes the link, not the target; S31: rd removes a directory link.
del C:\s\abs
type C:\s\file.txt
rd C:\s\reldir
dir /b C:\s\dir
rem S35: move renames the link; the relative target then resolves from its new folder.
move C:\s\rel C:\rel
type C:\rel
rem S37: copying a link copies its target's data into a regular file.
copy C:\s\root C:\copied.txt
dir C:\copied.txt
rem S38: copying onto a link replaces the target's data; the link stays.
echo replaced> C:\new.txt
copy C:\new.txt C:\s\root
type C:\s\file.txt
dir C:\s\root
rem S2: without the privilege mklink prints cmd's own text.
profile 11-user
mklink C:\s\nopriv file.txt
rem S3: Developer Mode lets a standard user make links (Windows 10 1703+).
profile 11+dev-user
mklink C:\s\devmode file.txt
profile 10-1607+dev-user
mklink C:\s\olddev file.txt
rem J5: junctions need no privilege.
profile 11-user
mklink /J C:\s\junction C:\s\dir
rem S11/V2: no symbolic links on FAT32.
profile 11
volume add F: fat32
mklink F:\link C:\s\file.txt
rem V3: a link on NTFS may point into FAT32.
echo on fat> F:\f.txt
mklink C:\tofat F:\f.txt
type C:\tofat
