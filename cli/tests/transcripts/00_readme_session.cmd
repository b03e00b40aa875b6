:: args: --keep-going
md C:\docs
echo draft one> C:\docs\report.txt
mklink /H C:\docs\report-link.txt C:\docs\report.txt
move C:\docs\report.txt C:\archive.txt
type C:\docs\report-link.txt
fsutil hardlink list C:\docs\report-link.txt
mklink /J C:\shortcut C:\docs
type C:\shortcut\report-link.txt
move C:\docs C:\papers
type C:\shortcut\report-link.txt
cd C:\papers
mklink notes report-link.txt
type notes
dir
mklink /H C:\papers\dirlink C:\papers
mklink /H D:\copy.txt C:\papers\report-link.txt
