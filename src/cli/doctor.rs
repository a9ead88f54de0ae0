//! `yit doctor`: check config.yaml and every issue file.

use clap::Args;
use yit::store::{StoreError, Tracker};

use super::{CommandError, Ctx, ErrorKind, Format};

/// Check config.yaml and every issue file; print each problem as path:line:col: message
#[derive(Args)]
pub struct DoctorArgs {}

pub fn cmd_doctor(ctx: &mut Ctx, _args: DoctorArgs) -> Result<(), CommandError> {
    let format = ctx.format("doctor", &[Format::Table, Format::Json], Format::Table)?;
    let (checked, problems) = match Tracker::open(&ctx.cwd) {
        Ok(tracker) => {
            let scan = tracker.scan(ctx.scan_mode(false))?;
            (
                scan.listing.ids.len() + scan.listing.misnamed.len(),
                scan.problems,
            )
        }
        // the issue files cannot be checked against a broken config
        Err(StoreError::Config { problems }) => (0, problems),
        Err(e) => return Err(e.into()),
    };
    if format == Format::Json {
        ctx.out.json(&serde_json::json!({
            "schema_version": 1,
            "checked": checked,
            "problems": problems,
        }))?;
    } else {
        for problem in &problems {
            ctx.out.line(&problem.to_string())?;
        }
        if problems.is_empty() {
            ctx.note(&format!("checked {checked} issue file(s): no problems"));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let files: std::collections::BTreeSet<_> = problems.iter().map(|p| &p.path).collect();
    let mut err = CommandError::new(
        ErrorKind::User,
        format!("{} problem(s) in {} file(s)", problems.len(), files.len()),
    );
    if format == Format::Json {
        err.problems = problems;
    }
    Err(err)
}
