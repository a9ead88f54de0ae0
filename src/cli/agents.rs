//! `yit agents`: the few lines a coding agent needs to use yit well,
//! printed, or kept in AGENTS.md / CLAUDE.md between markers.

use std::path::PathBuf;

use clap::Args;
use yit::store::agents::BlockWritten;

use super::{CommandError, Ctx, Format};

/// What an agent is told: short (well under 1,500 tokens), commands it can
/// run as they are, the ids it sees used as they are.
pub const INSTRUCTIONS: &str = "\
## Issues: yit

This repository tracks its work with yit: one YAML file per issue in
`.issues/`, committed with the code. Use the `yit` command (or `yit mcp`,
its MCP server) to read and change issues, not a text editor on the files.

- Find work: `yit ready --json` lists issues that can start now (open,
  waiting for nothing open), most urgent first. `yit show ID --json` gives
  one issue: body, comments, what it waits for and what waits for it.
  `yit list QUERY --json` takes the query language (`yit help query`), e.g.
  `label:bug priority:<=1 assignee:me is:ready \"exact phrase\"`.
- Claim before you start: `yit claim ID` takes a lease on the issue that
  every worktree and clone sees, and makes it yours and in progress. Exit
  code 4 means someone else holds it: pick another issue rather than
  working on it too. Agents in parallel give each its own identity:
  `yit --as \"Agent 2 <agent2@example.com>\" claim ID` (or `YIT_AS`). A
  lease lasts `claim_ttl` (2h): `yit claim --renew ID` for long work,
  `yit release ID` if you stop without finishing.
- Record as you go: `yit comment ID \"what you found\"`. New work you
  discover: `yit new \"Title\" --type bug --body-file notes.md`, and
  `yit dep add ID ON` when ID cannot be done before ON.
- Finish: name the issue in the commit that completes it, on a line of its
  own: `Fixes: ID`. Where the close-fixed hook is installed
  (`yit hooks install --close-fixed`) that commit closes it; otherwise run
  `yit close ID --reason \"...\"`.
- Commit issue changes with your code (`yit commit` commits only
  `.issues/`); `yit sync` commits them, merges the upstream's and pushes.
- For scripts: every command takes `--json` (records carry `id` and
  `short_id`; any id prefix works as input; errors are JSON on stderr). Exit
  codes: 0 ok, 1 error, 2 usage, 3 partial, 4 refused, 5 lock timeout.
";

/// Print what a coding agent needs to know to use yit, or write it into AGENTS.md or CLAUDE.md
///
/// With --write, the instructions go between two marker lines in the file
/// (AGENTS.md at the top of the worktree by default; a relative FILE is
/// taken from there too): added at the end the first time, replaced in
/// place afterwards, the rest of the file untouched, nothing written when
/// nothing changes. Commit the file so that every clone's agents read it.
///
/// Examples:
///   yit agents                       print the instructions
///   yit agents --write               keep them in AGENTS.md
///   yit agents --write CLAUDE.md     keep them in CLAUDE.md
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct AgentsArgs {
    /// Write the instructions into FILE between yit's markers
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        default_missing_value = "AGENTS.md"
    )]
    write: Option<PathBuf>,
}

pub fn cmd_agents(ctx: &mut Ctx, args: AgentsArgs) -> Result<(), CommandError> {
    let format = ctx.format("agents", &[Format::Table, Format::Json], Format::Table)?;
    let Some(file) = args.write else {
        if format == Format::Json {
            return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
                "agents": { "text": INSTRUCTIONS },
            })))?);
        }
        return Ok(ctx.out.bytes(INSTRUCTIONS.as_bytes())?);
    };
    let tracker = ctx.open_tracker()?;
    let path = tracker.root().join(file);
    let written = yit::store::agents::write_block(&path, INSTRUCTIONS)?;
    let word = match written {
        BlockWritten::Created => "created",
        BlockWritten::Updated => "updated",
        BlockWritten::Unchanged => "unchanged",
    };
    if format == Format::Json {
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "agents": { "path": path, "written": word },
        })))?);
    }
    ctx.out.line(&format!("{word:<10} {}", path.display()))?;
    if written != BlockWritten::Unchanged {
        ctx.note(&format!(
            "commit it (`git add {}`) so that every clone's agents read it",
            path.display()
        ));
    }
    Ok(())
}
