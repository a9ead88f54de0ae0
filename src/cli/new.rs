//! `yit new`: create an issue.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use yit::ops::Created;
use yit::store::plan::PlanCreated;
use yit::store::{Draft, Tracker};

use super::editor::{self, Outcome};
use super::output::Shorts;
use super::{CommandError, Ctx, ErrorKind, Format};
use crate::front::request::NewIssue;

/// Create an issue and print its id
///
/// Examples:
///   yit new "Crash on empty repo" --type bug --label crash --priority 1
///   yit new "Write the docs" --body-file notes.md
///   echo "details" | yit new "From a script" --body-file -
///   yit new "Split the parser" --parent 4k2f --depends-on q8zn
///   yit new --from-file plan.yaml   several linked issues at once (docs/format.md)
///   yit new                opens $VISUAL or $EDITOR on a template
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct NewArgs {
    /// The title: one line (without it, an editor opens on a template)
    title: Option<String>,
    /// The body text
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// Read the body from a file (`-` reads standard input)
    #[arg(long, value_name = "FILE")]
    body_file: Option<PathBuf>,
    /// A label (repeatable)
    #[arg(long = "label", short = 'l', value_name = "LABEL")]
    labels: Vec<String>,
    /// Priority from 0 (highest) to 4
    #[arg(long, short = 'p', value_parser = yit::model::config::Config::parse_priority)]
    priority: Option<u8>,
    /// Issue type (see `yit config`)
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    kind: Option<String>,
    /// Assignee: `me`, `Name <email>` or an email
    #[arg(long, short = 'a', value_name = "PERSON")]
    assignee: Option<String>,
    /// Initial status (default: the config's initial status)
    #[arg(long, short = 's')]
    status: Option<String>,
    /// The parent issue (see `yit children`)
    #[arg(long, value_name = "ID")]
    parent: Option<String>,
    /// An issue the new one waits for (repeatable; see `yit dep`)
    #[arg(long = "depends-on", short = 'd', value_name = "ID")]
    depends_on: Vec<String>,
    /// Create every issue of a plan file, linked by their keys, all or
    /// none (`-` reads standard input; docs/format.md, Plans)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["title", "body", "body_file", "labels", "priority", "kind", "assignee", "status", "parent", "depends_on"])]
    from_file: Option<PathBuf>,
}

/// The largest file or standard input read for a plan or an import.
pub const INPUT_LIMIT: u64 = 256 << 20;

/// Reads `--body-file`: a path, or `-` for standard input, at most
/// `limit` bytes (more is refused, not read: a body over `max_file_size`
/// could never be saved). A path the person gave is theirs: a link or a
/// FIFO (`<(cmd)`) is read, as any program reads its arguments.
pub fn read_body_file(path: &std::path::Path, limit: u64) -> Result<String, CommandError> {
    let read = |reader: &mut dyn Read| -> std::io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        reader.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
        Ok(buf)
    };
    let bytes = if path.as_os_str() == "-" {
        read(&mut std::io::stdin().lock())?
    } else {
        let mut file = std::fs::File::open(path).map_err(CommandError::file(
            ErrorKind::User,
            "cannot read",
            path,
        ))?;
        read(&mut file).map_err(CommandError::file(ErrorKind::User, "cannot read", path))?
    };
    if bytes.len() as u64 > limit {
        let shown = if path.as_os_str() == "-" {
            "standard input".to_owned()
        } else {
            path.display().to_string()
        };
        return Err(CommandError::user(format!(
            "{shown} is over {limit} bytes; nothing was read past that, and nothing was written"
        )));
    }
    String::from_utf8(bytes)
        .map_err(|_| CommandError::user(format!("{} is not valid UTF-8 text", path.display())))
}

pub fn cmd_new(ctx: &mut Ctx, args: NewArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "new",
        &[Format::Table, Format::Ids, Format::Json],
        Format::Ids,
    )?;
    let tracker = ctx.open_tracker()?;
    let author = tracker.author()?;
    if let Some(path) = &args.from_file {
        // several issues: a line each, unless a format is asked for
        let format = ctx.format(
            "new",
            &[Format::Table, Format::Ids, Format::Json],
            Format::Table,
        )?;
        return new_from_plan(ctx, &tracker, path, author, format);
    }
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone(),
        (None, Some(path)) => read_body_file(path, tracker.config().max_file_size)?,
        (None, None) => String::new(),
    };
    let mut session = super::session(ctx, &tracker);
    let new = NewIssue {
        title: args.title.clone().unwrap_or_default(),
        body,
        labels: args.labels,
        priority: args.priority,
        kind: args.kind,
        assignee: args.assignee,
        status: args.status,
        parent: args.parent,
        depends_on: args.depends_on,
    };
    let mut draft = new.draft(&mut session, &tracker)?;
    if args.title.is_none() {
        match draft_in_editor(&tracker, &draft)? {
            Some(written) => draft = written,
            None => return Err(CommandError::user("no title; nothing was created")),
        }
    }
    let Created { issue, shorts } = session.create(draft, author, ctx.clock())?;
    let printed = match format {
        Format::Json => ctx
            .out
            .json(&super::output::envelope(yit::ops::json::created(
                &issue, &shorts,
            ))),
        _ => ctx.out.line(shorts.of(&issue.id)),
    };
    // the id is all a script has of it: flushed here, so that a failure
    // says the issue exists (a retry would make a second one)
    match printed.and_then(|()| ctx.out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CommandError::new(
            ErrorKind::Internal,
            format!(
                "issue {} was created, but its id could not be printed",
                issue.id
            ),
        )
        .because(&e)
        .hint(format!("do not create it again: `yit show {}`", issue.id))),
        _ => Ok(()),
    }
}

/// `yit new --from-file`: every issue of the plan, or none.
fn new_from_plan(
    ctx: &mut Ctx,
    tracker: &Tracker,
    path: &std::path::Path,
    author: String,
    format: Format,
) -> Result<(), CommandError> {
    let text = read_body_file(path, INPUT_LIMIT)?;
    let shown = if path.as_os_str() == "-" {
        std::path::Path::new("<stdin>")
    } else {
        path
    };
    let PlanCreated { issues, keys } =
        tracker.run_plan(&text, shown, author, &ctx.clock(), &super::crash_hook())?;
    let shorts = Shorts::Listing(super::session(ctx, tracker).into_listing()?);
    match format {
        Format::Json => {
            ctx.out.json(&super::output::envelope(yit::ops::json::plan(
                &issues, &keys, &shorts,
            )))?;
        }
        Format::Ids => {
            for issue in &issues {
                ctx.out.line(shorts.of(&issue.id))?;
            }
        }
        _ => {
            for (key, issue) in keys.iter().zip(&issues) {
                let key = key
                    .as_deref()
                    .map(|k| format!("  ({k})"))
                    .unwrap_or_default();
                ctx.out.line(&format!(
                    "created    {}  {}{key}",
                    ctx.out
                        .paint(super::output::Paint::Id, shorts.of(&issue.id)),
                    issue.title
                ))?;
            }
        }
    }
    Ok(())
}

/// What a person fills in when `yit new` opens the editor.
#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Template {
    title: Option<String>,
    priority: Option<u8>,
    #[serde(rename = "type")]
    kind: Option<String>,
    labels: Option<Vec<String>>,
    assignee: Option<String>,
    body: Option<String>,
}

/// Opens the editor on a template; `None` when the title is left empty.
fn draft_in_editor(tracker: &Tracker, given: &Draft) -> Result<Option<Draft>, CommandError> {
    let config = tracker.config();
    let template = Template {
        title: None,
        priority: Some(given.priority.unwrap_or(config.default_priority)),
        kind: Some(
            given
                .kind
                .clone()
                .unwrap_or_else(|| config.default_type.clone()),
        ),
        labels: Some(given.labels.clone()),
        assignee: given.assignee.clone(),
        body: Some(given.body.clone()),
    };
    let note = editor::NOTE;
    let mut initial = format!(
        "{note}New issue: write a one-line title, and the body as an indented block.\n\
         {note}Save and quit to create it; leave the title empty to create nothing.\n"
    );
    let yaml = yit::model::yaml::to_string(&template)
        .map_err(|e| CommandError::new(ErrorKind::Internal, e.to_string()))?;
    // an empty body as a block the person can type into
    initial.push_str(
        &yaml
            .replace("title: null\n", "title: \n")
            .replace("body: \"\"\n", "body: |\n  \n"),
    );
    let state = tracker.state_dir().to_owned();
    let mut draft_file = editor::Draft::new(&state, "new")?;
    let outcome = editor::edit_until_valid(&mut draft_file, &state, "new", &initial, |text| {
        let filled: Template = serde_saphyr::from_str_with_options(
            text,
            yit::model::yaml::read_options(),
        )
        .map_err(|e| {
            let p = yit::model::problem::Problem::from_yaml(std::path::Path::new("new"), &e);
            vec![(p.line, p.column, p.message)]
        })?;
        let title = filled.title.unwrap_or_default();
        if title.trim().is_empty() {
            return Ok(None);
        }
        let draft = Draft {
            title,
            body: filled.body.unwrap_or_default(),
            labels: filled.labels.unwrap_or_default(),
            priority: filled.priority,
            kind: filled.kind,
            assignee: filled
                .assignee
                .map(|a| tracker.person(&a))
                .transpose()
                .map_err(|e| vec![(None, None, e.to_string())])?,
            status: given.status.clone(),
            parent: given.parent.clone(),
            depends_on: given.depends_on.clone(),
        };
        tracker
            .check_draft(&draft)
            .map_err(|e| vec![(None, None, e.to_string())])?;
        Ok(Some(draft))
    })?;
    Ok(match outcome {
        Outcome::Saved(_, draft) => draft,
        Outcome::Unchanged => None,
    })
}
