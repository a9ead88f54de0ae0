//! `yit init`: create the tracker of this repository.

use clap::Args;
use yit::store::{InitOutcome, Tracker};

use super::{CommandError, Ctx, Format};

/// Create `.issues/config.yaml` in this repository (safe to run again)
///
/// Also registers the merge driver for issue files (git config and
/// .gitattributes); run it once in every fresh clone.
///
/// Examples:
///   git init && yit init
///   git clone URL && cd REPO && yit init
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct InitArgs {}

pub fn cmd_init(ctx: &mut Ctx, _args: InitArgs) -> Result<(), CommandError> {
    let format = ctx.format("init", &[Format::Table, Format::Json], Format::Table)?;
    let (tracker, outcome) = Tracker::init(&ctx.cwd)?;
    let dir = tracker.issues_dir().display().to_string();
    let created = matches!(outcome, InitOutcome::Created);
    let exe = super::this_program()?;
    let driver = tracker.register_merge_driver(&exe)?;
    if format == Format::Json {
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "init": { "created": created, "path": dir, "merge_driver_added": driver },
        })))?);
    }
    if !ctx.quiet {
        let text = match (created, driver) {
            (true, _) => format!("Initialized a yit tracker in {dir}"),
            // a fresh clone of a repository that has the tracker
            (false, true) => format!("Found the yit tracker in {dir}"),
            (false, false) => {
                format!("A yit tracker is already initialized in {dir}; nothing changed")
            }
        };
        ctx.out.line(&text)?;
        if driver {
            ctx.out.line(if created {
                "Registered the merge driver for issue files (git config merge.yit.*, .gitattributes)"
            } else {
                "Registered the merge driver for issue files in this clone (git config merge.yit.*)"
            })?;
        }
        if created || (driver && tracker.attributes_changed_by_yit()) {
            ctx.out.line(
                "Commit .issues and .gitattributes (`yit commit`) so that clones get the tracker and its merge driver",
            )?;
        }
    }
    Ok(())
}
