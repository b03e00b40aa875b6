:: args: --keep-going
rem Path resolution (P1-P11).
md C:\alpha\beta
md C:\theta\gamma
echo theta> C:\theta\gamma\file
echo sibling> C:\alpha\foo
mklink /D C:\alpha\beta\link ..\..\theta
rem P3: a relative link replaces its component, then .. climbs.
type C:\alpha\beta\link\gamma\file
rem P1: Win32 .. is lexical: link\.. is C:\alpha\beta, whatever link points to.
dir /b C:\alpha\beta\link\..
type C:\alpha\beta\link\..\..\foo
rem P4: a chain resolves each link from its own folder.
md C:\a\b
md C:\a\d
md C:\a\f
echo end> C:\a\f\file
mklink /D C:\a\b\c ..\d\e
mklink /D C:\a\d\e ..\f
type C:\a\b\c\file
rem P3: climbing above the volume root fails.
mklink /D C:\alpha\up ..\..\..\..\x
dir C:\alpha\up
rem P7: an absolute link may cross volumes.
md D:\far
echo far> D:\far\f
mklink /D C:\tofar D:\far
type C:\tofar\f
rem P8: a path through 63 links resolves, one more cannot.
mklink /D C:\l0 C:\theta
mklink /D C:\l1 C:\l0
mklink /D C:\l2 C:\l1
mklink /D C:\l3 C:\l2
mklink /D C:\l4 C:\l3
mklink /D C:\l5 C:\l4
mklink /D C:\l6 C:\l5
mklink /D C:\l7 C:\l6
mklink /D C:\l8 C:\l7
mklink /D C:\l9 C:\l8
mklink /D C:\l10 C:\l9
mklink /D C:\l11 C:\l10
mklink /D C:\l12 C:\l11
mklink /D C:\l13 C:\l12
mklink /D C:\l14 C:\l13
mklink /D C:\l15 C:\l14
mklink /D C:\l16 C:\l15
mklink /D C:\l17 C:\l16
mklink /D C:\l18 C:\l17
mklink /D C:\l19 C:\l18
mklink /D C:\l20 C:\l19
mklink /D C:\l21 C:\l20
mklink /D C:\l22 C:\l21
mklink /D C:\l23 C:\l22
mklink /D C:\l24 C:\l23
mklink /D C:\l25 C:\l24
mklink /D C:\l26 C:\l25
mklink /D C:\l27 C:\l26
mklink /D C:\l28 C:\l27
mklink /D C:\l29 C:\l28
mklink /D C:\l30 C:\l29
mklink /D C:\l31 C:\l30
mklink /D C:\l32 C:\l31
mklink /D C:\l33 C:\l32
mklink /D C:\l34 C:\l33
mklink /D C:\l35 C:\l34
mklink /D C:\l36 C:\l35
mklink /D C:\l37 C:\l36
mklink /D C:\l38 C:\l37
mklink /D C:\l39 C:\l38
mklink /D C:\l40 C:\l39
mklink /D C:\l41 C:\l40
mklink /D C:\l42 C:\l41
mklink /D C:\l43 C:\l42
mklink /D C:\l44 C:\l43
mklink /D C:\l45 C:\l44
mklink /D C:\l46 C:\l45
mklink /D C:\l47 C:\l46
mklink /D C:\l48 C:\l47
mklink /D C:\l49 C:\l48
mklink /D C:\l50 C:\l49
mklink /D C:\l51 C:\l50
mklink /D C:\l52 C:\l51
mklink /D C:\l53 C:\l52
mklink /D C:\l54 C:\l53
mklink /D C:\l55 C:\l54
mklink /D C:\l56 C:\l55
mklink /D C:\l57 C:\l56
mklink /D C:\l58 C:\l57
mklink /D C:\l59 C:\l58
mklink /D C:\l60 C:\l59
mklink /D C:\l61 C:\l60
mklink /D C:\l62 C:\l61
mklink /D C:\l63 C:\l62
type C:\l62\gamma\file
type C:\l63\gamma\file
rem P8: XP stops at 31 reparse points.
profile xp
mklink /J C:\x0 C:\theta
mklink /J C:\x1 C:\x0
mklink /J C:\x2 C:\x1
mklink /J C:\x3 C:\x2
mklink /J C:\x4 C:\x3
mklink /J C:\x5 C:\x4
mklink /J C:\x6 C:\x5
mklink /J C:\x7 C:\x6
mklink /J C:\x8 C:\x7
mklink /J C:\x9 C:\x8
mklink /J C:\x10 C:\x9
mklink /J C:\x11 C:\x10
mklink /J C:\x12 C:\x11
mklink /J C:\x13 C:\x12
mklink /J C:\x14 C:\x13
mklink /J C:\x15 C:\x14
mklink /J C:\x16 C:\x15
mklink /J C:\x17 C:\x16
mklink /J C:\x18 C:\x17
mklink /J C:\x19 C:\x18
mklink /J C:\x20 C:\x19
mklink /J C:\x21 C:\x20
mklink /J C:\x22 C:\x21
mklink /J C:\x23 C:\x22
mklink /J C:\x24 C:\x23
mklink /J C:\x25 C:\x24
mklink /J C:\x26 C:\x25
mklink /J C:\x27 C:\x26
mklink /J C:\x28 C:\x27
mklink /J C:\x29 C:\x28
mklink /J C:\x30 C:\x29
mklink /J C:\x31 C:\x30
type C:\x30\gamma\file
type C:\x31\gamma\file
profile 11
rem P5: . and .. inside a relative target are processed; a doubled separator or / is not.
mklink /D C:\p5 .\alpha\..\.\alpha\
type C:\p5\foo
mklink /D C:\p5b .\\alpha
type C:\p5b\foo
rem S10: mklink passes / through, and / is not a separator in reparse data.
mklink /D C:\p5c ./alpha
type C:\p5c\foo
rem P11: a trailing backslash names a directory.
type C:\theta\gamma\file\
rem UNC paths to other machines are not reachable.
type \\server\share\file
rem \\?\ and \??\ paths are taken literally.
type \\?\C:\theta\gamma\file
type \\?\C:\theta\gamma\..\gamma\file
