//! `yit new`: create an issue.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use yit::id::IdSource;
use yit::store::{Draft, Tracker};

use super::output::issue_json;
use super::{CommandError, Ctx, Format};

/// Create an issue and print its id
///
/// Examples:
///   yit new "Crash on empty repo" --type bug --label crash --priority 1
///   yit new "Write the docs" --body-file notes.md
///   echo "details" | yit new "From a script" --body-file -
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct NewArgs {
    /// The title: one line
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
    #[arg(long, short = 'p', value_parser = clap::value_parser!(u8).range(0..=4))]
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
}

/// Reads `--body-file`: a path, or `-` for standard input.
pub fn read_body_file(path: &std::path::Path) -> Result<String, CommandError> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        buf
    } else {
        std::fs::read(path)
            .map_err(|e| CommandError::user(format!("cannot read {}: {e}", path.display())))?
    };
    String::from_utf8(bytes)
        .map_err(|_| CommandError::user(format!("{} is not valid UTF-8 text", path.display())))
}

/// Resolves `me` to the git identity; other values are kept as given.
pub fn resolve_person(tracker: &Tracker, person: String) -> Result<String, CommandError> {
    if person == "me" {
        Ok(tracker.author()?)
    } else {
        Ok(person)
    }
}

pub fn cmd_new(ctx: &mut Ctx, args: NewArgs) -> Result<(), CommandError> {
    let format = ctx.format(
        "new",
        &[Format::Table, Format::Ids, Format::Json],
        Format::Ids,
    )?;
    let tracker = Tracker::open(&ctx.cwd)?;
    let Some(title) = args.title else {
        return Err(CommandError::usage(
            "a title is required: yit new \"TITLE\"",
        ));
    };
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone(),
        (None, Some(path)) => read_body_file(path)?,
        (None, None) => String::new(),
    };
    let author = tracker.author()?;
    let assignee = args
        .assignee
        .map(|a| resolve_person(&tracker, a))
        .transpose()?;
    let draft = Draft {
        title,
        body,
        labels: args.labels,
        priority: args.priority,
        kind: args.kind,
        assignee,
        status: args.status,
    };
    let mut ids = IdSource::new(ctx.seed);
    let (issue, listing) = tracker.create_issue(draft, author, ctx.now, &mut ids)?;
    match format {
        Format::Json => ctx.out.json(&serde_json::json!({
            "schema_version": 1,
            "issue": issue_json(&issue, &listing),
        }))?,
        _ => ctx.out.line(listing.short_id(&issue.id))?,
    }
    Ok(())
}
