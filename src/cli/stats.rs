//! `yit stats`: counts by status, type, label and assignee; opened and
//! closed per week.

use clap::Args;
use yit::query::stats::Stats;

use super::list::ListArgs;
use super::{CommandError, Ctx, Format};

/// Counts by status, type, label and assignee, and issues opened and closed per week
///
/// Every issue counts, closed ones included, unless QUERY (docs/query.md)
/// chooses. A closed issue counts as closed in the week of its last update.
///
/// Examples:
///   yit stats
///   yit stats label:bug --weeks 12
///   yit stats --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct StatsArgs {
    /// Query terms that choose the issues
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
    /// Weeks to show, ending with the current one
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=520))]
    weeks: u16,
}

pub fn cmd_stats(ctx: &mut Ctx, args: StatsArgs) -> Result<(), CommandError> {
    let format = ctx.format("stats", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let claims = || tracker.claims_in_force(ctx.now);
    let query =
        ListArgs::of_query(args.query, true, None).query(config, &me, &claims, ctx.now, false)?;
    let scan = super::session(ctx, &tracker)
        .scan(ctx.scan_mode(query.filter.as_ref().is_some_and(|f| f.needs_details())))?;
    let chosen: Vec<&yit::model::issue::Issue> = scan
        .issues
        .iter()
        .map(|i| &**i)
        .filter(|i| query.matches(i, config, &|id| scan.find(id)))
        .collect();
    let stats = Stats::of(&chosen, config, ctx.now, args.weeks);
    if format == Format::Json {
        let pairs = |v: &[(String, usize)]| -> serde_json::Map<String, serde_json::Value> {
            v.iter()
                .map(|(k, n)| (k.clone(), serde_json::json!(n)))
                .collect()
        };
        let weeks: Vec<serde_json::Value> = stats
            .weeks
            .iter()
            .map(|(w, opened, closed)| {
                serde_json::json!({ "week": w.to_string(), "opened": opened, "closed": closed })
            })
            .collect();
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "total": stats.total,
            "open": stats.open,
            "closed": stats.closed(),
            "by_status": pairs(&stats.by_status),
            "by_type": pairs(&stats.by_type),
            "by_label": pairs(&stats.by_label),
            "by_assignee": pairs(&stats.by_assignee),
            "weeks": weeks,
        })))?;
    } else {
        ctx.out.line(&format!(
            "{} issues: {} not closed, {} closed",
            stats.total,
            stats.open,
            stats.closed()
        ))?;
        for (title, rows) in [
            ("STATUS", &stats.by_status),
            ("TYPE", &stats.by_type),
            ("LABEL", &stats.by_label),
            ("ASSIGNEE", &stats.by_assignee),
        ] {
            if rows.is_empty() {
                continue;
            }
            ctx.out.line("")?;
            let width = rows
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0)
                .max(title.len());
            ctx.out.line(&format!("{title:<width$}  COUNT"))?;
            for (k, n) in rows {
                ctx.out.line(&format!("{k:<width$}  {n:>5}"))?;
            }
        }
        ctx.out.line("")?;
        ctx.out.line("WEEK OF     OPENED  CLOSED")?;
        for (w, opened, closed) in &stats.weeks {
            ctx.out.line(&format!("{w}  {opened:>6}  {closed:>6}"))?;
        }
    }
    let (problems, broken) = (scan.problems.clone(), scan.broken_files);
    super::exit_without_freeing(scan);
    super::partial(ctx, problems, broken, "counted")
}
