:: args: --keep-going
rem dir: header, entries, summary, /B, /S, /A filters, wildcards (J40).
md C:\data\sub
echo one> C:\data\a.txt
echo three> C:\data\b.log
echo deep> C:\data\sub\c.txt
mklink /J C:\data\jn C:\data\sub
mklink /D C:\data\sd sub
mklink C:\data\sf a.txt
attrib +H C:\data\b.log
dir C:\data
dir /a C:\data
dir /ad C:\data
dir /al C:\data
dir /a-d C:\data
dir /b C:\data
dir /b /s C:\data
dir /s C:\data
dir C:\data\*.txt
dir C:\data\a.txt
dir C:\data\nothing.txt
dir C:\nothing\x
dir C:\data\jn
dir /x
dir /a:z
cd C:\data
dir
