:: args: --keep-going
rem Hard links: creation rules HL1-HL14, identity HL20-HL24, lifetime HL30-HL34.
md C:\h
echo original> C:\h\a.txt
mklink /H C:\h\b.txt C:\h\a.txt
rem HL20: every name has the same file ID.
fsutil file queryfileid C:\h\a.txt
fsutil file queryfileid C:\h\b.txt
rem HL24: fsutil hardlink list prints every name without the drive.
fsutil hardlink list C:\h\b.txt
rem HL31: data belongs to the file, not the name.
echo changed> C:\h\b.txt
type C:\h\a.txt
rem A hard link survives the move of its original (M7).
move C:\h\a.txt C:\moved.txt
type C:\h\b.txt
fsutil hardlink list C:\moved.txt
rem HL30: deleting one name keeps the data for the others.
del C:\moved.txt
type C:\h\b.txt
fsutil hardlink list C:\h\b.txt
rem HL1: no hard links to directories.
mklink /H C:\hd C:\h
rem HL2: all names on one volume (cmd prints its own text).
mklink /H D:\x.txt C:\h\b.txt
fsutil hardlink create D:\y.txt C:\h\b.txt
rem HL4: the new name exists.
echo other> C:\h\c.txt
mklink /H C:\h\c.txt C:\h\b.txt
rem HL4, N1: a case variant of an existing name collides too.
mklink /H C:\h\B.TXT C:\h\b.txt
rem HL7: link into a missing directory.
mklink /H C:\nowhere\x.txt C:\h\b.txt
rem HL8: a file as a parent component gives INVALID_PARAMETER.
mklink /H C:\h\c.txt\x C:\h\b.txt
rem HL9: invalid names.
mklink /H "C:\h\a?b" C:\h\b.txt
rem Missing source.
mklink /H C:\h\z.txt C:\h\nothing.txt
rem HL10: a hard link to a symlink links the symlink itself.
mklink C:\h\sym C:\h\b.txt
mklink /H C:\h\sym2 C:\h\sym
dir C:\h
fsutil hardlink list C:\h\sym2
rem fsutil hardlink create prints what mklink /H prints.
fsutil hardlink create C:\h\f.txt C:\h\b.txt
fsutil hardlink list C:\h\b.txt
rem HL33/HL34: read-only belongs to the file; deleting a read-only name fails.
attrib +R C:\h\f.txt
attrib C:\h\b.txt
del C:\h\b.txt
del /F C:\h\b.txt
fsutil hardlink list C:\h\f.txt
rem HL13/V1: no hard links on FAT32 or exFAT; HL14: ReFS only from 3.5.
volume add F: fat32
volume add X: exfat
volume add R: refs3.4
volume add S: refs3.5
echo f> F:\f.txt
mklink /H F:\g.txt F:\f.txt
echo x> X:\f.txt
mklink /H X:\g.txt X:\f.txt
echo r> R:\f.txt
mklink /H R:\g.txt R:\f.txt
echo s> S:\f.txt
mklink /H S:\g.txt S:\f.txt
