:: args: --keep-going
rem Renames, moves and deletes (M1-M12).
md C:\m
echo a> C:\m\file1
echo b> C:\m\file2
rem M1: a case-only rename changes the stored case.
ren C:\m\file1 FILE1
dir /b C:\m
rem M2: a rename onto an existing name, in any case, fails.
ren C:\m\file2 file1
ren C:\m\nothing x
ren C:\m\file2 sub\x
rem M3: a move does not replace a read-only file.
echo c> C:\m\ro
attrib +R C:\m\ro
move C:\m\file2 C:\m\ro
attrib -R C:\m\ro
move C:\m\file2 C:\m\ro
move C:\m\ro C:\m\file2
type C:\m\file2
rem M6: a file may move to another volume; a directory may not.
move C:\m\file2 D:\file2
type D:\file2
md C:\m\dir
move C:\m\dir D:\dir
rem Moving into an existing directory keeps the name.
move C:\m\FILE1 C:\m\dir
dir /b C:\m\dir
rem M12: rd of a file and a non-empty directory.
rd C:\m\dir\FILE1
rd C:\m
rem del of a directory name deletes the files inside it (asked first).
del C:\m\dir
dir /b C:\m\dir
del /q C:\m\dir
dir /b C:\m\dir
rem rd /s asks first too; /q does not.
rd /s C:\m
rd /s /q C:\m
dir /b C:\
rem del /s deletes matches in every subdirectory.
md C:\t\a\b
echo one> C:\t\x.tmp
echo two> C:\t\a\y.tmp
echo three> C:\t\a\b\z.tmp
echo four> C:\t\a\keep.txt
del /s /q C:\t\*.tmp
dir /b /s C:\t
del C:\t\*.tmp
del C:\t\nothing.txt
rem M4: moving a file inside another file.
move C:\t\a\keep.txt C:\t\a\keep.txt\x
rem A directory cannot move into itself.
move C:\t C:\t\a\inside
