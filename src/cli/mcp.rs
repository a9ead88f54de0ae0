//! `yit mcp`: the MCP server for coding agents (see `crate::mcp`).

use clap::Args;

use super::{CommandError, Ctx, Format};

/// Serve this tracker to coding agents over the Model Context Protocol (stdio)
///
/// Tools: list, search, show, ready, blocked, new, new_plan, edit, comment,
/// close, reopen, label, assign, claim, release, dep_add, dep_rm, log (docs/mcp.md);
/// resources: each issue (yit://issue/ID), the configuration and the query
/// language. Changes are made as your git identity, or as --as.
///
/// Examples:
///   yit mcp --print-config                  how to add it to your MCP client
///   yit mcp --print-config vscode > .vscode/mcp.json
///   yit mcp -C ~/src/app --as "Agent 1 <agent1@example.com>"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct McpArgs {
    /// Print what adds this server to Claude Code, Cursor, VS Code and
    /// Claude Desktop, and exit; with CLIENT, only that client's file
    /// (claude-code: .mcp.json, cursor: .cursor/mcp.json, vscode:
    /// .vscode/mcp.json, claude-desktop)
    #[arg(
        long,
        value_name = "CLIENT",
        num_args = 0..=1,
        default_missing_value = "all",
        value_parser = clap::builder::PossibleValuesParser::new(
            std::iter::once("all").chain(crate::mcp::CLIENTS)
        )
    )]
    print_config: Option<String>,
}

pub fn cmd_mcp(ctx: &mut Ctx, args: McpArgs) -> Result<(), CommandError> {
    ctx.format("mcp", &[Format::Table], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    if let Some(client) = &args.print_config {
        let exe = super::this_program()?;
        let text = match client.as_str() {
            "all" => crate::mcp::client_config(&exe, tracker.root()),
            one => {
                let json = crate::mcp::client_json(one, &exe, tracker.root());
                serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
            }
        };
        ctx.out.bytes(text.as_bytes())?;
        return Ok(());
    }
    drop(tracker);
    let mut options = ctx.front_options();
    // this server's claims are its own session's: another server (another
    // agent) of the same person is another holder
    options.session = Some(format!(
        "mcp-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_millisecond()
    ));
    crate::mcp::serve(options)
}
