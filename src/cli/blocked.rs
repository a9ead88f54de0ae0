//! `yit blocked`: what waits, and for what.

use clap::Args;
use yit::model::record::Record;
use yit::store::Scan;

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
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct BlockedArgs {
    #[command(flatten)]
    list: ListArgs,
}

pub fn cmd_blocked(ctx: &mut Ctx, args: BlockedArgs) -> Result<(), CommandError> {
    let format = ctx.format("blocked", &[Format::Table, Format::Json], Format::Table)?;
    let json = format == Format::Json;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let args = args.list.and_term("is:blocked".to_owned());
    let query = args.query(config, &me, ctx.now, json)?;
    let scan = tracker
        .scan(ctx.scan_mode(json || query.filter.as_ref().is_some_and(|f| f.needs_details())))?;
    let result = list::run_over(&scan, config, &query);
    // each waiting issue with the open issues it waits for, or the parent
    // whose blockers hold it back
    fn record_of<'s>(scan: &'s Scan, i: &'s yit::model::issue::Issue, json: bool) -> Record<'s> {
        Record::of(i, scan.listing.short_id(&i.id), json)
    }
    let lookup = |id: &yit::model::id::IssueId| scan.find(id);
    let rows: Vec<(&Record, Vec<Record>, Option<Record>)> = result
        .records
        .iter()
        .map(|record| {
            let id = yit::model::id::IssueId::parse_canonical(&record.id).expect("a listed id");
            let issue = scan.find(&id).expect("a listed issue");
            let waits = yit::query::filter::waits_for(issue, config, &lookup);
            let blockers = waits.on.iter().map(|b| record_of(&scan, b, json)).collect();
            let parent = waits.parent.map(|p| record_of(&scan, p, json));
            (record, blockers, parent)
        })
        .collect();
    if json {
        let blocked: Vec<_> = rows
            .iter()
            .map(|(issue, blockers, parent)| {
                serde_json::json!({ "issue": issue, "waits_for": blockers, "parent_waits": parent })
            })
            .collect();
        ctx.out.json(&super::output::envelope(
            serde_json::json!({ "blocked": blocked }),
        ))?;
    } else if rows.is_empty() {
        ctx.note("nothing is blocked");
    } else {
        // one table: the waiting issue, then, indented under it, what it
        // waits for ("4k2f Ship it / waits for q8zn Fix the build")
        let lines: Vec<(&str, &Record)> = rows
            .iter()
            .flat_map(|(issue, blockers, parent)| {
                std::iter::once(("", *issue))
                    .chain(blockers.iter().map(|b| ("waits for", b)))
                    .chain(parent.iter().map(|p| ("under", p)))
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
