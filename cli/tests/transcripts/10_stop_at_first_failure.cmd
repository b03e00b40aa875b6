rem Without --keep-going the script stops at the first failure and exits 1.
echo data> C:\a.txt
mklink /H C:\b.txt C:\a.txt
mklink /H D:\c.txt C:\a.txt
echo this line is never run
