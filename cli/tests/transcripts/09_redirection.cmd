:: args: --keep-going
rem Redirection and chaining as cmd does them.
echo hello > a.txt
type a.txt
dir /b > list.txt
type list.txt
echo more>>list.txt
type list.txt
dir nothing > out.txt
type out.txt
dir nothing 2>nul
echo gone > nul
echo gone > C:\x\nul
echo bad > C:\nowhere\f.txt
md C:\x && echo made
md C:\x && echo not printed
md C:\x || echo failed as expected
echo one & echo two
echo caret ^& ampersand
echo "quoted > not a redirection"
@echo this command is not echoed
echo a | more
sort < a.txt
echo >
rem a comment is echoed
:: a label-style comment is not
echo done
rem a | b > c
