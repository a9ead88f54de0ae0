//! `yit show`: one issue, for a person or a program.

use clap::Args;
use yit::issue;

use yit::record::Record;

use super::output::{Paint, Shorts};
use super::{CommandError, Ctx, Format, Resolver};
use yit::issue::Issue;
use yit::store::history::LinkedCommit;

/// Show one issue: fields, body and comments
///
/// Examples:
///   yit show 4k2f          any unique prefix of the id
///   yit show 4k2f --json
///   yit show 4k2f --raw    the file exactly as stored
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// The issue's id or a unique prefix of it
    id: String,
    /// Print the file exactly as stored
    #[arg(long, conflicts_with = "json")]
    raw: bool,
    /// The issue as it was at a revision (commit, branch, tag), read from
    /// git without touching the worktree; works in bare repositories
    #[arg(long, value_name = "REV", conflicts_with = "raw")]
    at: Option<String>,
}

pub fn cmd_show(ctx: &mut Ctx, args: ShowArgs) -> Result<(), CommandError> {
    let format = ctx.format("show", &[Format::Table, Format::Json], Format::Table)?;
    if let Some(rev) = &args.at {
        let at = yit::store::at::read_at(&ctx.cwd, rev)?;
        let id = at.scan.listing.resolve(&args.id)?;
        let Some(issue) = at.scan.issues.iter().find(|i| i.id == id) else {
            // listed but not valid at that revision: its problems say why
            let problems: Vec<String> = at
                .scan
                .problems
                .iter()
                .filter(|p| p.path.ends_with(id.file_name()))
                .map(ToString::to_string)
                .collect();
            return Err(CommandError::user(format!(
                "issue {id} at {rev} cannot be read: {}",
                problems.join("; ")
            )));
        };
        let shorts = Shorts::Known(
            [(id.clone(), at.scan.listing.short_id(&id).to_owned())]
                .into_iter()
                .collect(),
        );
        return render(ctx, format, issue, &shorts, &[]);
    }
    let tracker = ctx.open_tracker()?;
    // the daemon, when one runs, resolves the prefix and knows the short id
    // without a listing of the directory
    let mut resolver = Resolver::new(ctx, &tracker);
    let id = resolver.resolve(&args.id)?;
    if args.raw {
        let bytes = tracker
            .read_issue_bytes(&id)
            .map_err(|broken| yit::store::StoreError::Broken { broken })?
            .ok_or_else(|| CommandError::user(format!("issue {id} was removed")))?;
        return Ok(ctx.out.bytes(&bytes)?);
    }
    let issue = tracker.load_issue(&id)?;
    let shorts = resolver.shorts(std::slice::from_ref(&issue.id))?;
    // commits whose messages mention it (none in a repository without commits)
    let linked = tracker.linked_commits(&issue.id).unwrap_or_default();
    render(ctx, format, &issue, &shorts, &linked)
}

/// Prints one issue for a person (`Table`) or a program.
fn render(
    ctx: &mut Ctx,
    format: Format,
    issue: &Issue,
    shorts: &Shorts,
    linked: &[LinkedCommit],
) -> Result<(), CommandError> {
    if format == Format::Json {
        let commits: Vec<serde_json::Value> = linked
            .iter()
            .map(|c| serde_json::json!({ "commit": c.id, "kind": c.kind.word(), "summary": c.summary }))
            .collect();
        return Ok(ctx.out.json(&serde_json::json!({
            "schema_version": 1,
            "issue": Record::of(issue, shorts.of(&issue.id), true),
            "commits": commits,
        }))?);
    }

    let out = &ctx.out;
    let mut text = String::new();
    text.push_str(&format!(
        "{}  {}\n",
        out.paint(Paint::Id, shorts.of(&issue.id)),
        issue.title
    ));
    let field = |name: &str, value: &str| {
        format!(
            "{}  {value}\n",
            out.paint(Paint::Dim, &format!("{name:<9}"))
        )
    };
    text.push_str(&field("id", issue.id.as_str()));
    text.push_str(&field("status", &issue.status));
    let pri = format!("P{}", issue.priority);
    text.push_str(&field(
        "priority",
        &if issue.priority <= 1 {
            out.paint(Paint::Urgent, &pri)
        } else {
            pri
        },
    ));
    text.push_str(&field("type", &issue.kind));
    if !issue.labels.is_empty() {
        text.push_str(&field(
            "labels",
            &out.paint(Paint::Label, &issue.labels.join(", ")),
        ));
    }
    text.push_str(&field("assignee", issue.assignee.as_deref().unwrap_or("-")));
    if let Some(author) = &issue.author {
        text.push_str(&field("author", author));
    }
    text.push_str(&field("created", &issue::format_time(issue.created)));
    text.push_str(&field("updated", &issue::format_time(issue.updated)));
    if let Some(parent) = &issue.parent {
        text.push_str(&field("parent", parent.as_str()));
    }
    if !issue.depends_on.is_empty() {
        let deps: Vec<&str> = issue.depends_on.iter().map(|d| d.as_str()).collect();
        text.push_str(&field("depends on", &deps.join(", ")));
    }
    for (key, value) in &issue.extra {
        let value = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        text.push_str(&field(key, &value));
    }
    if !issue.body.is_empty() {
        text.push('\n');
        text.push_str(&issue.body);
        if !issue.body.ends_with('\n') {
            text.push('\n');
        }
    }
    for comment in &issue.comments {
        let who = comment.author.as_deref().unwrap_or("unknown");
        let head = format!(
            "── comment {} by {who}, {} ──",
            comment.id,
            issue::format_time(comment.created)
        );
        text.push('\n');
        text.push_str(&out.paint(Paint::Dim, &head));
        text.push('\n');
        text.push_str(&comment.body);
        if !comment.body.ends_with('\n') {
            text.push('\n');
        }
    }
    for conflict in &issue.conflicts {
        text.push('\n');
        text.push_str(&out.paint(
            Paint::Warning,
            &format!(
                "merge conflict on {}: ours {}, theirs {}, base {}",
                conflict["field"].as_str().unwrap_or_default(),
                conflict["ours"],
                conflict["theirs"],
                conflict["base"],
            ),
        ));
        text.push('\n');
    }
    if !issue.conflicts.is_empty() {
        text.push_str(&format!(
            "settle with `yit resolve {} --take ours|theirs|FIELD=VALUE`\n",
            shorts.of(&issue.id)
        ));
    }
    if !linked.is_empty() {
        text.push('\n');
        for c in linked {
            text.push_str(&format!(
                "{} {}  {}\n",
                out.paint(Paint::Dim, &format!("{:<6}", c.kind.word())),
                out.paint(Paint::Id, &c.id[..10]),
                c.summary
            ));
        }
    }
    ctx.out.write_str(&text)?;
    Ok(())
}
