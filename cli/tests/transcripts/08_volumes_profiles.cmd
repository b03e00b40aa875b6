:: args: --keep-going
rem Volumes and profiles (V1-V5, J1, J34).
volume list
volume add E: fat32 USB STICK
volume add e: ntfs
volume add 1: ntfs
volume add G: ext4
vol E:
dir E:\
volume list
profile
ver
profile xp
ver
rem V5: no symbolic links before Vista; junctions from Windows 2000.
mklink C:\s x
mklink /J C:\j C:\
rem J1: Windows 2000 also sets ARCHIVE on a junction (0x430); later versions do not (0x410).
profile 2000
ver
mklink /J C:\j2000 C:\
attrib C:\j2000
attrib C:\j
profile xp
rem J34, KB205524: Explorer on XP deletes inside a junction's target.
md C:\keep\inner
echo precious> C:\keep\data.txt
md C:\folder
mklink /J C:\folder\link C:\keep
explorer-delete C:\folder
dir /b /s C:\keep
rem On later versions Explorer removes only the junction.
profile 11
md C:\keep2
echo precious> C:\keep2\data.txt
md C:\folder2
mklink /J C:\folder2\link C:\keep2
explorer-delete C:\folder2
dir /b C:\keep2
rem J34: del /s walks into junctions on XP only.
profile xp
md C:\folder3
mklink /J C:\folder3\link C:\keep2
del /s /q C:\folder3\*.txt
dir /b C:\keep2
profile nt4
mklink /J C:\j4 C:\keep2
profile winME
profile
