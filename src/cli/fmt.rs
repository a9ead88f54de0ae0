//! `yit fmt`: rewrite issue files in canonical form, on request only.

use clap::Args;

use super::output::Paint;
use super::{CommandError, Ctx, ErrorKind, Format, resolve_all};

/// Rewrite issue files in canonical form (all issues without IDs)
///
/// Known fields are written in yit's order and style; keys yit does not
/// know are kept exactly as written. Your YAML comments are kept, each on a
/// line of its own before the field it was written at.
///
/// Examples:
///   yit fmt --check          exit 1 if any file would change
///   yit fmt 4k2f
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct FmtArgs {
    /// Ids or unique prefixes (default: every issue)
    ids: Vec<String>,
    /// Change nothing; exit 1 if any file is not in canonical form
    #[arg(long)]
    check: bool,
}

pub fn cmd_fmt(ctx: &mut Ctx, args: FmtArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "fmt",
        &[Format::Table, Format::Ids, Format::Json],
        Format::Table,
    )?;
    let tracker = ctx.open_tracker()?;
    let (listing, ids, broken) = if args.ids.is_empty() {
        let scan = super::session(ctx, &tracker).scan(ctx.scan_mode(false))?;
        let ids: Vec<_> = scan.issues.iter().map(|i| i.id.clone()).collect();
        for problem in &scan.problems {
            ctx.warn(&problem.to_string());
        }
        (scan.listing, ids, scan.broken_files)
    } else {
        let listing = super::session(ctx, &tracker).into_listing()?;
        let ids = resolve_all(&listing, &args.ids)?;
        (listing, ids, 0)
    };
    let changed = tracker.format_issues(&ids, ctx.lock_timeout, !args.check)?;
    match format {
        Format::Json => {
            let records: Vec<_> = changed
                .iter()
                .map(|id| serde_json::json!({ "id": id, "short_id": listing.short_id(id) }))
                .collect();
            let key = if args.check {
                "unformatted"
            } else {
                "formatted"
            };
            ctx.out.json(&super::output::envelope(
                serde_json::json!({ key: records }),
            ))?;
        }
        Format::Ids => {
            for id in &changed {
                ctx.out.line(id.as_str())?;
            }
        }
        _ => {
            let verb = if args.check {
                "unformatted"
            } else {
                "formatted"
            };
            for id in &changed {
                ctx.out.line(&format!(
                    "{verb:<11} {}",
                    ctx.out.paint(Paint::Id, listing.short_id(id))
                ))?;
            }
            if changed.is_empty() {
                ctx.note(&format!(
                    "{} issue file(s) already in canonical form",
                    ids.len()
                ));
            }
        }
    }
    if broken > 0 {
        return Err(CommandError::new(
            ErrorKind::Partial,
            format!("{broken} issue file(s) could not be read and were left as they are"),
        ));
    }
    if args.check && !changed.is_empty() {
        return Err(CommandError::user(format!(
            "{} issue file(s) are not in canonical form; run `yit fmt`",
            changed.len()
        )));
    }
    Ok(())
}
