//! The `ntlinkfs` command.

fn main() {
    eprintln!("ntlinkfs: under construction");
    std::process::exit(2);
}
