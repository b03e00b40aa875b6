//! `save [file]`: saves the machine to the session's image file (`--image`),
//! or to the file given. The host does the writing (atomically); the core
//! only asks it to.

use super::{invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::{Failure, Shell};

pub(crate) const NO_IMAGE: &str =
    "No image file: start ntlinkfs with --image FILE, or give SAVE a file name.";

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let target = match inv.args.as_slice() {
        [] => None,
        [file] => Some(file.as_str()),
        _ => return Err(syntax(out)),
    };
    let Some(saver) = sh.saver.as_mut() else {
        out.eprintln(NO_IMAGE);
        return Err(Failure::shell("no image file"));
    };
    match saver(&sh.machine, target) {
        Ok(line) => {
            out.println(&line);
            Ok(())
        }
        Err(why) => {
            out.eprintln(&why);
            Err(Failure::shell(why))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Shell;
    use ntlinkfs_core::Machine;
    use std::sync::{Arc, Mutex};

    #[test]
    fn save_without_a_saver_fails_with_a_hint() {
        let mut sh = Shell::new(Machine::default());
        let o = sh.execute("save");
        assert_eq!(o.output, format!("{}\n", super::NO_IMAGE));
        assert!(o.failure.is_some());
    }

    #[test]
    fn save_hands_the_machine_and_file_to_the_saver() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let mut sh = Shell::new(Machine::default());
        sh.set_saver(Box::new(move |m, file| {
            let bytes = ntlinkfs_core::image::save(m);
            log.lock()
                .unwrap()
                .push((file.map(str::to_string), bytes.len()));
            match file {
                Some("bad") => Err("cannot save image bad: denied".into()),
                _ => Ok(format!("Saved ({} bytes).", bytes.len())),
            }
        }));
        assert!(sh.execute(r"echo hi> C:\a.txt").failure.is_none());
        let o = sh.execute("save");
        assert!(o.failure.is_none(), "{o:?}");
        assert!(o.output.starts_with("Saved ("), "{}", o.output);
        let o = sh.execute("save other.img");
        assert!(o.failure.is_none());
        let o = sh.execute("save bad");
        assert_eq!(o.output, "cannot save image bad: denied\n");
        assert!(o.failure.is_some());
        assert_eq!(
            sh.execute("save a b").output,
            "The syntax of the command is incorrect.\n"
        );
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(),
            [None, Some("other.img".into()), Some("bad".into())]
        );
    }
}
