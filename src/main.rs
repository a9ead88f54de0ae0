//! The `yit` binary: parse the command line, run it, map errors to exit codes.

mod cli;
mod front;
mod mcp;
mod web;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::main());
}
