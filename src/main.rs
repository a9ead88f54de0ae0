//! The `yit` binary: parse the command line, run it, map errors to exit codes.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
