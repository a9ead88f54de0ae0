//! `yit import`: issues from a `yit export` file, from GitHub, or from
//! another git-native tracker (beads, Backlog.md, tbd).

use std::path::{Path, PathBuf};

use clap::Args;
use yit::store::{GithubImported, Tracker};

use super::new::read_body_file;
use super::{CommandError, Ctx, Format};

/// Import issues from `yit export` (json or jsonl), from GitHub with --github, or from beads, Backlog.md or tbd with --from
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
/// With --from beads|backlog|tbd, FILE is the other tracker's issues (by
/// default where that tool keeps them: .beads/issues.jsonl, backlog/,
/// .tbd/data-sync/). Every issue, comment, parent and dependency comes
/// in; keys yit has no field for are kept under their own names, and
/// `origin:` records the original id (`yit show beads:bd-a1b2`, the
/// query `beads:bd-a1b2`). References to imported ids in bodies and
/// comments become `<yit id> (<original id>)`. A status, type or priority
/// that maps to nothing here is an error naming every such value and the
/// flag that maps it. Everything is checked before anything is written;
/// importing again updates what changed in the source.
///
/// Examples:
///   yit export > all.json && yit import all.json
///   yit import --from beads --dry-run
///   yit import --from beads --status-map blocked=open --type-map epic=feature
///   yit import --from backlog ../old-project/backlog
///   gh issue list --state all --limit 1000 --json number,title,body,state,labels,assignees,author,createdAt,updatedAt,comments > gh.json
///   yit import --github gh.json --type-label bug=bug --priority-label urgent=0
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The file (`-` reads standard input); with --from, the other
    /// tracker's file or folder
    #[arg(required_unless_present = "from")]
    file: Option<PathBuf>,
    /// FILE is GitHub's issue JSON (from `gh issue list`)
    #[arg(long, conflicts_with = "from")]
    github: bool,
    /// Import from another tracker: beads, backlog (Backlog.md) or tbd
    #[arg(long, value_name = "TOOL")]
    from: Option<String>,
    /// A source status and the yit status it becomes (`blocked=open`;
    /// repeatable)
    #[arg(long, value_name = "FROM=TO", requires = "from")]
    status_map: Vec<String>,
    /// A source type and the yit type it becomes (`epic=feature`)
    #[arg(long, value_name = "FROM=TO", requires = "from")]
    type_map: Vec<String>,
    /// A source priority and the yit priority it becomes (`urgent=0`)
    #[arg(long, value_name = "FROM=N", requires = "from")]
    priority_map: Vec<String>,
    /// Say what would be created, updated and mapped; write nothing
    #[arg(long, requires = "from")]
    dry_run: bool,
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
    if let Some(tool) = &args.from {
        return import_from(ctx, &tracker, tool, &args, format);
    }
    let file = args.file.clone().unwrap_or_default();
    let text = read_body_file(&file, super::new::INPUT_LIMIT)?;
    let shown: &Path = if file.as_os_str() == "-" {
        Path::new("<stdin>")
    } else {
        &file
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

/// `yit import --from TOOL [PATH]`.
fn import_from(
    ctx: &mut Ctx,
    tracker: &Tracker,
    tool: &str,
    args: &ImportArgs,
    format: Format,
) -> Result<(), CommandError> {
    use yit::model::migrate::{Maps, Tool};
    let tool = Tool::named(tool).ok_or_else(|| {
        CommandError::usage(format!(
            "--from {tool:?}: yit imports from beads, backlog (Backlog.md) or tbd"
        ))
    })?;
    let config = tracker.config();
    let maps = Maps {
        status: label_pairs(
            "--status-map",
            "FROM=TO (blocked=open)",
            &args.status_map,
            |s| config.status_named(s),
        )?,
        kind: label_pairs(
            "--type-map",
            "FROM=TO (epic=feature)",
            &args.type_map,
            |t| config.type_named(t),
        )?,
        priority: label_pairs(
            "--priority-map",
            "FROM=N (urgent=0)",
            &args.priority_map,
            yit::model::config::Config::parse_priority,
        )?,
    };
    let path = match &args.file {
        Some(p) if p.as_os_str() == "-" => {
            return Err(CommandError::usage(
                "--from reads the tracker's files: give its file or folder, not -",
            ));
        }
        Some(p) => p.clone(),
        None => tracker.default_source(tool),
    };
    let items = tracker.read_source(tool, &path)?;
    let source = yit::store::migrate::Source {
        tool,
        path: &path,
        items,
    };
    let done = tracker.migrate_in(
        source,
        &maps,
        args.dry_run,
        &ctx.clock(),
        &super::crash_hook(),
    )?;
    // short ids only where some are printed (an import of 10,000 issues
    // need not list them again)
    let shows_ids = !done.conflicts.is_empty() || (done.dry_run && !done.updated.is_empty());
    let listing = match shows_ids {
        true => Some(super::session(ctx, tracker).into_listing()?),
        false => None,
    };
    let short = |id: &yit::model::id::IssueId| match &listing {
        Some(listing) => listing.short_id(id).to_string(),
        None => id.to_string(),
    };
    for (id, source, keys) in &done.conflicts {
        ctx.warn(&format!(
            "{} ({source}): {} changed here and in {} since the last import; kept the local value",
            short(id),
            keys.join(", "),
            tool.name()
        ));
    }
    if format == Format::Json {
        let pair = |(id, source): &(yit::model::id::IssueId, String)| serde_json::json!({ "id": id, "source": source });
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "tool": tool.name(),
            "source": done.source,
            "dry_run": done.dry_run,
            "created": done.created.iter().map(|(id, source, title)| {
                serde_json::json!({ "id": id, "source": source, "title": title })
            }).collect::<Vec<_>>(),
            "updated": done.updated.iter().map(pair).collect::<Vec<_>>(),
            "unchanged": done.unchanged,
            "conflicts": done.conflicts.iter().map(|(id, source, keys)| {
                serde_json::json!({ "id": id, "source": source, "keys": keys })
            }).collect::<Vec<_>>(),
            "mapped": done.mapped.iter().map(|((field, from), (to, uses))| {
                serde_json::json!({ "field": field, "from": from, "to": to, "issues": uses })
            }).collect::<Vec<_>>(),
            "kept": done.kept,
            "unmapped": done.unmapped,
        })))?;
        return unmapped(&done);
    }
    if done.dry_run {
        for (id, source, title) in &done.created {
            ctx.out
                .line(&format!("would create {id}  {source}  {title}"))?;
        }
        for (id, source) in &done.updated {
            ctx.out
                .line(&format!("would update {}  {source}", short(id)))?;
        }
    }
    for ((field, from), (to, uses)) in &done.mapped {
        ctx.out.line(&format!(
            "mapped {field} {from:?} to {to} ({uses} issue(s))"
        ))?;
    }
    if !done.kept.is_empty() {
        let kept: Vec<String> = done
            .kept
            .iter()
            .map(|(key, n)| format!("{key} ({n})"))
            .collect();
        ctx.out
            .line(&format!("kept under their own keys: {}", kept.join(", ")))?;
    }
    for line in &done.unmapped {
        ctx.out.line(&format!("could not map: {line}"))?;
    }
    let verb = if done.dry_run {
        "would import"
    } else {
        "imported"
    };
    ctx.out.line(&format!(
        "{verb} from {} ({}): {} created, {} updated, {} unchanged{}",
        tool.name(),
        done.source.display(),
        done.created.len(),
        done.updated.len(),
        done.unchanged,
        if done.dry_run {
            "; nothing was written (--dry-run)"
        } else {
            ""
        }
    ))?;
    unmapped(&done)
}

/// A dry run that found values nothing maps fails as the import would.
fn unmapped(done: &yit::store::migrate::Migrated) -> Result<(), CommandError> {
    match done.unmapped.len() {
        0 => Ok(()),
        n => Err(CommandError::user(format!(
            "{n} value(s) map to nothing: the import would refuse them and write nothing"
        ))
        .hint("--status-map, --type-map and --priority-map map them; so do statuses and types added to config.yaml")),
    }
}
