//! The tools of `yit mcp`: each a typed set of arguments (its JSON schema
//! is derived from the type, and an unknown or mistyped argument is a tool
//! error naming it), a description written for a model, and a call of the
//! same library operation the command line makes. Results are the records
//! of `--json`, in its envelope; errors are the command line's, with the
//! same kinds and messages.

use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use yit::model::edit::Change;
use yit::ops::Shorts;

use crate::front::Ctx;
use crate::front::error::CommandError;
use crate::front::request::{FieldEdit, List, NewIssue, listed, person, shown};

/// One tool: its name, what a model is told of it, its arguments' schema,
/// and what it does.
pub struct ToolDef {
    pub name: &'static str,
    pub description: &'static str,
    pub schema: fn() -> Value,
    /// Whether it only reads.
    pub read_only: bool,
    pub call: fn(&mut Ctx, Value) -> Result<Value, CommandError>,
    /// The text rendering of a result, with its details or not (`None`:
    /// the JSON itself, with the same JSON as structured content).
    pub text: Option<fn(&Value, bool) -> String>,
}

fn schema<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default()
}

/// The arguments of a call, read as `T` (unknown keys refused).
fn args<T: DeserializeOwned>(value: Value) -> Result<T, CommandError> {
    serde_json::from_value(value)
        .map_err(|e| CommandError::usage(format!("the tool's arguments: {e}")))
}

macro_rules! tool {
    ($name:literal, $args:ty, $read_only:expr, $run:expr, $description:literal) => {
        tool!($name, $args, $read_only, $run, $description, None)
    };
    ($name:literal, $args:ty, $read_only:expr, $run:expr, $description:literal, $text:expr) => {
        ToolDef {
            name: $name,
            description: $description,
            schema: schema::<$args>,
            read_only: $read_only,
            call: |ctx, value| {
                let a: $args = args(value)?;
                let run: fn(&mut Ctx, $args) -> Result<Value, CommandError> = $run;
                run(ctx, a)
            },
            text: $text,
        }
    };
}

/// Every tool, in the order they are listed.
pub const TOOLS: &[ToolDef] = &[
    tool!(
        "list",
        ListArgs,
        true,
        list,
        "List issues, like `yit list QUERY --json`. `query` is yit's query language (e.g. `label:bug priority:<=1 assignee:me is:ready \"exact phrase\" words`); without a status term only issues that are not closed are listed (`all` includes closed ones). Sorted by priority (0 is most urgent), then age, unless `sort` says otherwise; at most `limit` issues (default 50). Returns a line per issue with its short id (any tool takes it), priority, status, type, assignee, title and labels; `details` adds each issue's parent, dependencies, body and comments (large: prefer `show` for the issues you need). With `json`, the `--json` records (`issues`) come as structured content too.",
        Some(super::text::issues)
    ),
    tool!(
        "search",
        SearchArgs,
        true,
        search,
        "Full-text search of titles, bodies and comments, best match first (title matches, then BM25), like `yit search QUERY --json`. `query` must contain words to search for and may contain any query-language term to filter. Returns how many issues match and a line per hit (as `list` prints it) with its snippet; with `json`, also `matched` and `hits` (records with a score, a snippet and title highlights) as structured content.",
        Some(super::text::search)
    ),
    tool!(
        "show",
        IdArgs,
        true,
        show,
        "One issue with everything about it, like `yit show ID --json`: its record (body and comments included), `related` (parent, the issues it waits for, the issues waiting for it, its children), `commits` that mention it, and `version`, the file's content hash, which `edit` accepts to refuse an edit if the issue changed since you read it. `id` is a full id or any unique prefix."
    ),
    tool!(
        "ready",
        QueryArgs,
        true,
        ready,
        "Issues that can be started now: not closed, not in progress, and waiting for no open issue (nor under a parent that waits), highest priority first, then oldest. Like `yit ready --json`. Pick one and `claim` it before working on it. `query` narrows the list (e.g. `label:backend`). Returns a line per issue, as `list` does (`details`, `json` as there).",
        Some(super::text::issues)
    ),
    tool!(
        "blocked",
        QueryArgs,
        true,
        blocked,
        "Issues waiting for an open issue, each with the issues it waits for (`waits_for`) and the parent that holds it back (`parent_waits`), like `yit blocked --json`: a line per issue, with what it waits for under it (`details`, `json` as for `list`).",
        Some(super::text::blocked)
    ),
    tool!(
        "new",
        NewIssue,
        false,
        |ctx, a| a.create_json(ctx),
        "Create one issue, like `yit new --json`. Only `title` is required. `type`, `status` and `priority` must be ones config.yaml allows (priority 0, most urgent, to 4); `parent` and `depends_on` name existing issues by id or prefix. `assignee` is `Name <email>`, an email, or `me`. Returns the new `issue`."
    ),
    tool!(
        "new_plan",
        PlanArgs,
        false,
        new_plan,
        "Create several linked issues at once, all or none, like `yit new --from-file`: `plan` is YAML, a list of issues where each may have a `key`, and `parent:`/`depends_on:` may name keys of the plan or existing issues (the format is in docs/format.md, Plans). Nothing is created if any entry is invalid or would close a dependency cycle. Returns `issues` and `keys` (each key's new id)."
    ),
    tool!(
        "edit",
        FieldEdit,
        false,
        |ctx, a| {
            ctx.fence(&a.id)?;
            a.apply_json(ctx)
        },
        "Change fields of one issue, like `yit edit ID ... --json`: any of title, status, priority, type, body (replaces it), add_labels, remove_labels, assignee (`me`, a person, or null to unassign), parent (an id or prefix, or null for none). Pass `version` from `show` to have the edit refused, and nothing written, if the issue changed since you read it. Returns the `issue`."
    ),
    tool!(
        "comment",
        CommentArgs,
        false,
        comment,
        "Add a comment (Markdown) to an issue, as you. Returns the `issue`."
    ),
    tool!(
        "close",
        CloseArgs,
        false,
        close,
        "Close issues (all or none). `reason`, if given, is added as a comment on each; `as` picks a closed status other than the first one config.yaml lists (e.g. `wontfix`). Returns the `issues`."
    ),
    tool!(
        "reopen",
        IdsArgs,
        false,
        reopen,
        "Reopen closed issues: they go back to the initial status. Returns the `issues`."
    ),
    tool!(
        "label",
        LabelArgs,
        false,
        label,
        "Add and remove labels on issues (all or none). Returns the `issues`."
    ),
    tool!(
        "assign",
        AssignArgs,
        false,
        assign,
        "Assign issues to `person` (`me`, `Name <email>` or an email), or unassign them with `person: null`. Returns the `issues`. To take work for yourself prefer `claim`, which is atomic."
    ),
    tool!(
        "claim",
        ClaimArgs,
        false,
        claim,
        "Claim an issue for yourself: a lease that every worktree and clone sees (taken by compare-and-swap of a git ref, on the remote too when there is one), and the issue assigned to you and in progress. Refused, naming the holder and when their lease expires, when someone else holds it (another agent may have claimed it first: pick another issue), and refused when it is closed. With `strict`, also refused when it waits for an open issue. This session renews its leases while it runs and releases them when it ends; a write of this session to an issue claimed by someone else since is refused. Returns the `issue` and its `lease` (holder, fencing `token`, `expires`)."
    ),
    tool!(
        "release",
        IdArgs,
        false,
        release,
        "Give up this session's claim of an issue: its lease released everywhere, and the issue back to the initial status, unassigned. Refused when the lease is someone else's. Returns the `issue` and the released `lease`."
    ),
    tool!(
        "dep_add",
        DepArgs,
        false,
        dep_add,
        "Make issue `id` wait for each issue in `on` (it is blocked until they are closed). Refused, naming the cycle, if it would close one; nothing changes then. Returns the `issue`."
    ),
    tool!(
        "dep_rm",
        DepArgs,
        false,
        dep_rm,
        "Make issue `id` no longer wait for the issues in `on`. Returns the `issue`."
    ),
    tool!(
        "log",
        LogArgs,
        true,
        log,
        "An issue's history from git: the commits that changed its file, newest first, each with what it changed in words (`status: open → closed`); with `mentions`, also commits whose messages mention it. Like `yit log ID --json`."
    ),
];

/// The arguments of `list`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListArgs {
    /// A query in yit's query language; empty lists every issue that is not closed.
    #[serde(default)]
    query: String,
    /// The order: priority (default), created (newest first), updated (most recent first) or id.
    #[serde(default)]
    sort: Option<yit::query::SortKey>,
    /// Reverse the order.
    #[serde(default)]
    reverse: bool,
    /// At most this many issues (default 50).
    #[serde(default)]
    limit: Option<usize>,
    /// Include closed issues.
    #[serde(default)]
    all: bool,
    /// Also each issue's author, times, body, comments, parent and
    /// dependencies (large: prefer `show` for the issues you need).
    #[serde(default)]
    details: bool,
    /// Also return the `--json` records as structured content (the text
    /// is then the lines alone).
    #[serde(default)]
    #[allow(dead_code)] // read by the server, which renders the answer
    json: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    /// Words (and any query-language terms) to search for.
    query: String,
    /// At most this many hits (default 20).
    #[serde(default)]
    limit: Option<usize>,
    /// Include closed issues.
    #[serde(default)]
    all: bool,
    /// Also return the `--json` records as structured content (the text
    /// is then the lines alone).
    #[serde(default)]
    #[allow(dead_code)] // read by the server, which renders the answer
    json: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct IdArgs {
    /// An issue id or a unique prefix of one.
    id: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct QueryArgs {
    /// A query in yit's query language to narrow the list.
    #[serde(default)]
    query: String,
    /// At most this many issues (default 50).
    #[serde(default)]
    limit: Option<usize>,
    /// Also each issue's author, times, body, comments, parent and
    /// dependencies.
    #[serde(default)]
    details: bool,
    /// Also return the `--json` records as structured content (the text
    /// is then the lines alone).
    #[serde(default)]
    #[allow(dead_code)] // read by the server, which renders the answer
    json: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PlanArgs {
    /// The plan, as YAML text.
    plan: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CommentArgs {
    id: String,
    /// Markdown.
    body: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CloseArgs {
    /// Ids or prefixes.
    ids: Vec<String>,
    #[serde(default)]
    reason: Option<String>,
    /// A closed status other than the first (e.g. `wontfix`).
    #[serde(default, rename = "as")]
    status: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct IdsArgs {
    /// Ids or prefixes.
    ids: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LabelArgs {
    ids: Vec<String>,
    #[serde(default)]
    add: Vec<String>,
    #[serde(default)]
    remove: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AssignArgs {
    ids: Vec<String>,
    /// `me`, `Name <email>`, an email, or null to unassign.
    person: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClaimArgs {
    id: String,
    /// Also refuse when the issue waits for an open issue.
    #[serde(default)]
    strict: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DepArgs {
    id: String,
    /// Ids or prefixes.
    on: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LogArgs {
    id: String,
    /// Also the commits whose messages mention it.
    #[serde(default)]
    mentions: bool,
}

/// The query `text` asks, with ` extra` (`is:ready`) and `limit`.
fn query(
    ctx: &Ctx,
    text: &str,
    extra: &str,
    limit: Option<usize>,
    details: bool,
) -> Result<yit::query::ListQuery, CommandError> {
    let list = List {
        query: text.to_owned(),
        limit: Some(limit.unwrap_or(50)),
        ..List::default()
    };
    let mut query = list.query(ctx, extra)?;
    query.details = details;
    Ok(query)
}

fn list(ctx: &mut Ctx, a: ListArgs) -> Result<Value, CommandError> {
    let list = List {
        query: a.query,
        sort: a.sort,
        reverse: a.reverse,
        limit: Some(a.limit.unwrap_or(50)),
        all: a.all,
    };
    let mut q = list.query(ctx, "")?;
    q.details = a.details;
    listed(ctx, &q)
}

fn search(ctx: &mut Ctx, a: SearchArgs) -> Result<Value, CommandError> {
    let mut q = query(ctx, &a.query, "", Some(a.limit.unwrap_or(20)), false)?;
    q.all = a.all;
    q.check_search()
        .map_err(|e| CommandError::usage(e.to_string()))?;
    let mut answers = yit::ops::Answers::default();
    let mode = ctx.mode;
    let result = ctx.session().search(&q, mode, &mut answers)?;
    Ok(yit::ops::json::search(result.matched, &result.hits))
}

fn show(ctx: &mut Ctx, a: IdArgs) -> Result<Value, CommandError> {
    shown(ctx, &a.id)
}

fn ready(ctx: &mut Ctx, a: QueryArgs) -> Result<Value, CommandError> {
    let q = query(ctx, &a.query, "is:ready", a.limit, a.details)?;
    listed(ctx, &q)
}

fn blocked(ctx: &mut Ctx, a: QueryArgs) -> Result<Value, CommandError> {
    let q = query(ctx, &a.query, "is:blocked", a.limit, a.details)?;
    let needs = a.details || q.filter.as_ref().is_some_and(|f| f.needs_details());
    let mode = ctx.mode.with_details(needs);
    let scan = ctx.session().scan(mode)?;
    let config = ctx.tracker.config();
    let result = yit::ops::list_over(&scan, config, &q);
    let rows = yit::ops::json::waiting(&scan, config, &result.records, a.details);
    Ok(yit::ops::json::blocked(&rows))
}

fn new_plan(ctx: &mut Ctx, a: PlanArgs) -> Result<Value, CommandError> {
    let author = ctx.author()?;
    let created =
        ctx.tracker
            .run_plan(&a.plan, Path::new("<plan>"), author, &ctx.clock, &|_| {})?;
    let shorts = Shorts::Listing(ctx.take_session().into_listing()?);
    Ok(yit::ops::json::plan(
        &created.issues,
        &created.keys,
        &shorts,
    ))
}

fn comment(ctx: &mut Ctx, a: CommentArgs) -> Result<Value, CommandError> {
    ctx.fence(&a.id)?;
    let written = ctx.take_session().comment(&a.id, a.body, ctx.clock)?;
    Ok(yit::ops::json::edits(&written.edits, &written.shorts, true))
}

fn close(ctx: &mut Ctx, a: CloseArgs) -> Result<Value, CommandError> {
    for id in &a.ids {
        ctx.fence(id)?;
    }
    let written =
        ctx.take_session()
            .close(&a.ids, a.status.as_deref(), a.reason.as_deref(), ctx.clock)?;
    let mut value = yit::ops::json::edits(&written.edits, &written.shorts, false);
    let unchanged: Vec<&str> = written
        .edits
        .iter()
        .filter(|e| !e.changed)
        .map(|e| written.shorts.of(&e.issue.id))
        .collect();
    if a.reason.is_some() && !unchanged.is_empty() {
        value["warning"] = format!(
            "already closed, so the reason was not added to {}; use `comment` to add it",
            unchanged.join(", ")
        )
        .into();
    }
    Ok(value)
}

fn reopen(ctx: &mut Ctx, a: IdsArgs) -> Result<Value, CommandError> {
    let written = ctx.take_session().reopen(&a.ids, ctx.clock)?;
    Ok(yit::ops::json::edits(
        &written.edits,
        &written.shorts,
        false,
    ))
}

fn label(ctx: &mut Ctx, a: LabelArgs) -> Result<Value, CommandError> {
    if a.add.is_empty() && a.remove.is_empty() {
        return Err(CommandError::usage(
            "nothing to change: give labels to add or remove",
        ));
    }
    let changes: Vec<Change> = a
        .add
        .into_iter()
        .map(Change::AddLabel)
        .chain(a.remove.into_iter().map(Change::RemoveLabel))
        .collect();
    let written = ctx.take_session().change(&a.ids, &changes, ctx.clock)?;
    Ok(yit::ops::json::edits(
        &written.edits,
        &written.shorts,
        false,
    ))
}

fn assign(ctx: &mut Ctx, a: AssignArgs) -> Result<Value, CommandError> {
    let change = Change::Assignee(person(ctx.tracker, a.person.as_deref())?);
    let written = ctx.take_session().change(&a.ids, &[change], ctx.clock)?;
    Ok(yit::ops::json::edits(
        &written.edits,
        &written.shorts,
        false,
    ))
}

fn claim(ctx: &mut Ctx, a: ClaimArgs) -> Result<Value, CommandError> {
    let claimed = ctx
        .take_session()
        .claim(&a.id, a.strict, false, ctx.clock)?;
    let lease = &claimed.taken.lease;
    ctx.hold(lease.issue.as_str(), Some(lease.token));
    let mut value = yit::ops::json::edits(&claimed.written.edits, &claimed.written.shorts, true);
    value["lease"] = yit::ops::json::lease(lease, ctx.clock.now);
    if let Some((at, blockers)) = &claimed.waits {
        let shorts = &claimed.written.shorts;
        value["warning"] =
            yit::store::describe_wait(&claimed.written.edits[0].issue.id, at, blockers, &|id| {
                shorts.of(id).to_owned()
            })
            .into();
    }
    Ok(value)
}

fn release(ctx: &mut Ctx, a: IdArgs) -> Result<Value, CommandError> {
    let id = ctx.session().resolve(&a.id)?.to_string();
    let token = ctx.held.and_then(|h| {
        h.lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .copied()
    });
    let (lease, written) = ctx.take_session().release(&id, token, ctx.clock)?;
    ctx.hold(&id, None);
    let mut value = yit::ops::json::edits(&written.edits, &written.shorts, true);
    value["lease"] = yit::ops::json::lease(&lease, ctx.clock.now);
    Ok(value)
}

/// `Tracker::add_dependencies` or `remove_dependencies`.
type GraphChange = fn(
    &yit::store::Tracker,
    &str,
    &[String],
    yit::store::ScanMode,
    std::time::Duration,
    jiff::Timestamp,
) -> Result<yit::store::GraphEdit, yit::store::StoreError>;

/// A change to the graph, under its lock: the `issue` it changed.
fn graph(ctx: &mut Ctx, a: DepArgs, change: GraphChange) -> Result<Value, CommandError> {
    let edit = change(
        ctx.tracker,
        &a.id,
        &a.on,
        ctx.mode,
        ctx.clock.lock_timeout,
        ctx.clock.now,
    )?;
    // (the scan's listing: a dependency creates no file)
    let shorts = Shorts::Known(
        edit.edits
            .iter()
            .map(|e| &e.issue.id)
            .chain(&edit.on)
            .map(|id| (id.clone(), edit.scan.listing.short_id(id).to_owned()))
            .collect(),
    );
    Ok(yit::ops::json::edits(&edit.edits, &shorts, true))
}

fn dep_add(ctx: &mut Ctx, a: DepArgs) -> Result<Value, CommandError> {
    graph(ctx, a, yit::store::Tracker::add_dependencies)
}

fn dep_rm(ctx: &mut Ctx, a: DepArgs) -> Result<Value, CommandError> {
    graph(ctx, a, yit::store::Tracker::remove_dependencies)
}

fn log(ctx: &mut Ctx, a: LogArgs) -> Result<Value, CommandError> {
    let log = ctx.session().log(&a.id, a.mentions)?;
    Ok(yit::ops::json::log(&log))
}
