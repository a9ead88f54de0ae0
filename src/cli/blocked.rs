//! `yit blocked`: what waits, and for what.

use clap::Args;
use yit::model::record::Record;

use super::list::{self, ListArgs};
use super::output::{Cell, Paint, Table};
use super::{CommandError, Ctx, Format};

/// The issues waiting for an open issue, each with what it waits for
///
/// Takes every flag and query of `yit list` to choose the waiting issues
/// (they are `yit list is:blocked`). `yit dep tree ID` draws one issue's
/// dependencies both ways.
///
/// Examples:
///   yit blocked
///   yit blocked assignee:me --json
///   yit blocked --format ids           one waiting issue's id a line
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct BlockedArgs {
    #[command(flatten)]
    list: ListArgs,
}

pub fn cmd_blocked(ctx: &mut Ctx, args: BlockedArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "blocked",
        &[
            Format::Table,
            Format::Json,
            Format::Ids,
            Format::Jsonl,
            Format::Csv,
            Format::Markdown,
        ],
        Format::Table,
    )?;
    if !matches!(format, Format::Table | Format::Json) {
        // a line or row per waiting issue, as `yit list is:blocked` prints
        return list::cmd_list(ctx, args.list.and_term("is:blocked".to_owned()));
    }
    let json = format == Format::Json;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let claims = || tracker.claims_in_force(ctx.now);
    let args = args.list.and_term("is:blocked".to_owned());
    let query = args.query(config, &me, &claims, ctx.now, json)?;
    let scan = super::session(ctx, &tracker)
        .scan(ctx.scan_mode(json || query.filter.as_ref().is_some_and(|f| f.needs_details())))?;
    let result = list::run_over(&scan, config, &query);
    // each waiting issue with the open issues it waits for, or the parent
    // whose blockers hold it back
    let rows = yit::ops::json::waiting(&scan, config, &result.records, json);
    if json {
        ctx.out
            .json(&super::output::envelope(yit::ops::json::blocked(&rows)))?;
    } else if rows.is_empty() {
        ctx.note("nothing is blocked");
    } else {
        // one table: the waiting issue, then, indented under it, what it
        // waits for ("4k2f Ship it / waits for q8zn Fix the build")
        let lines: Vec<(&str, &Record)> = rows
            .iter()
            .flat_map(|w| {
                std::iter::once(("", w.issue))
                    .chain(w.waits_for.iter().map(|b| ("waits for", b)))
                    .chain(w.parent.iter().map(|p| ("under", p)))
            })
            .collect();
        let table = Table::new(["ID", "STATUS", "TITLE"], 2);
        table.write(&mut ctx.out, &lines, |(how, record)| {
            let (id, title) = match *how {
                "" => (
                    Cell::painted(&*record.short_id, Paint::Id),
                    record.title.to_string(),
                ),
                "under" => (
                    Cell::new(format!("  under {}", record.short_id)),
                    format!("{} (a parent that waits)", record.title),
                ),
                how => (
                    Cell::new(format!("  {how} {}", record.short_id)),
                    record.title.to_string(),
                ),
            };
            [
                id,
                Cell::painted(&*record.status, Paint::Dim),
                Cell::new(title),
            ]
        })?;
    }
    super::partial(ctx, result.problems.clone(), result.broken_files, "shown")
}
