:: args: --keep-going
rem copy: single files, into directories, wildcards, onto itself.
md C:\src
md C:\dst
echo one> C:\src\a.txt
echo two> C:\src\b.txt
echo three> C:\src\c.log
copy C:\src\a.txt C:\dst
copy C:\src\a.txt C:\dst\renamed.txt
copy C:\src\*.txt C:\dst
copy C:\src D:\
dir /b D:\
copy C:\src\*.txt C:\joined.txt
type C:\joined.txt
copy C:\src\a.txt C:\src\a.txt
copy C:\src\nothing.txt C:\dst
copy C:\src\*.bak C:\dst
copy /Z C:\src\a.txt C:\dst
copy C:\src\a.txt
cd C:\dst
copy C:\src\c.log
dir /b
