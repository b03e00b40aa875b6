:: args: --keep-going
rem Names (N1-N12).
rem N1: case-insensitive, case-preserving.
md C:\Data
md C:\DATA
echo x> C:\data\File.TXT
type C:\DATA\file.txt
dir /b C:\data
rem N4: invalid characters.
md "C:\a<b"
echo x> "C:\a|b"
mklink "C:\a*b" C:\data\File.TXT
rem N2: 255 UTF-16 units is the limit.
md C:\aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
md C:\bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
rem N6: trailing dots and spaces are stripped from the last component.
echo dots> "C:\dots..."
type C:\dots
rem N9: past MAX_PATH (260) a Win32 path fails unless long paths are on.
md C:\pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr
profile 11+longpaths
md C:\pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp\qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr
profile 11
rem N12: a junction named CON needs a \\?\ path on Windows 10.
profile 10
mklink /J C:\con C:\Data
mklink /J \\?\C:\con C:\Data
dir /b /al C:\
profile 11
rem N7: wildcards are not names.
type C:\data\*.txt
rem N8: a file in the middle of a path.
md C:\data\File.TXT\sub
rem N5: on Windows 10 a device name is the device, even in a folder...
profile 10
echo to the console> C:\data\con
dir /b C:\data
rem ...Windows 11 makes it an ordinary name as the last component.
profile 11
echo to a file> C:\data\con
dir /b C:\data
rem Non-ASCII names keep their case and fold for lookup.
md C:\Straße
cd C:\STRASSE
cd C:\STRAßE
cd
