//! `yit blocked`: what waits, and for what.

use clap::Args;
use yit::record::Record;

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
    // each waiting issue with the open issues it waits for
    let rows: Vec<(&Record, Vec<Record>)> = result
        .records
        .iter()
        .map(|record| {
            let waits = scan
                .find(&yit::id::IssueId::parse_canonical(&record.id).expect("a listed id"))
                .map(|i| i.depends_on.as_slice())
                .unwrap_or_default();
            let blockers = waits
                .iter()
                .filter(|d| scan.is_open(d, config))
                .filter_map(|d| scan.find(d))
                .map(|b| Record::of(b, scan.listing.short_id(&b.id), json))
                .collect();
            (record, blockers)
        })
        .collect();
    if json {
        let blocked: Vec<_> = rows
            .iter()
            .map(|(issue, blockers)| serde_json::json!({ "issue": issue, "waits_for": blockers }))
            .collect();
        ctx.out
            .json(&serde_json::json!({ "schema_version": 1, "blocked": blocked }))?;
    } else if rows.is_empty() {
        ctx.note("nothing is blocked");
    } else {
        // one table: the waiting issue, then what it waits for, indented
        let lines: Vec<(bool, &Record)> = rows
            .iter()
            .flat_map(|(issue, blockers)| {
                std::iter::once((false, *issue)).chain(blockers.iter().map(|b| (true, b)))
            })
            .collect();
        let table = Table::new(["ID", "", "STATUS", "TITLE"], 3);
        table.write(&mut ctx.out, &lines, |(blocker, record)| {
            let id = if *blocker {
                format!("  ↳ {}", record.short_id)
            } else {
                record.short_id.to_string()
            };
            [
                Cell::painted(id, Paint::Id),
                Cell::new(if *blocker { "waits for" } else { "" }),
                Cell::painted(&*record.status, Paint::Dim),
                Cell::new(&*record.title),
            ]
        })?;
    }
    if result.broken_files > 0 {
        ctx.warn(&format!(
            "{} issue file(s) could not be read; `yit doctor` lists every problem",
            result.broken_files
        ));
    }
    Ok(())
}
