//! `yit mcp`: the MCP server for coding agents (see `crate::mcp`).

use clap::Args;

use super::{CommandError, Ctx, ErrorKind, Format};

/// Serve this tracker to coding agents over the Model Context Protocol (stdio)
///
/// Tools: list, search, show, ready, blocked, new, new_plan, edit, comment,
/// close, reopen, label, assign, claim, dep_add, dep_rm, log (docs/mcp.md);
/// resources: each issue (yit://issue/ID), the configuration and the query
/// language. Changes are made as your git identity, or as --as.
///
/// Examples:
///   yit mcp --print-config                  how to add it to your MCP client
///   yit mcp -C ~/src/app --as "Agent 1 <agent1@example.com>"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct McpArgs {
    /// Make changes, claim and be `me` as this person (`Name <email>`),
    /// not as git's user.name and user.email
    #[arg(long = "as", value_name = "PERSON")]
    author: Option<String>,
    /// Print the configuration snippets that add this server to Claude Code,
    /// Claude Desktop, Cursor and VS Code, and exit
    #[arg(long)]
    print_config: bool,
}

pub fn cmd_mcp(ctx: &mut Ctx, args: McpArgs) -> Result<(), CommandError> {
    ctx.format("mcp", &[Format::Table], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    if args.print_config {
        let exe = std::env::current_exe().map_err(|e| {
            CommandError::new(ErrorKind::Internal, "cannot find this program").because(&e)
        })?;
        ctx.out
            .line(&crate::mcp::client_config(&exe, tracker.root()))?;
        return Ok(());
    }
    drop(tracker);
    crate::mcp::serve(ctx.front_options(args.author))
}
