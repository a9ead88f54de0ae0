//! `yit list`: the issues, filtered and sorted.

use std::cmp::Ordering;

use clap::{Args, ValueEnum};
use yit::issue::{self, Issue};
use yit::store::{Scan, Tracker};

use super::output::{Cell, Paint, Table, issue_json};
use super::{CommandError, Ctx, ErrorKind, Format};

/// List issues (open ones unless --all or --status says otherwise)
///
/// Examples:
///   yit list --label crash --label ui     issues with both labels
///   yit list --status closed --sort updated
///   yit list --assignee me --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// Only issues with this status (repeatable: any of them)
    #[arg(long, short = 's')]
    status: Vec<String>,
    /// Only issues with this label (repeatable: all of them)
    #[arg(long = "label", short = 'l', value_name = "LABEL")]
    labels: Vec<String>,
    /// Only issues assigned to PERSON: `me`, `none`, an email or `Name <email>`
    #[arg(long, short = 'a', value_name = "PERSON")]
    assignee: Option<String>,
    /// Only issues with this priority (repeatable: any of them)
    #[arg(long, short = 'p', value_parser = clap::value_parser!(u8).range(0..=4))]
    priority: Vec<u8>,
    /// Only issues of this type (repeatable: any of them)
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    kinds: Vec<String>,
    /// Include closed issues
    #[arg(long)]
    all: bool,
    /// Sort order; ties fall back to priority, creation time, then id
    #[arg(long, value_enum, default_value_t = SortKey::Priority)]
    sort: SortKey,
    /// Reverse the order
    #[arg(long)]
    reverse: bool,
    /// Show at most N issues
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SortKey {
    /// Highest priority first, then oldest, then id
    Priority,
    /// Newest first
    Created,
    /// Most recently updated first
    Updated,
    /// By id
    Id,
}

enum AssigneeFilter {
    Email(String),
    Nobody,
}

pub fn cmd_list(ctx: &mut Ctx, args: ListArgs) -> Result<(), CommandError> {
    let accepted = [Format::Table, Format::Ids, Format::Json, Format::Jsonl];
    let format = ctx.format("list", &accepted, Format::Table)?;
    let tracker = Tracker::open(&ctx.cwd)?;
    let config = tracker.config();
    for status in &args.status {
        if config.status(status).is_none() {
            return Err(CommandError::user(format!(
                "unknown status {status:?} (config.yaml defines {})",
                config.status_names()
            )));
        }
    }
    for kind in &args.kinds {
        if !config.types.contains(kind) {
            return Err(CommandError::user(format!(
                "unknown type {kind:?} (config.yaml defines {})",
                config.types.join(", ")
            )));
        }
    }
    let assignee = match args.assignee.as_deref() {
        None => None,
        Some("none") => Some(AssigneeFilter::Nobody),
        Some("me") => {
            let me = tracker.author()?;
            let email = issue::person_email(&me).unwrap_or(&me).to_owned();
            Some(AssigneeFilter::Email(email))
        }
        Some(person) => match issue::person_email(person) {
            Some(email) => Some(AssigneeFilter::Email(email.to_owned())),
            None => {
                return Err(CommandError::user(format!(
                    "--assignee {person:?}: expected me, none, an email or `Name <email>`"
                )));
            }
        },
    };

    let Scan {
        listing,
        issues,
        problems,
        broken_files,
    } = tracker.scan(ctx.scan_mode(matches!(format, Format::Json | Format::Jsonl)))?;
    let mut shown: Vec<&Issue> = issues
        .iter()
        .filter(|i| {
            if args.status.is_empty() {
                args.all || !config.is_closed(&i.status)
            } else {
                args.status.contains(&i.status)
            }
        })
        .filter(|i| args.labels.iter().all(|l| i.labels.contains(l)))
        .filter(|i| args.priority.is_empty() || args.priority.contains(&i.priority))
        .filter(|i| args.kinds.is_empty() || args.kinds.contains(&i.kind))
        .filter(|i| match &assignee {
            None => true,
            Some(AssigneeFilter::Nobody) => i.assignee.is_none(),
            Some(AssigneeFilter::Email(email)) => i.is_assigned_to(email),
        })
        .collect();
    shown.sort_by(|a, b| compare(args.sort, a, b));
    if args.reverse {
        shown.reverse();
    }
    if let Some(limit) = args.limit {
        shown.truncate(limit);
    }

    match format {
        Format::Json => {
            let records: Vec<_> = shown.iter().map(|i| issue_json(i, &listing)).collect();
            ctx.out
                .json(&serde_json::json!({ "schema_version": 1, "issues": records }))?;
        }
        Format::Jsonl => {
            for issue in &shown {
                ctx.out.line(&issue_json(issue, &listing).to_string())?;
            }
        }
        Format::Ids => {
            for issue in &shown {
                ctx.out.line(issue.id.as_str())?;
            }
        }
        _ => {
            let mut table = Table::new(
                vec!["ID", "PRI", "STATUS", "TYPE", "ASSIGNEE", "TITLE", "LABELS"],
                5,
            )
            .optional(4)
            .optional(6);
            for issue in &shown {
                let pri = format!("P{}", issue.priority);
                let status_paint = if config.is_closed(&issue.status) {
                    Paint::Closed
                } else {
                    Paint::Dim
                };
                table.push(vec![
                    Cell::painted(listing.short_id(&issue.id), Paint::Id),
                    if issue.priority <= 1 {
                        Cell::painted(pri, Paint::Urgent)
                    } else {
                        Cell::plain(pri)
                    },
                    Cell::painted(issue.status.clone(), status_paint),
                    Cell::plain(issue.kind.clone()),
                    Cell::plain(issue.assignee.as_deref().map(person_short).unwrap_or("-")),
                    Cell::plain(issue.title.clone()),
                    Cell::painted(issue.labels.join(","), Paint::Label),
                ]);
            }
            if shown.is_empty() {
                ctx.note("no issues match");
            } else {
                let text = table.render(&ctx.out);
                ctx.out.write_str(&text)?;
            }
        }
    }

    if broken_files == 0 {
        return Ok(());
    }
    let mut warned = std::collections::HashSet::new();
    for problem in &problems {
        // one warning per broken file: its first problem
        if warned.insert(problem.path.clone()) {
            ctx.warn(&problem.to_string());
        }
    }
    let mut err = CommandError::new(
        ErrorKind::Partial,
        format!("{broken_files} issue file(s) could not be read; the other issues were listed"),
    );
    err.problems = problems;
    Err(err.hint("`yit doctor` lists every problem"))
}

/// The name part of `Name <email>`, or the email when there is no name.
fn person_short(person: &str) -> &str {
    match person.split_once('<') {
        Some((name, _)) if !name.trim().is_empty() => name.trim(),
        _ => issue::person_email(person).unwrap_or(person),
    }
}

fn compare(key: SortKey, a: &Issue, b: &Issue) -> Ordering {
    let default = || {
        a.priority
            .cmp(&b.priority)
            .then(a.created.cmp(&b.created))
            .then_with(|| a.id.cmp(&b.id))
    };
    match key {
        SortKey::Priority => default(),
        SortKey::Created => b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)),
        SortKey::Updated => b.updated.cmp(&a.updated).then_with(default),
        SortKey::Id => a.id.cmp(&b.id),
    }
}
