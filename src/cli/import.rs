//! `yit import`: issues from a `yit export` file, or from GitHub.

use std::path::{Path, PathBuf};

use clap::Args;
use yit::store::{GithubImported, Tracker};

use super::new::read_body_file;
use super::{CommandError, Ctx, Format};

/// Import issues from `yit export` (json or jsonl), or from GitHub with --github
///
/// A yit export keeps every field and id: into an empty tracker, export,
/// import, export gives the same bytes. Issues that exist with the same
/// content are skipped; all the others are created, or none (any problem,
/// or an id that exists with other content, and nothing is written).
///
/// With --github, FILE is what `gh issue list --state all --json
/// number,title,body,state,labels,assignees,author,createdAt,updatedAt,comments`
/// writes. Importing again updates what changed upstream; a field changed
/// both upstream and here since the last import keeps the local value and
/// is reported.
///
/// Examples:
///   yit export > all.json && yit import all.json
///   gh issue list --state all --limit 1000 --json number,title,body,state,labels,assignees,author,createdAt,updatedAt,comments > gh.json
///   yit import --github gh.json --type-label bug=bug --priority-label urgent=0
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The file (`-` reads standard input)
    file: PathBuf,
    /// FILE is GitHub's issue JSON (from `gh issue list`)
    #[arg(long)]
    github: bool,
    /// A new issue with this GitHub label gets this type (`bug=bug`,
    /// `enhancement=feature`; repeatable, the first of its labels mapped wins)
    #[arg(long, value_name = "LABEL=TYPE", requires = "github")]
    type_label: Vec<String>,
    /// A new issue with this GitHub label gets this priority (`urgent=0`,
    /// `P1=1`, `low=P3`; repeatable, the first of its labels mapped wins)
    #[arg(long, value_name = "LABEL=N", requires = "github")]
    priority_label: Vec<String>,
}

pub fn cmd_import(ctx: &mut Ctx, args: ImportArgs) -> Result<(), CommandError> {
    let format = ctx.format("import", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let text = read_body_file(&args.file, super::new::INPUT_LIMIT)?;
    let shown: &Path = if args.file.as_os_str() == "-" {
        Path::new("<stdin>")
    } else {
        &args.file
    };
    if args.github {
        let config = tracker.config();
        let labels = yit::model::github::LabelMap {
            types: label_pairs(
                "--type-label",
                "LABEL=TYPE (bug=bug)",
                &args.type_label,
                |kind| config.type_named(kind),
            )?,
            priorities: label_pairs(
                "--priority-label",
                "LABEL=N (urgent=0)",
                &args.priority_label,
                yit::model::config::Config::parse_priority,
            )?,
        };
        let imported = tracker.import_github(
            &text,
            shown,
            &labels,
            ctx.scan_mode(true),
            &ctx.clock(),
            &super::crash_hook(),
        )?;
        return report_github(ctx, &tracker, &imported, format);
    }
    let imported = tracker.import_export(&text, shown, &ctx.clock(), &super::crash_hook())?;
    if format == Format::Json {
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "created": imported.created,
            "unchanged": imported.unchanged,
        })))?;
    } else {
        let already = match imported.unchanged {
            0 => String::new(),
            n => format!(", {n} already here"),
        };
        ctx.out.line(&format!(
            "imported {} issue(s){already}",
            imported.created.len()
        ))?;
    }
    Ok(())
}

/// `LABEL=VALUE` pairs of `flag`, each value read by `value`.
fn label_pairs<T, E: std::fmt::Display>(
    flag: &str,
    shape: &str,
    pairs: &[String],
    value: impl Fn(&str) -> Result<T, E>,
) -> Result<Vec<(String, T)>, CommandError> {
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((label, given)) if !label.trim().is_empty() => value(given.trim())
                .map(|v| (label.trim().to_owned(), v))
                .map_err(|why| CommandError::user(format!("{flag} {pair}: {why}"))),
            _ => Err(CommandError::usage(format!(
                "{flag} {pair:?}: expected {shape}"
            ))),
        })
        .collect()
}

/// What `yit import --github` did: warnings for the labels left out and
/// the fields kept, then the counts.
fn report_github(
    ctx: &mut Ctx,
    tracker: &Tracker,
    imported: &GithubImported,
    format: Format,
) -> Result<(), CommandError> {
    for label in &imported.dropped {
        ctx.warn(&format!(
            "label {label:?} cannot be a yit label (commas, length, strict_labels); left out"
        ));
    }
    let listing = super::session(ctx, tracker).into_listing()?;
    for c in &imported.conflicts {
        ctx.warn(&format!(
            "{} (#{}): {} changed here and upstream since the last import; kept the local value",
            listing.short_id(&c.id),
            c.number,
            c.fields.join(", ")
        ));
    }
    if format == Format::Json {
        let clashes: Vec<serde_json::Value> = imported
            .conflicts
            .iter()
            .map(|c| serde_json::json!({ "id": c.id, "number": c.number, "fields": c.fields }))
            .collect();
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "created": imported.created,
            "updated": imported.updated,
            "unchanged": imported.unchanged,
            "conflicts": clashes,
        })))?;
    } else {
        ctx.out.line(&format!(
            "imported from GitHub: {} created, {} updated, {} unchanged",
            imported.created.len(),
            imported.updated.len(),
            imported.unchanged
        ))?;
    }
    Ok(())
}
