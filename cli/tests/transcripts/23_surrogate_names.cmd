rem N3: an unpaired UTF-16 surrogate is a legal NTFS name. The shell reads
rem %U+D800% as that one unit and prints it the same way (docs/shell.md).
md C:\n3
echo lone high> C:\n3\a%U+D800%
echo lone low> C:\n3\%U+DC00%b
dir /b C:\n3
type C:\n3\a%U+D800%
rem N1 with N3: surrogates fold to themselves, the letters around them fold.
type C:\n3\A%U+D800%
mklink /H C:\n3\link%U+DFFF% C:\n3\a%U+D800%
fsutil hardlink list C:\n3\a%U+D800%
ren C:\n3\%U+DC00%b %U+DC00%%U+D800%
dir /b C:\n3
del C:\n3\a%U+D800%
type C:\n3\link%U+DFFF%
rem A literal name that reads like an escape is printed with %U+0025% for its %.
echo text> C:\n3\%U+0025%U+0041%
dir /b C:\n3
dir C:\n3
rem N3 in link targets: stored as the units, shown with %U+hhhh% and followed.
md C:\n3\d%U+D800%
echo inside> C:\n3\d%U+D800%\f
mklink /D C:\n3\sd C:\n3\d%U+D800%
mklink /J C:\n3\j%U+DC00% C:\n3\d%U+D800%
mklink C:\n3\rel %U+DC00%%U+D800%
type C:\n3\sd\f
type C:\n3\j%U+DC00%\f
type C:\n3\rel
dir C:\n3
rem cd into a surrogate name: the prompt and cd show it as typed.
cd C:\n3\d%U+D800%
cd
type f
cd C:\
