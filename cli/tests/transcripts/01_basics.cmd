:: args: --keep-going
rem Basics: cd, md, rd, echo, type, vol, help, errors cmd prints itself.
cd
md work\sub\deeper
cd work
cd sub\deeper
cd ..\..
cd \
cd /d D:\
cd
C:
cd
cd C:\work\sub
cd
D:
cd C:
C:
cd nowhere
cd \\server\share
echo hello world
echo.
echo
echo "quoted" text
echo off
echo ECHO is now off, commands are not shown
echo on
echo a> a.txt
echo b>> a.txt
type a.txt
type nothing.txt
cd \
type work
md work
rd work
rd work\sub\deeper
rd nothing
vol
vol D:
vol Q:
Q:
foo bar
mklink a
rd
del
help
dir /?
mklink /?
echo /?
