//! `yit stats`: counts by status, type, label and assignee; opened and
//! closed per week.

use std::collections::BTreeMap;

use clap::Args;
use jiff::{Timestamp, ToSpan, tz::TimeZone};

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

/// Monday 00:00 UTC of the week `t` falls in, as a date.
fn week_of(t: Timestamp) -> jiff::civil::Date {
    let date = TimeZone::UTC.to_datetime(t).date();
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(back.days()).unwrap_or(date)
}

pub fn cmd_stats(ctx: &mut Ctx, args: StatsArgs) -> Result<(), CommandError> {
    let format = ctx.format("stats", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let config = tracker.config();
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let query = ListArgs::of_query(args.query, true, None).query(config, &me, ctx.now, false)?;
    let scan =
        tracker.scan(ctx.scan_mode(query.filter.as_ref().is_some_and(|f| f.needs_details())))?;
    let chosen: Vec<&yit::model::issue::Issue> = scan
        .issues
        .iter()
        .map(|i| &**i)
        .filter(|i| query.matches(i, config, &|id| scan.find(id)))
        .collect();
    let count = |key: &dyn Fn(&yit::model::issue::Issue) -> Vec<String>| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for issue in &chosen {
            for k in key(issue) {
                *counts.entry(k).or_default() += 1;
            }
        }
        counts
    };
    // statuses and types in config order, the rest by count
    let by_status = count(&|i| vec![i.status.clone()]);
    let by_type = count(&|i| vec![i.kind.clone()]);
    let by_label = count(&|i| i.labels.clone());
    // one person however written: counted by email, shown in the fullest
    // form seen (`Name <email>` over a bare email)
    let mut shown_as: BTreeMap<String, String> = BTreeMap::new();
    for person in chosen.iter().filter_map(|i| i.assignee.as_deref()) {
        let form = shown_as
            .entry(yit::model::issue::person_key(person))
            .or_insert_with(|| person.trim().to_owned());
        if person.contains('<') && (!form.contains('<') || person.trim() < form.as_str()) {
            *form = person.trim().to_owned();
        }
    }
    let by_assignee = count(&|i| {
        vec![match i.assignee.as_deref() {
            Some(person) => shown_as[&yit::model::issue::person_key(person)].clone(),
            None => "(nobody)".to_owned(),
        }]
    });
    let statuses: Vec<(String, usize)> = config
        .statuses
        .iter()
        .map(|s| (s.name.clone(), by_status.get(&s.name).copied().unwrap_or(0)))
        .collect();
    let types: Vec<(String, usize)> = config
        .types
        .iter()
        .map(|t| (t.clone(), by_type.get(t).copied().unwrap_or(0)))
        .chain(
            by_type
                .iter()
                .filter(|(t, _)| !config.types.contains(t))
                .map(|(t, n)| (t.clone(), *n)),
        )
        .collect();
    let ranked = |m: BTreeMap<String, usize>| {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    let (labels, assignees) = (ranked(by_label), ranked(by_assignee));
    let this_week = week_of(ctx.now);
    let weeks: Vec<jiff::civil::Date> = (0..i64::from(args.weeks))
        .rev()
        .filter_map(|n| this_week.checked_sub((n * 7).days()).ok())
        .collect();
    let mut per_week: BTreeMap<jiff::civil::Date, (usize, usize)> =
        weeks.iter().map(|w| (*w, (0, 0))).collect();
    for issue in &chosen {
        if let Some(w) = per_week.get_mut(&week_of(issue.created)) {
            w.0 += 1;
        }
        if config.is_closed(&issue.status)
            && let Some(w) = per_week.get_mut(&week_of(issue.updated))
        {
            w.1 += 1;
        }
    }
    let open = chosen
        .iter()
        .filter(|i| !config.is_closed(&i.status))
        .count();
    if format == Format::Json {
        let pairs = |v: &[(String, usize)]| -> serde_json::Map<String, serde_json::Value> {
            v.iter()
                .map(|(k, n)| (k.clone(), serde_json::json!(n)))
                .collect()
        };
        let weeks: Vec<serde_json::Value> = per_week
            .iter()
            .map(|(w, (opened, closed))| {
                serde_json::json!({ "week": w.to_string(), "opened": opened, "closed": closed })
            })
            .collect();
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "total": chosen.len(),
            "open": open,
            "closed": chosen.len() - open,
            "by_status": pairs(&statuses),
            "by_type": pairs(&types),
            "by_label": pairs(&labels),
            "by_assignee": pairs(&assignees),
            "weeks": weeks,
        })))?;
    } else {
        ctx.out.line(&format!(
            "{} issues: {open} not closed, {} closed",
            chosen.len(),
            chosen.len() - open
        ))?;
        for (title, rows) in [
            ("STATUS", &statuses),
            ("TYPE", &types),
            ("LABEL", &labels),
            ("ASSIGNEE", &assignees),
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
        for (w, (opened, closed)) in &per_week {
            ctx.out.line(&format!("{w}  {opened:>6}  {closed:>6}"))?;
        }
    }
    let (problems, broken) = (scan.problems.clone(), scan.broken_files);
    super::exit_without_freeing(scan);
    super::partial(ctx, problems, broken, "counted")
}
