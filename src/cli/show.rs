//! `yit show`: one issue, for a person or a program.

use clap::Args;

use super::output::{Paint, Shorts, display_width};
use super::{CommandError, Ctx, Format};
use yit::model::deps::{Link, Related};
use yit::model::issue::Issue;
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
        let at = yit::ops::read_at(&ctx.cwd, rev)?;
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
        return render(
            ctx,
            format,
            issue,
            &shorts,
            &at.scan.related(issue),
            &[],
            None,
        );
    }
    let tracker = ctx.open_tracker()?;
    // the daemon, when one runs, resolves the prefix and knows the short id
    // without a listing of the directory
    let mut resolver = super::session(ctx, &tracker);
    let id = resolver.resolve(&args.id)?;
    if args.raw {
        let bytes = tracker
            .read_issue_bytes(&id)
            .map_err(|broken| yit::store::StoreError::Broken { broken })?
            .ok_or_else(|| CommandError::user(format!("issue {id} was removed")))?;
        return Ok(ctx.out.bytes(&bytes)?);
    }
    let shown = resolver.show(id.as_str(), ctx.scan_mode(false))?;
    render(
        ctx,
        format,
        &shown.issue,
        &shown.shorts,
        &shown.related,
        &shown.commits,
        shown.lease.as_ref(),
    )
}

/// Prints one issue for a person (`Table`) or a program.
fn render(
    ctx: &mut Ctx,
    format: Format,
    issue: &Issue,
    shorts: &Shorts,
    related: &Related,
    linked: &[LinkedCommit],
    lease: Option<&yit::model::lease::Lease>,
) -> Result<(), CommandError> {
    if format == Format::Json {
        return Ok(ctx.out.json(&super::output::envelope(yit::ops::shown_json(
            issue, shorts, related, linked, lease, ctx.now,
        )))?);
    }

    let out = &ctx.out;
    let mut text = String::new();
    text.push_str(&format!(
        "{}  {}\n",
        out.paint(Paint::Id, shorts.of(&issue.id)),
        issue.title
    ));
    // a merge's conflicts first: what the file holds may be only one side
    if !issue.conflicts.is_empty() {
        for conflict in &issue.conflicts {
            let said = yit::model::merge::describe_conflict(conflict);
            text.push_str(&out.paint(Paint::Warning, &format!("merge conflict on {said}")));
            text.push('\n');
        }
        text.push_str(&yit::model::merge::resolve_hint(shorts.of(&issue.id)));
        text.push_str("\n\n");
    }
    // (name, lines of the value)
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    let mut field = |name: &str, value: String| fields.push((name.to_owned(), vec![value]));
    field("id", issue.id.to_string());
    field("status", issue.status.clone());
    let pri = format!("P{}", issue.priority);
    field(
        "priority",
        if issue.priority <= 1 {
            out.paint(Paint::Urgent, &pri)
        } else {
            pri
        },
    );
    field("type", issue.kind.clone());
    if !issue.labels.is_empty() {
        field("labels", out.paint(Paint::Label, &issue.labels.join(", ")));
    }
    field(
        "assignee",
        issue.assignee.clone().unwrap_or_else(|| "-".to_owned()),
    );
    if let Some(author) = &issue.author {
        field("author", author.clone());
    }
    if let Some(lease) = lease.filter(|l| l.state == yit::model::lease::State::Held) {
        let until = match lease.expires {
            Some(at) if lease.in_force(ctx.now) => format!("until {}", out.when(at, ctx.now)),
            Some(at) => format!("expired {}", out.when(at, ctx.now)),
            None => "until released".to_owned(),
        };
        let offline = if lease.offline { ", offline" } else { "" };
        field(
            "claimed by",
            format!(
                "{} (token {}, from {}{offline}, {until})",
                lease.holder, lease.token, lease.taken_at
            ),
        );
    }
    field("created", out.when(issue.created, ctx.now));
    field("updated", out.when(issue.updated, ctx.now));
    if let Some(github) = yit::model::github::number_of(issue) {
        field("github", format!("#{github}"));
    }
    if let Some((tool, id)) = yit::model::migrate::origin_of(issue) {
        field("from", format!("{} {id}", tool.name()));
    }
    for (key, value) in &issue.extra {
        if key == yit::model::migrate::ORIGIN_KEY && yit::model::migrate::origin_of(issue).is_some()
        {
            continue;
        }
        let value = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        field(key, value);
    }
    // the issues around it, their short ids and statuses in columns
    let groups: [(&str, Vec<&Link>); 4] = [
        ("parent", related.parent.iter().collect()),
        ("depends on", related.depends_on.iter().collect()),
        ("blocks", related.blocks.iter().collect()),
        ("children", related.children.iter().collect()),
    ];
    let all = || groups.iter().flat_map(|(_, links)| links.iter());
    let short_width = all().map(|l| l.short_id.len()).max().unwrap_or(0);
    let status_width = all()
        .map(|l| display_width(l.status.as_deref().unwrap_or("-")))
        .max()
        .unwrap_or(0);
    for (name, links) in &groups {
        if links.is_empty() {
            continue;
        }
        let lines = links
            .iter()
            .map(|l| {
                let status = l.status.as_deref().unwrap_or("-");
                let pad = " ".repeat(status_width - display_width(status));
                format!(
                    "{}{}  {status}{pad}  {}",
                    out.paint(Paint::Id, &l.short_id),
                    " ".repeat(short_width - l.short_id.len()),
                    l.title.as_deref().unwrap_or("(no valid issue has this id)"),
                )
            })
            .collect();
        fields.push(((*name).to_owned(), lines));
    }
    let width = fields
        .iter()
        .map(|(n, _)| display_width(n))
        .max()
        .unwrap_or(0);
    for (name, lines) in &fields {
        for (n, line) in lines.iter().enumerate() {
            let name = if n == 0 { name.as_str() } else { "" };
            let pad = " ".repeat(width - display_width(name));
            text.push_str(&format!("{}{pad}  {line}\n", out.paint(Paint::Dim, name)));
        }
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
            out.when(comment.created, ctx.now)
        );
        text.push('\n');
        text.push_str(&out.paint(Paint::Dim, &head));
        text.push('\n');
        text.push_str(&comment.body);
        if !comment.body.ends_with('\n') {
            text.push('\n');
        }
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
