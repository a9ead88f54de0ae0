//! `yit import`: issues from a `yit export` file, or from GitHub.

use std::path::{Path, PathBuf};

use clap::Args;
use yit::model::id::IssueId;
use yit::model::issue::Issue;
use yit::model::problem::Problem;
use yit::store::Tracker;

use super::new::read_body_file;
use super::{CommandError, Ctx, ErrorKind, Format};

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
///   yit import --github gh.json
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
}

pub fn cmd_import(ctx: &mut Ctx, args: ImportArgs) -> Result<(), CommandError> {
    let format = ctx.format("import", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let text = read_body_file(&args.file)?;
    let shown: &Path = if args.file.as_os_str() == "-" {
        Path::new("<stdin>")
    } else {
        &args.file
    };
    if args.github {
        let types = args
            .type_label
            .iter()
            .map(|pair| match pair.split_once('=') {
                Some((label, kind)) if !label.trim().is_empty() => tracker
                    .config()
                    .type_named(kind.trim())
                    .map(|kind| (label.trim().to_owned(), kind))
                    .map_err(|why| CommandError::user(format!("--type-label {pair}: {why}"))),
                _ => Err(CommandError::usage(format!(
                    "--type-label {pair:?}: expected LABEL=TYPE (bug=bug)"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        return import_github(ctx, &tracker, &text, shown, &types, format);
    }
    let records = records_of(&text, shown)?;
    let mut problems = Vec::new();
    let mut issues: Vec<Issue> = Vec::new();
    for (line, value) in records {
        match issue_of_record(&tracker, value, shown, line) {
            Ok(issue) => issues.push(issue),
            Err(p) => problems.push(p),
        }
    }
    // an id twice in the file
    let mut seen = std::collections::HashSet::new();
    for issue in &issues {
        if !seen.insert(issue.id.clone()) {
            problems.push(Problem::new(
                shown,
                format!("issue {} appears twice", issue.id),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(nothing_imported(shown, problems));
    }
    // issues already here with the same content are skipped
    let mut fresh = Vec::new();
    let mut unchanged = 0;
    for issue in issues {
        match tracker.read_issue(&issue.id) {
            Ok(None) => fresh.push(issue),
            Ok(Some(existing)) if existing == issue => unchanged += 1,
            _ => {
                return Err(CommandError::new(
                    ErrorKind::Refused,
                    format!(
                        "issue {} exists here with other content; nothing was imported",
                        issue.id
                    ),
                ));
            }
        }
    }
    tracker.create_issues_journaled(&fresh, ctx.lock_timeout, &super::crash_hook())?;
    if format == Format::Json {
        let ids: Vec<&IssueId> = fresh.iter().map(|i| &i.id).collect();
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "created": ids,
            "unchanged": unchanged,
        })))?;
    } else {
        ctx.out.line(&format!(
            "imported {} issue(s){}",
            fresh.len(),
            if unchanged > 0 {
                format!(", {unchanged} already here")
            } else {
                String::new()
            }
        ))?;
    }
    Ok(())
}

/// The records of a json (`{"issues": [...]}` or a list) or jsonl export,
/// each with its line (jsonl) or 0.
fn records_of(text: &str, path: &Path) -> Result<Vec<(u64, serde_json::Value)>, CommandError> {
    let bad = |line: Option<u64>, column: Option<u64>, message: String| {
        let problem = Problem {
            path: path.to_owned(),
            line,
            column,
            message,
        };
        let mut err = CommandError::user(problem.to_string());
        err.problems = vec![problem];
        err
    };
    let at = |e: &serde_json::Error| (Some(e.line() as u64), Some(e.column() as u64));
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        let list = match value {
            serde_json::Value::Object(mut doc) if doc.contains_key("issues") => {
                doc.remove("issues")
            }
            list @ serde_json::Value::Array(_) => Some(list),
            serde_json::Value::Object(one) => {
                Some(serde_json::Value::Array(vec![serde_json::Value::Object(
                    one,
                )]))
            }
            _ => None,
        };
        return match list {
            Some(serde_json::Value::Array(items)) => {
                Ok(items.into_iter().map(|v| (0, v)).collect())
            }
            _ => Err(bad(
                None,
                None,
                "expected yit's export: {\"issues\": [...]} or one issue per line".to_owned(),
            )),
        };
    }
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            let (_, column) = at(&e);
            bad(
                Some(n as u64 + 1),
                column,
                format!("not a JSON record: {e}"),
            )
        })?;
        out.push((n as u64 + 1, value));
    }
    Ok(out)
}

/// The issue an exported record describes, checked as a file would be.
fn issue_of_record(
    tracker: &Tracker,
    value: serde_json::Value,
    path: &Path,
    line: u64,
) -> Result<Issue, Problem> {
    let problem = |message: String| Problem {
        path: path.to_owned(),
        line: (line > 0).then_some(line),
        column: None,
        message,
    };
    let serde_json::Value::Object(mut fields) = value else {
        return Err(problem("a record is a JSON object".to_owned()));
    };
    let id = fields
        .get("id")
        .and_then(|v| v.as_str())
        .and_then(IssueId::parse_canonical)
        .ok_or_else(|| problem("a record needs a valid `id`".to_owned()))?;
    fields.remove("short_id");
    // keys yit does not know are at the top level of a file
    if let Some(serde_json::Value::Object(extra)) = fields.remove("extra") {
        for (k, v) in extra {
            fields.entry(k).or_insert(v);
        }
    }
    // JSON is YAML: the record is read exactly as an issue file would be
    let text = serde_json::to_string(&fields).map_err(|e| problem(e.to_string()))?;
    let file = Path::new(".issues").join(id.file_name());
    Issue::parse(text.as_bytes(), &file, Some(&id), tracker.config()).map_err(|broken| {
        let first = broken
            .problems
            .first()
            .map(|p| p.message.clone())
            .unwrap_or_default();
        problem(format!("issue {id}: {first}"))
    })
}

/// `yit import --github`: new upstream issues created, known ones (by
/// number) updated where only upstream changed.
fn import_github(
    ctx: &mut Ctx,
    tracker: &Tracker,
    text: &str,
    path: &Path,
    types: &[(String, String)],
    format: Format,
) -> Result<(), CommandError> {
    use yit::model::github::{self, GhIssue};
    let upstream: Vec<GhIssue> = serde_json::from_str(text).map_err(|e| {
        let problem = Problem {
            path: path.to_owned(),
            line: Some(e.line() as u64),
            column: Some(e.column() as u64),
            message: format!("not the JSON of `gh issue list --json ...`: {e}"),
        };
        let mut err = CommandError::user(problem.to_string());
        err.problems = vec![problem];
        err
    })?;
    let config = tracker.config();
    let scan = tracker.scan(ctx.scan_mode(true))?;
    let known: std::collections::HashMap<u64, IssueId> = scan
        .issues
        .iter()
        .filter_map(|i| Some((github::number_of(i)?, i.id.clone())))
        .collect();
    let mut dropped: Vec<String> = Vec::new();
    let mut ids = yit::model::id::IdSource::new(ctx.seed);
    let mut fresh = Vec::new();
    let mut existing: Vec<(IssueId, &GhIssue)> = Vec::new();
    let mut problems = Vec::new();
    for gh in &upstream {
        match known.get(&gh.number) {
            Some(id) => existing.push((id.clone(), gh)),
            None => match gh.new_issue(ids.issue_id(), config, types, &mut dropped) {
                Ok(issue) => match issue.to_yaml(config) {
                    Ok(_) => fresh.push(issue),
                    Err(e) => problems.push(Problem::new(path, format!("#{}: {e}", gh.number))),
                },
                Err(e) => problems.push(Problem::new(path, format!("#{}: {e}", gh.number))),
            },
        }
    }
    if !problems.is_empty() {
        return Err(nothing_imported(path, problems));
    }
    tracker.create_issues_journaled(&fresh, ctx.lock_timeout, &super::crash_hook())?;
    // updates, under the locks of the issues that change (each is checked
    // again against what its file holds then); a lock is a descriptor, so
    // an import that changes nothing takes none
    let mut conflicts: Vec<(IssueId, u64, Vec<&'static str>)> = Vec::new();
    let by_id: std::collections::HashMap<&IssueId, &GhIssue> =
        existing.iter().map(|(id, gh)| (id, *gh)).collect();
    let mut targets: Vec<IssueId> = Vec::new();
    for (id, gh) in &existing {
        let Some(local) = scan.find(id) else { continue };
        let (changes, clashes) = gh
            .update(local, config, &mut Vec::new())
            .map_err(yit::store::StoreError::from)?;
        if !changes.is_empty() {
            targets.push(id.clone());
        } else if !clashes.is_empty() {
            conflicts.push((id.clone(), gh.number, clashes));
        }
    }
    let edits = tracker.update_issues(&targets, ctx.lock_timeout, ctx.now, |local| {
        let gh = by_id[&local.id];
        let (changes, clashes) = gh.update(local, config, &mut Vec::new())?;
        if !clashes.is_empty() {
            conflicts.push((local.id.clone(), gh.number, clashes));
        }
        Ok(changes)
    })?;
    let updated: Vec<&IssueId> = edits
        .iter()
        .filter(|e| e.changed)
        .map(|e| &e.issue.id)
        .collect();
    dropped.sort();
    dropped.dedup();
    for label in &dropped {
        ctx.warn(&format!(
            "label {label:?} cannot be a yit label (commas, length, strict_labels); left out"
        ));
    }
    let listing = tracker.load_listing()?;
    for (id, number, fields) in &conflicts {
        ctx.warn(&format!(
            "{} (#{number}): {} changed here and upstream since the last import; kept the local value",
            listing.short_id(id),
            fields.join(", ")
        ));
    }
    if format == Format::Json {
        let created: Vec<&IssueId> = fresh.iter().map(|i| &i.id).collect();
        let clashes: Vec<serde_json::Value> = conflicts
            .iter()
            .map(|(id, number, fields)| serde_json::json!({ "id": id, "number": number, "fields": fields }))
            .collect();
        ctx.out.json(&super::output::envelope(serde_json::json!({
            "created": created,
            "updated": updated,
            "unchanged": existing.len() - updated.len(),
            "conflicts": clashes,
        })))?;
    } else {
        ctx.out.line(&format!(
            "imported from GitHub: {} created, {} updated, {} unchanged",
            fresh.len(),
            updated.len(),
            existing.len() - updated.len()
        ))?;
    }
    Ok(())
}

/// The error of an import refused whole: the file and each of its problems.
fn nothing_imported(file: &Path, problems: Vec<Problem>) -> CommandError {
    let mut err = CommandError::user(format!(
        "{}: {} problem(s); nothing was imported",
        file.display(),
        problems.len()
    ));
    err.problems = problems;
    err
}
