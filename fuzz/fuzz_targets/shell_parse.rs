//! The cmd.exe dialect (lexer, parser, commands) on any text: each line runs in
//! a Shell over a fresh C:/D: machine; no panic, and the machine's invariants
//! hold after every line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlinkfs_shell::Shell;
use ntlinkfs_core::{invariants, Machine};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut sh = Shell::new(Machine::default());
    // Prompts (rd /s without /q) answer yes: the destructive path gets fuzzed too.
    sh.set_confirm(Box::new(|_| true));
    for line in text.lines().take(64) {
        let out = sh.execute(line);
        if let Err(v) = invariants::check(sh.machine()) {
            panic!(
                "invariant broken after {line:?}: {v}\noutput: {}",
                out.output
            );
        }
        if out.exit {
            break;
        }
    }
});
