:: args: --demo --keep-going --volume C:ntfs --volume D:ntfs --volume E:fat32
:: The demo user profile: its links, an audit, and link-aware copies (issue 8).
cd C:\Users\Alice
dir /AL
audit
audit C:\Windows\System32
copytree C:\Users\Alice D:\Follow /J:FOLLOW /F:FOLLOW
copytree C:\Users\Alice D:\Remap /J:REMAP
dir /AL D:\Remap\AppData\Local
copytree C:\Users\Alice E:\Usb /J:SKIP
copytree C:\Users C:\Users\Alice\Backup
copytree C:\Users\Alice D:\X /J:SIDEWAYS
save
