:: args: --demo --keep-going
:: Handles held open by another program, and the protected compatibility junctions (issue 14).
echo draft> C:\Users\Alice\Documents\draft.txt
open /A:W /S:- C:\Users\Alice\Documents\draft.txt
type C:\Users\Alice\Documents\draft.txt
del C:\Users\Alice\Documents\draft.txt
close 1
type C:\Users\Alice\Documents\draft.txt
dir /AL C:\
icacls "C:\Documents and Settings" /L
dir "C:\Documents and Settings"
dir /B "C:\Documents and Settings\Alice\Documents"
type "C:\Documents and Settings\Alice\My Documents\report.txt"
rd "C:\Documents and Settings"
