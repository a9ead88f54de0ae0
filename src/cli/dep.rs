//! `yit dep add|rm|tree`: what an issue waits for (`depends_on`).

use std::collections::HashSet;

use clap::{Args, Subcommand};
use serde::Serialize;
use yit::model::deps::Graph;
use yit::model::id::IssueId;
use yit::store::{GraphEdit, Scan};

use super::output::{Paint, Shorts, display_width};
use super::{CommandError, Ctx, Format, report_edits};

/// Dependencies: `yit dep add A B` means A waits for B (B blocks A)
///
/// A dependency that would close a cycle is refused, with the cycle.
/// `yit ready` lists what waits for nothing open; `yit blocked` what waits.
///
/// Examples:
///   yit dep add 4k2f q8zn        4k2f waits for q8zn
///   yit dep add 4k2f q8zn m2n3   ... and for m2n3
///   yit dep rm 4k2f q8zn
///   yit dep tree 4k2f            what 4k2f waits for, and what waits for it
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct DepArgs {
    #[command(subcommand)]
    action: DepAction,
}

#[derive(Subcommand)]
enum DepAction {
    /// ID waits for each of ON...
    Add(Pair),
    /// ID no longer waits for ON... (ids of removed issues are accepted)
    Rm(Pair),
    /// What ID waits for and what waits for it, as trees
    Tree(TreeArgs),
}

#[derive(Args)]
struct Pair {
    /// The issue that waits
    id: String,
    /// The issues it waits for
    #[arg(required = true, value_name = "ON")]
    on: Vec<String>,
}

#[derive(Args)]
struct TreeArgs {
    id: String,
    /// Levels to draw in each direction
    #[arg(long, default_value_t = 10)]
    depth: usize,
}

pub fn cmd_dep(ctx: &mut Ctx, args: DepArgs) -> Result<(), CommandError> {
    match args.action {
        DepAction::Add(pair) => add(ctx, pair),
        DepAction::Rm(pair) => remove(ctx, pair),
        DepAction::Tree(tree) => draw(ctx, tree),
    }
}

fn add(ctx: &mut Ctx, pair: Pair) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let (mode, timeout) = (ctx.scan_mode(false), ctx.lock_timeout);
    let done = tracker.add_dependencies(&pair.id, &pair.on, mode, timeout, ctx.now)?;
    report(ctx, "waits for", done)
}

fn remove(ctx: &mut Ctx, pair: Pair) -> Result<(), CommandError> {
    let tracker = ctx.open_tracker()?;
    let (mode, timeout) = (ctx.scan_mode(false), ctx.lock_timeout);
    let done = tracker.remove_dependencies(&pair.id, &pair.on, mode, timeout, ctx.now)?;
    report(ctx, "no longer waits for", done)
}

fn report(ctx: &mut Ctx, verb: &str, done: GraphEdit) -> Result<(), CommandError> {
    let GraphEdit { edits, on, scan } = done;
    let (on, scan) = (&on[..], &scan);
    let format = ctx.format(
        "dep",
        &[Format::Table, Format::Ids, Format::Json],
        Format::Table,
    )?;
    // (the scan's listing: adding a dependency creates no file)
    let shorts = Shorts::Known(
        edits
            .iter()
            .map(|e| &e.issue.id)
            .chain(on)
            .map(|id| (id.clone(), scan.listing.short_id(id).to_owned()))
            .collect(),
    );
    if format != Format::Table {
        return report_edits(ctx, &shorts, "updated", &edits, true);
    }
    let Some(edit) = edits.first() else {
        return Ok(());
    };
    let id = ctx.out.paint(Paint::Id, shorts.of(&edit.issue.id));
    for to in on {
        let title = match scan.find(to) {
            Some(issue) => issue.title.as_str(),
            None if scan.listing.contains(to) => "(a file yit cannot read)",
            None => "(no such issue)",
        };
        let to = ctx.out.paint(Paint::Id, shorts.of(to));
        ctx.out.line(&format!("{id}  {verb}  {to}  {title}"))?;
    }
    if !edit.changed {
        ctx.note("nothing changed");
    }
    Ok(())
}

/// One issue in a drawn tree.
#[derive(Serialize)]
struct Node {
    id: String,
    short_id: String,
    title: Option<String>,
    status: Option<String>,
    /// The id names no issue.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    missing: bool,
    /// Already on the path from the root: a cycle.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    cycle: bool,
    /// Drawn earlier with its subtree.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    repeated: bool,
    /// Not drawn further (`--depth`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    truncated: bool,
    next: Vec<Node>,
}

struct Drawer<'a> {
    scan: &'a Scan,
    graph: Graph<'a>,
    depth: usize,
}

impl Drawer<'_> {
    fn node(
        &self,
        id: &IssueId,
        up: bool,
        path: &mut Vec<IssueId>,
        drawn: &mut HashSet<IssueId>,
    ) -> Node {
        let issue = self.scan.find(id);
        let mut node = Node {
            id: id.to_string(),
            short_id: self.scan.listing.short_id(id).to_owned(),
            title: issue.map(|i| i.title.clone()),
            status: issue.map(|i| i.status.clone()),
            missing: issue.is_none(),
            cycle: path.contains(id),
            repeated: false,
            truncated: false,
            next: Vec::new(),
        };
        if node.cycle || node.missing {
            return node;
        }
        if !drawn.insert(id.clone()) {
            node.repeated = true;
            return node;
        }
        let next: Vec<IssueId> = if up {
            self.graph
                .dependents(id)
                .iter()
                .map(|i| (*i).clone())
                .collect()
        } else {
            self.graph.depends_on(id).to_vec()
        };
        if path.len() >= self.depth {
            node.truncated = !next.is_empty();
            return node;
        }
        path.push(id.clone());
        node.next = next.iter().map(|n| self.node(n, up, path, drawn)).collect();
        path.pop();
        node
    }
}

fn draw(ctx: &mut Ctx, args: TreeArgs) -> Result<(), CommandError> {
    let format = ctx.format("dep tree", &[Format::Table, Format::Json], Format::Table)?;
    let tracker = ctx.open_tracker()?;
    let scan = super::session(ctx, &tracker).scan(ctx.scan_mode(false))?;
    let id = scan.listing.resolve(&args.id)?;
    if scan.find(&id).is_none() {
        // a broken file: its error
        tracker.load_issue(&id)?;
    }
    let drawer = Drawer {
        scan: &scan,
        graph: Graph::new(scan.issues.iter().map(|i| &**i)),
        depth: args.depth.max(1),
    };
    let root = drawer.node(&id, false, &mut Vec::new(), &mut HashSet::new());
    let blocks = drawer.node(&id, true, &mut Vec::new(), &mut HashSet::new());
    if format == Format::Json {
        return Ok(ctx.out.json(&super::output::envelope(serde_json::json!({
            "issue": { "id": root.id, "short_id": root.short_id, "title": root.title, "status": root.status },
            "depends_on": root.next,
            "blocks": blocks.next,
        })))?);
    }
    // the issue, then rows of (tree and short id, its width, status,
    // title), written with the statuses and titles in columns
    ctx.out.line(&format!(
        "{}  {}  {}",
        ctx.out.paint(Paint::Id, &root.short_id),
        root.status.as_deref().unwrap_or_default(),
        root.title.as_deref().unwrap_or_default()
    ))?;
    let mut rows: Vec<Row> = Vec::new();
    let sections = [("waits for", &root.next), ("blocks", &blocks.next)];
    let shown: Vec<_> = sections.iter().filter(|(_, n)| !n.is_empty()).collect();
    if shown.is_empty() {
        ctx.note("no dependencies either way");
    }
    let mut headings = Vec::new();
    for (n, (label, nodes)) in shown.iter().enumerate() {
        let last = n + 1 == shown.len();
        headings.push((
            rows.len(),
            format!("{}{label}", if last { "└─ " } else { "├─ " }),
        ));
        let indent = if last { "   " } else { "│  " };
        tree_rows(ctx, nodes, indent, &mut rows);
    }
    let left = rows.iter().map(|r| r.1).max().unwrap_or(0);
    let status = rows.iter().map(|r| display_width(&r.2)).max().unwrap_or(0);
    let mut headings = headings.into_iter().peekable();
    for (n, (tree, width, state, title)) in rows.iter().enumerate() {
        while let Some((_, heading)) = headings.next_if(|(at, _)| *at == n) {
            ctx.out.line(&heading)?;
        }
        let pad = " ".repeat(left - width);
        let state_pad = " ".repeat(status - display_width(state));
        let state = ctx.out.paint(Paint::Dim, state);
        ctx.out
            .line(format!("{tree}{pad}  {state}{state_pad}  {title}").trim_end())?;
    }
    Ok(())
}

/// A line of `dep tree`: the tree and short id (painted), its width, the
/// status and the title with its note.
type Row = (String, usize, String, String);

fn tree_rows(ctx: &Ctx, nodes: &[Node], indent: &str, rows: &mut Vec<Row>) {
    for (n, node) in nodes.iter().enumerate() {
        let last = n + 1 == nodes.len();
        let branch = if last { "└─ " } else { "├─ " };
        let note = if node.missing {
            " (no such issue)"
        } else if node.cycle {
            " (cycle)"
        } else if node.repeated {
            " (see above)"
        } else if node.truncated {
            " …"
        } else {
            ""
        };
        rows.push((
            format!(
                "{indent}{branch}{}",
                ctx.out.paint(Paint::Id, &node.short_id)
            ),
            display_width(indent) + display_width(branch) + node.short_id.len(),
            node.status.clone().unwrap_or_default(),
            format!("{}{note}", node.title.as_deref().unwrap_or_default()),
        ));
        let deeper = format!("{indent}{}", if last { "   " } else { "│  " });
        tree_rows(ctx, &node.next, &deeper, rows);
    }
}
