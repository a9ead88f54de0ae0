//! `yit doctor`: check config.yaml and every issue file.

use clap::Args;
use yit::problem::Problem;
use yit::store::{StoreError, Tracker};

use super::{CommandError, Ctx, ErrorKind, Format};

/// Check config.yaml and every issue file; print each problem as path:line:col: message
#[derive(Args)]
pub struct DoctorArgs {}

pub fn cmd_doctor(ctx: &mut Ctx, _args: DoctorArgs) -> Result<(), CommandError> {
    let format = ctx.format("doctor", &[Format::Table, Format::Json], Format::Table)?;
    let (checked, problems) = match Tracker::open(&ctx.cwd) {
        Ok(tracker) => {
            // (details: the conflicts recorded by merges)
            let scan = tracker.scan(ctx.scan_mode(true))?;
            let mut problems = scan.problems;
            problems.extend(
                scan.issues
                    .iter()
                    .flat_map(|i| conflict_problems(&tracker, i)),
            );
            problems.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
            (
                scan.listing.ids.len() + scan.listing.misnamed.len(),
                problems,
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

/// A problem for each merge conflict an issue records, at its `conflicts:`
/// key.
fn conflict_problems(tracker: &Tracker, issue: &yit::issue::Issue) -> Vec<Problem> {
    if issue.conflicts.is_empty() {
        return Vec::new();
    }
    let shown = std::path::Path::new(yit::store::ISSUES_DIR).join(issue.id.file_name());
    let line = tracker
        .read_issue_bytes(&issue.id)
        .ok()
        .flatten()
        .and_then(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .position(|l| l.starts_with("conflicts:"))
        })
        .map(|n| n as u64 + 1);
    issue
        .conflicts
        .iter()
        .map(|c| Problem {
            path: shown.clone(),
            line,
            column: line.map(|_| 1),
            message: format!(
                "unresolved merge conflict on {} (ours {}, theirs {}); settle with `yit resolve {} --take ours|theirs|FIELD=VALUE`",
                c["field"].as_str().unwrap_or_default(),
                c["ours"],
                c["theirs"],
                issue.id
            ),
        })
        .collect()
}
