//! `yit list`: the issues, filtered and sorted.

use clap::{Args, ValueEnum};
use yit::model::config::Config;
use yit::model::field::FieldError;
use yit::model::issue;
use yit::query::{self, AssigneeFilter, ListQuery, ListResult};
use yit::store::Scan;

use super::output::{Cell, Paint, Table};
use super::{CommandError, Ctx, Format};

/// List issues (open ones unless --all or --status says otherwise)
///
/// Examples:
///   yit list --label crash --label ui     issues with both labels
///   yit list --status closed --sort updated
///   yit list --assignee me --json
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ListArgs {
    /// A query (docs/query.md): `label:bug,crash -label:wontfix priority:<=1
    /// assignee:me updated:<7d has:assignee is:open "exact phrase" words`
    #[arg(value_name = "QUERY")]
    query: Vec<String>,
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
    #[arg(long, short = 'p', value_parser = yit::model::config::Config::parse_priority)]
    priority: Vec<u8>,
    /// Only issues of this type (repeatable: any of them)
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    kinds: Vec<String>,
    /// Include closed issues
    #[arg(long)]
    all: bool,
    /// Sort order; ties fall back to priority, then creation time (oldest
    /// first), then id
    #[arg(long, value_enum, default_value_t = SortKey::Priority)]
    sort: SortKey,
    /// Reverse the order
    #[arg(long)]
    reverse: bool,
    /// Show at most N issues
    #[arg(long, short = 'n', value_name = "N")]
    limit: Option<usize>,
    /// The issues as they were at a revision (commit, branch, tag), read
    /// from git without touching the worktree; works in bare repositories
    #[arg(long, value_name = "REV")]
    at: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SortKey {
    /// Highest priority first, then oldest, then id
    Priority,
    /// Newest first, then highest priority, then id
    Created,
    /// Most recently updated first, then highest priority, oldest, id
    Updated,
    /// By id
    Id,
}

impl From<SortKey> for query::SortKey {
    fn from(key: SortKey) -> query::SortKey {
        match key {
            SortKey::Priority => query::SortKey::Priority,
            SortKey::Created => query::SortKey::Created,
            SortKey::Updated => query::SortKey::Updated,
            SortKey::Id => query::SortKey::Id,
        }
    }
}

pub fn cmd_list(ctx: &mut Ctx, args: ListArgs) -> Result<(), CommandError> {
    cmd_list_in(ctx, None, args)
}

/// `yit list` with the tracker a command has already opened (`children`
/// resolved its id with it), or none yet.
pub(super) fn cmd_list_in(
    ctx: &mut Ctx,
    opened: Option<yit::store::Tracker>,
    args: ListArgs,
) -> Result<(), CommandError> {
    let accepted = [
        Format::Table,
        Format::Ids,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Markdown,
    ];
    let format = ctx.format("list", &accepted, Format::Table)?;
    let details = matches!(format, Format::Json | Format::Jsonl);
    if let Some(rev) = &args.at {
        // from git's objects: no worktree, index or daemon involved
        let at = yit::ops::read_at(&ctx.cwd, rev)?;
        let me = || -> Result<String, CommandError> {
            let repo = yit::git::Repo::discover(&ctx.cwd).map_err(yit::store::StoreError::from)?;
            Ok(repo.author().ok_or(yit::store::StoreError::NoIdentity)?)
        };
        // (a revision has no claims: they are not in its tree)
        let claims = Vec::new;
        let query = args.query(&at.config, &me, &claims, ctx.now, details)?;
        let result = run_over(&at.scan, &at.config, &query);
        return print_list(ctx, format, &at.config, result);
    }
    let tracker = match opened {
        Some(tracker) => tracker,
        None => ctx.open_tracker()?,
    };
    let me = || -> Result<String, CommandError> { Ok(tracker.author()?) };
    let claims = || tracker.claims_in_force(ctx.now);
    let query = args.query(tracker.config(), &me, &claims, ctx.now, details)?;
    let config = tracker.config();
    let mut answers = yit::ops::Answers::default();
    let result = super::session(ctx, &tracker).list(&query, ctx.scan_mode(false), &mut answers)?;
    let printed = print_list(ctx, format, config, result);
    super::exit_without_freeing(answers);
    printed
}

/// Answers `query` over a scan of the files (of the worktree or a revision).
pub(super) fn run_over<'a>(scan: &'a Scan, config: &Config, query: &ListQuery) -> ListResult<'a> {
    yit::ops::list_over(scan, config, query)
}

/// Prints a list's answer in `format`; the exit status tells of broken files.
pub(super) fn print_list(
    ctx: &mut Ctx,
    format: Format,
    config: &Config,
    result: ListResult<'_>,
) -> Result<(), CommandError> {
    let ListResult {
        records,
        problems,
        broken_files,
        ..
    } = result;
    match format {
        Format::Json => {
            ctx.out.json(&crate::front::request::ListAnswer {
                schema_version: super::output::SCHEMA_VERSION,
                records: &records,
                problems: None,
            })?;
        }
        Format::Jsonl => {
            for record in &records {
                ctx.out.json_line(record)?;
            }
        }
        Format::Ids => {
            for record in &records {
                ctx.out.line(&record.id)?;
            }
        }
        Format::Csv => write_rows_csv(ctx, &records)?,
        Format::Markdown => {
            ctx.out
                .line("| ID | PRI | STATUS | TYPE | ASSIGNEE | TITLE | LABELS |")?;
            ctx.out.line("|---|---|---|---|---|---|---|")?;
            for r in &records {
                let labels: Vec<&str> = r.labels.iter().collect();
                ctx.out.line(&format!(
                    "| {} | P{} | {} | {} | {} | {} | {} |",
                    r.short_id,
                    r.priority,
                    super::output::markdown_cell(&r.status),
                    super::output::markdown_cell(&r.kind),
                    super::output::markdown_cell(r.assignee.as_deref().unwrap_or("-")),
                    super::output::markdown_cell(&r.title),
                    super::output::markdown_cell(&labels.join(", ")),
                ))?;
            }
        }
        _ => {
            let table = Table::new(
                ["ID", "PRI", "STATUS", "TYPE", "ASSIGNEE", "TITLE", "LABELS"],
                5,
            )
            .optional(4)
            .optional(6)
            .shrinks(6, 12);
            if records.is_empty() {
                ctx.note("no issues match");
            } else {
                table.write(&mut ctx.out, &records, |record| {
                    let status_paint = if config.is_closed(&record.status) {
                        Paint::Closed
                    } else {
                        Paint::Dim
                    };
                    [
                        Cell::painted(&*record.short_id, Paint::Id),
                        Cell::new(PRIORITIES[usize::from(record.priority.min(4))])
                            .paint_if(record.priority <= 1, Paint::Urgent),
                        Cell::painted(&*record.status, status_paint),
                        Cell::new(&*record.kind),
                        Cell::new(record.assignee.as_deref().map_or("-", issue::person_short)),
                        // a merge's conflicts, not yet settled, before all else
                        if record.conflicted {
                            Cell::painted(format!("[conflict] {}", record.title), Paint::Warning)
                        } else {
                            Cell::new(&*record.title)
                        },
                        Cell::painted(record.labels.joined(), Paint::Label),
                    ]
                })?;
            }
        }
    }

    super::exit_without_freeing(records);
    super::partial(ctx, problems, broken_files, "listed")
}

impl ListArgs {
    /// The arguments of `yit list QUERY [--all] [--limit N]`.
    pub(super) fn of_query(query: Vec<String>, all: bool, limit: Option<usize>) -> ListArgs {
        ListArgs {
            query,
            status: Vec::new(),
            labels: Vec::new(),
            assignee: None,
            priority: Vec::new(),
            kinds: Vec::new(),
            all,
            sort: SortKey::Priority,
            reverse: false,
            limit,
            at: None,
        }
    }

    /// The same arguments with one more query term (`ready`, `children`).
    pub(super) fn and_term(mut self, term: String) -> ListArgs {
        self.query.push(term);
        self
    }

    /// The same arguments, closed issues included unless a status is named.
    pub(super) fn include_closed(mut self) -> ListArgs {
        self.all = true;
        self
    }

    /// The query these flags ask for, checked against the configuration.
    pub(super) fn query(
        &self,
        config: &Config,
        me: &dyn Fn() -> Result<String, CommandError>,
        claims: &dyn Fn() -> Vec<(String, String)>,
        now: jiff::Timestamp,
        details: bool,
    ) -> Result<ListQuery, CommandError> {
        // `--label a,b` means a or b, as `label:a,b` does in a query
        let (any_of, labels): (Vec<&String>, Vec<&String>) =
            self.labels.iter().partition(|l| l.contains(','));
        let labels: Vec<String> = labels.into_iter().cloned().collect();
        for group in &any_of {
            if group.split(',').any(|l| l.trim().is_empty()) {
                return Err(CommandError::user(format!(
                    "--label {group:?}: an empty label (`--label a,b` means a or b)"
                )));
            }
        }
        let terms: Vec<String> = self
            .query
            .iter()
            .cloned()
            .chain(
                any_of
                    .iter()
                    .map(|g| format!("label:{}", g.replace(' ', ""))),
            )
            .collect();
        let filter = if terms.is_empty() {
            None
        } else {
            let text = terms.join(" ");
            let me_email = || me().ok().map(|m| issue::identity_of(&m));
            let cx = yit::query::filter::Context {
                me: &me_email,
                now,
                config,
                claims,
            };
            let filter = yit::query::filter::Filter::parse(&text, &cx).map_err(|e| {
                CommandError::user(format!("{e}\n  {text}\n  {}^", " ".repeat(e.column - 1)))
            })?;
            Some(filter)
        };
        let statuses = any_of_named(&self.status, &|s| config.status_named(s))?;
        let kinds = any_of_named(&self.kinds, &|k| config.type_named(k))?;
        let assignee = match self.assignee.as_deref() {
            None => None,
            Some("none") => Some(AssigneeFilter::Nobody),
            Some("me") => Some(AssigneeFilter::Person(issue::identity_of(&me()?))),
            // an email, `Name <email>`, or the name a table shows
            Some(person) => match issue::person_email(person) {
                Some(email) => Some(AssigneeFilter::Person(email.to_owned())),
                None if !person.trim().is_empty() && !person.contains(['<', '>']) => {
                    Some(AssigneeFilter::Person(person.trim().to_owned()))
                }
                None => {
                    return Err(CommandError::user(format!(
                        "--assignee {person:?}: expected me, none, a name, an email or `Name <email>`"
                    )));
                }
            },
        };
        Ok(ListQuery {
            statuses,
            labels,
            assignee,
            priorities: self.priority.clone(),
            kinds,
            all: self.all,
            sort: self.sort.into(),
            reverse: self.reverse,
            limit: self.limit,
            details,
            filter,
            count: false,
        })
    }
}

/// The values of a repeatable flag that also takes commas (`--status
/// open,closed`), each resolved to the config's spelling by `named`.
fn any_of_named(
    given: &[String],
    named: &dyn Fn(&str) -> Result<String, FieldError>,
) -> Result<Vec<String>, CommandError> {
    given
        .iter()
        .flat_map(|v| v.split(','))
        .map(|v| Ok(named(v.trim())?))
        .collect()
}

/// The priority column (priorities are 0 to 4).
const PRIORITIES: [&str; 5] = ["P0", "P1", "P2", "P3", "P4"];

/// The rows of `list --format csv`: a list's columns, full ids.
fn write_rows_csv(
    ctx: &mut Ctx,
    records: &[yit::model::record::Record],
) -> Result<(), CommandError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| CommandError::new(super::ErrorKind::Internal, e.to_string());
    out.write_record([
        "id", "short_id", "priority", "status", "type", "assignee", "title", "labels",
    ])
    .map_err(internal)?;
    for r in records {
        let labels: Vec<&str> = r.labels.iter().collect();
        out.write_record([
            &*r.id,
            &*r.short_id,
            &r.priority.to_string(),
            &*r.status,
            &*r.kind,
            r.assignee.as_deref().unwrap_or_default(),
            &*r.title,
            &labels.join(","),
        ])
        .map_err(internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| internal(e.into_error().into()))?;
    ctx.out.bytes(&bytes)?;
    Ok(())
}
