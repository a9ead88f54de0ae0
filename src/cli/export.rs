//! `yit export`: every issue (or a query's) as json, jsonl, csv or markdown.

use clap::Args;
use yit::model::record::Record;
use yit::query::SortKey;

use super::list::{self, ListArgs};
use super::{CommandError, Ctx, ErrorKind, Format};

/// Export issues, closed ones included, in id order
///
/// `--format json` (the default) and `jsonl` carry every field, and `yit
/// import` reads them back: export, import into an empty tracker, export
/// again gives the same bytes. `csv` has a row per issue (labels and
/// dependencies joined by commas, the number of comments); `markdown` a
/// section per issue with its body and comments.
///
/// With --to beads|backlog, every issue is written in that tracker's
/// format instead: beads' JSONL (PATH: the file, by default
/// .beads/issues.jsonl) or Backlog.md's task files (PATH: the folder, by
/// default backlog/). Issues imported from that tracker keep their ids and,
/// where nothing changed here, its exact values; whatever it cannot hold
/// is named in a warning.
///
/// Examples:
///   yit export > issues.json
///   yit export --to beads
///   yit export --to backlog /tmp/backlog
///   yit export label:bug --format csv > bugs.csv
///   yit export is:open --format markdown > OPEN.md
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// Query terms that choose the issues (docs/query.md); with --to, the
    /// PATH to write
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// Write every issue for another tracker: beads or backlog (Backlog.md)
    #[arg(long, value_name = "TOOL")]
    to: Option<String>,
}

pub fn cmd_export(ctx: &mut Ctx, args: ExportArgs) -> Result<(), CommandError> {
    if let Some(tool) = &args.to {
        return export_to(ctx, tool, &args.query);
    }
    let format = ctx.format(
        "export",
        &[Format::Json, Format::Jsonl, Format::Csv, Format::Markdown],
        Format::Json,
    )?;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let claims = || tracker.claims_in_force(ctx.now);
    let mut query =
        ListArgs::of_query(args.query, true, None).query(config, &me, &claims, ctx.now, true)?;
    query.sort = SortKey::Id;
    let scan = super::session(ctx, &tracker).scan(ctx.scan_mode(true))?;
    let result = list::run_over(&scan, config, &query);
    if result.broken_files > 0 {
        // an export that silently misses issues would lose them on import
        let mut err = CommandError::new(
            ErrorKind::Partial,
            format!(
                "{} issue file(s) could not be read; nothing was exported",
                result.broken_files
            ),
        );
        err.problems = result.problems;
        return Err(err.hint("`yit doctor` lists every problem"));
    }
    let records = &result.records;
    match format {
        Format::Jsonl => {
            for record in records {
                ctx.out.json_line(record)?;
            }
        }
        Format::Csv => write_csv(ctx, records)?,
        Format::Markdown => write_markdown(ctx, records)?,
        _ => ctx.out.json(&super::output::envelope(serde_json::json!({
            "issues": records,
        })))?,
    }
    Ok(())
}

const CSV_HEADER: [&str; 14] = [
    "id",
    "title",
    "status",
    "priority",
    "type",
    "labels",
    "assignee",
    "author",
    "created",
    "updated",
    "parent",
    "depends_on",
    "comments",
    "body",
];

fn write_csv(ctx: &mut Ctx, records: &[Record]) -> Result<(), CommandError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| CommandError::new(ErrorKind::Internal, e.to_string());
    out.write_record(CSV_HEADER).map_err(internal)?;
    for r in records {
        let d = r.details.as_deref().cloned().unwrap_or_default();
        let labels: Vec<&str> = r.labels.iter().collect();
        let deps: Vec<&str> = d.depends_on.iter().map(|s| &**s).collect();
        out.write_record([
            &*r.id,
            &*r.title,
            &*r.status,
            &r.priority.to_string(),
            &*r.kind,
            &labels.join(","),
            r.assignee.as_deref().unwrap_or_default(),
            d.author.as_deref().unwrap_or_default(),
            &d.created,
            &d.updated,
            d.parent.as_deref().unwrap_or_default(),
            &deps.join(","),
            &d.comments.len().to_string(),
            &d.body,
        ])
        .map_err(internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| internal(e.into_error().into()))?;
    ctx.out.write_str(&String::from_utf8_lossy(&bytes))?;
    Ok(())
}

fn write_markdown(ctx: &mut Ctx, records: &[Record]) -> Result<(), CommandError> {
    ctx.out.line("# Issues")?;
    for r in records {
        let d = r.details.as_deref().cloned().unwrap_or_default();
        let labels: Vec<&str> = r.labels.iter().collect();
        ctx.out.line("")?;
        ctx.out.line(&format!(
            "## {}: {}",
            r.short_id,
            super::output::markdown_cell(&r.title)
        ))?;
        ctx.out.line("")?;
        ctx.out
            .line("| id | status | priority | type | labels | assignee | created | updated |")?;
        ctx.out.line("|---|---|---|---|---|---|---|---|")?;
        ctx.out.line(&format!(
            "| {} | {} | P{} | {} | {} | {} | {} | {} |",
            r.id,
            super::output::markdown_cell(&r.status),
            r.priority,
            super::output::markdown_cell(&r.kind),
            super::output::markdown_cell(&labels.join(", ")),
            super::output::markdown_cell(r.assignee.as_deref().unwrap_or("-")),
            d.created,
            d.updated
        ))?;
        if !d.depends_on.is_empty() || d.parent.is_some() {
            ctx.out.line("")?;
            if let Some(p) = &d.parent {
                ctx.out.line(&format!("Parent: {p}"))?;
            }
            if !d.depends_on.is_empty() {
                let deps: Vec<&str> = d.depends_on.iter().map(|s| &**s).collect();
                ctx.out.line(&format!("Waits for: {}", deps.join(", ")))?;
            }
        }
        if !d.body.trim().is_empty() {
            ctx.out.line("")?;
            ctx.out.line(d.body.trim_end())?;
        }
        if !d.comments.is_empty() {
            ctx.out.line("")?;
            ctx.out.line("### Comments")?;
            for c in &d.comments {
                ctx.out.line("")?;
                ctx.out.line(&format!(
                    "**{}** ({}):",
                    super::output::markdown_cell(c.author.as_deref().unwrap_or("unknown")),
                    c.created
                ))?;
                ctx.out.line("")?;
                ctx.out.line(c.body.trim_end())?;
            }
        }
    }
    Ok(())
}

/// `yit export --to TOOL [PATH]`.
fn export_to(ctx: &mut Ctx, tool: &str, rest: &[String]) -> Result<(), CommandError> {
    use yit::model::migrate::Tool;
    let tool = Tool::named(tool).filter(|t| t.exports()).ok_or_else(|| {
        CommandError::usage(format!(
            "--to {tool:?}: yit exports to beads or backlog (Backlog.md)"
        ))
    })?;
    let format = ctx.format("export --to", &[Format::Table, Format::Json], Format::Table)?;
    if rest.len() > 1 {
        return Err(CommandError::usage(
            "export --to writes every issue: give one PATH and no query",
        ));
    }
    let tracker = ctx.open_tracker()?;
    let path = match rest.first() {
        Some(p) => std::path::PathBuf::from(p),
        None => tracker.default_source(tool),
    };
    let done = tracker.migrate_out(tool, &path, ctx.scan_mode(true))?;
    for (id, what) in &done.report {
        ctx.warn(&format!("{id}: {what}"));
    }
    if format == Format::Json {
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "tool": tool.name(),
            "path": done.path,
            "issues": done.issues,
            "files": done.files,
            "report": done.report.iter().map(|(id, what)| {
                serde_json::json!({ "id": id, "what": what })
            }).collect::<Vec<_>>(),
        })))?;
    } else {
        ctx.out.line(&format!(
            "exported {} issue(s) to {} ({}, {} file(s)){}",
            done.issues,
            done.path.display(),
            tool.name(),
            done.files.len(),
            match done.report.len() {
                0 => String::new(),
                n => format!("; {n} thing(s) it cannot hold are named above"),
            }
        ))?;
    }
    Ok(())
}
