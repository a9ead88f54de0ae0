//! `yit completions` and `yit man`: shell completion scripts and the man
//! page, generated from the command line's own definitions.

use clap::{Args, CommandFactory};

use super::{Cli, CommandError, Ctx};

/// Print a completion script for a shell
///
/// Examples:
///   yit completions bash > ~/.local/share/bash-completion/completions/yit
///   yit completions zsh > "${fpath[1]}/_yit"
///   yit completions fish > ~/.config/fish/completions/yit.fish
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish
    shell: clap_complete::Shell,
}

pub fn cmd_completions(ctx: &mut Ctx, args: CompletionsArgs) -> Result<(), CommandError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "yit", &mut script);
    Ok(ctx.out.bytes(&script)?)
}

/// Print the man page (roff)
///
/// Example:
///   yit man > ~/.local/share/man/man1/yit.1
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ManArgs {}

pub fn cmd_man(ctx: &mut Ctx, _args: ManArgs) -> Result<(), CommandError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| CommandError::new(super::ErrorKind::Internal, e.to_string()))?;
    Ok(ctx.out.bytes(&page)?)
}
