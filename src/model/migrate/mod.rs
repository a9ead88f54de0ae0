//! Migration between yit and the other git-native trackers: beads
//! (`.beads/issues.jsonl`), Backlog.md (`backlog/tasks/*.md`) and tbd
//! (`.tbd/data-sync/issues/*.md`). Pure: the store reads the files, this
//! module turns their issues into yit's and back.
//!
//! Every source issue is read as an [`Item`]: its id, where it is, and an
//! object holding every key and value as the source wrote it (the
//! Markdown formats add their body under `body`). A tool's module maps
//! that object to a yit [`Issue`] and, the other way, regenerates the
//! object from an issue. The keys yit has no field for become keys of the
//! issue file under their own names; the `origin:` key records the tool,
//! the original id, the source values that did not come back exactly when
//! regenerated (a time with fractions of a second, a list of assignees),
//! and a digest of each key's value as imported, which a second import
//! compares three ways (the last import, here, the source now) and an
//! export compares to put back the source's exact values where nothing
//! changed here.

pub mod backlog;
pub mod beads;
pub mod tbd;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use jiff::Timestamp;
use serde_json::Value;

use crate::model::config::Config;
use crate::model::edit::Change;
use crate::model::id::IssueId;
use crate::model::issue::{self, Comment, Issue};
use crate::model::problem::Problem;

pub type Object = serde_json::Map<String, Value>;

/// The key of an issue file that says where an imported issue came from.
pub const ORIGIN_KEY: &str = "origin";

/// A tracker yit migrates from (and, beads and Backlog.md, to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    Beads,
    Backlog,
    Tbd,
}

impl Tool {
    pub const ALL: [Tool; 3] = [Tool::Beads, Tool::Backlog, Tool::Tbd];

    pub fn name(self) -> &'static str {
        match self {
            Tool::Beads => "beads",
            Tool::Backlog => "backlog",
            Tool::Tbd => "tbd",
        }
    }

    pub fn named(name: &str) -> Option<Tool> {
        Tool::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// Whether `yit export --to` writes this tool's format.
    pub fn exports(self) -> bool {
        !matches!(self, Tool::Tbd)
    }

    /// Ids compared as the tool compares them (Backlog.md ignores case).
    pub fn key(self, id: &str) -> String {
        match self {
            Tool::Backlog => id.to_lowercase(),
            _ => id.to_owned(),
        }
    }

    /// The source key that carries each yit field, for a second import's
    /// updates (keys not listed are kept under their own names).
    fn field_of(self, key: &str) -> Field {
        match self {
            Tool::Beads => beads::field_of(key),
            Tool::Backlog => backlog::field_of(key),
            Tool::Tbd => tbd::field_of(key),
        }
    }

    fn to_issue(self, item: &Item, cx: &mut ToYit) -> Issue {
        match self {
            Tool::Beads => beads::to_issue(item, cx),
            Tool::Backlog => backlog::to_issue(item, cx),
            Tool::Tbd => tbd::to_issue(item, cx),
        }
    }

    /// The object this tool's file would hold for `issue`.
    pub fn object_of(self, issue: &Issue, cx: &FromYit) -> Object {
        match self {
            Tool::Beads => beads::object_of(issue, cx),
            Tool::Backlog => backlog::object_of(issue, cx),
            Tool::Tbd => tbd::object_of(issue, cx),
        }
    }
}

/// One issue of another tracker, as read.
#[derive(Clone, Debug)]
pub struct Item {
    /// The id as the source writes it (`bd-a1b2`, `task-12`, `proj-a7k2`).
    pub id: String,
    /// The file it is in, and its line there (a JSONL line; the first line
    /// of a Markdown file).
    pub path: PathBuf,
    pub line: Option<u64>,
    /// Where the file is under the source's folder (Markdown formats).
    pub file: Option<String>,
    /// Every key and value as the source wrote it.
    pub object: Object,
    /// Other ids the source names this issue by in texts (tbd's internal
    /// `is-…` id besides its display id).
    pub aliases: Vec<String>,
}

impl Item {
    pub fn problem(&self, message: impl Into<String>) -> Problem {
        Problem {
            path: self.path.clone(),
            line: self.line,
            column: None,
            message: format!("{}: {}", self.id, message.into()),
        }
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.object.get(key).and_then(Value::as_str)
    }
}

/// The yit field a source key carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Id,
    Title,
    Body,
    Status,
    Priority,
    Kind,
    Labels,
    Assignee,
    Author,
    Created,
    Updated,
    Comments,
    Parent,
    DependsOn,
    /// The parent and the dependencies (beads' `dependencies`).
    Links,
    /// Kept under its own key in the issue file.
    Own,
}

/// How source values map to yit's (`--status-map`, `--type-map`,
/// `--priority-map`): source value (compared ignoring case) to yit value.
#[derive(Clone, Debug, Default)]
pub struct Maps {
    pub status: Vec<(String, String)>,
    pub kind: Vec<(String, String)>,
    pub priority: Vec<(String, u8)>,
}

/// Source values no map, configured name or built-in rule maps, by field
/// (`status`, `type`, `priority`), each with the issues that use it.
pub type Unmapped = BTreeMap<&'static str, BTreeMap<String, Vec<String>>>;

/// The ids on both sides of a migration: each source id's yit id.
#[derive(Debug, Default)]
pub struct Ids {
    to_yit: HashMap<String, IssueId>,
    to_source: HashMap<IssueId, String>,
}

impl Ids {
    pub fn insert(&mut self, tool: Tool, source: &str, id: IssueId) {
        self.to_yit.insert(tool.key(source), id.clone());
        self.to_source
            .entry(id)
            .or_insert_with(|| source.to_owned());
    }

    /// An alias the source also names an issue by (not written back).
    pub fn alias(&mut self, tool: Tool, alias: &str, id: IssueId) {
        self.to_yit.insert(tool.key(alias), id);
    }

    pub fn yit(&self, tool: Tool, source: &str) -> Option<&IssueId> {
        self.to_yit.get(&tool.key(source))
    }

    pub fn source(&self, id: &IssueId) -> Option<&str> {
        self.to_source.get(id).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.to_source.is_empty()
    }
}

/// What mapping an item to yit needs: the configuration, the maps, every
/// id, and where values nothing maps are gathered.
pub struct ToYit<'a> {
    pub tool: Tool,
    pub config: &'a Config,
    pub maps: &'a Maps,
    pub ids: &'a Ids,
    pub unmapped: Unmapped,
    /// Problems of the item being mapped (a bad time, a missing link).
    pub problems: Vec<Problem>,
    /// Mapped values, for the report: (field, source value) to the yit
    /// value and how many issues have it.
    pub mapped: BTreeMap<(&'static str, String), (String, usize)>,
    /// Source keys kept under their own names, with how many issues have
    /// them.
    pub kept: BTreeMap<String, usize>,
    /// The item being mapped.
    at: Option<(PathBuf, Option<u64>, String)>,
}

impl<'a> ToYit<'a> {
    pub fn new(tool: Tool, config: &'a Config, maps: &'a Maps, ids: &'a Ids) -> ToYit<'a> {
        ToYit {
            tool,
            config,
            maps,
            ids,
            unmapped: Unmapped::new(),
            problems: Vec::new(),
            mapped: BTreeMap::new(),
            kept: BTreeMap::new(),
            at: None,
        }
    }

    fn problem(&mut self, message: impl Into<String>) {
        let (path, line, id) = self.at.clone().unwrap_or_default();
        self.problems.push(Problem {
            path,
            line,
            column: None,
            message: format!("{id}: {}", message.into()),
        });
    }

    fn unmapped(&mut self, field: &'static str, value: &str) {
        let id = self.at.as_ref().map(|a| a.2.clone()).unwrap_or_default();
        self.unmapped
            .entry(field)
            .or_default()
            .entry(value.to_owned())
            .or_default()
            .push(id);
    }

    /// A status: mapped by `--status-map`, else a configured status of that
    /// name (any case), else the tool's own word for the configured
    /// initial, active or closed status.
    pub fn status(&mut self, raw: &str, builtin: &[(&str, Role)]) -> String {
        let found = mapped(&self.maps.status, raw)
            .or_else(|| self.config.status_named(raw).ok())
            .or_else(|| mapped(builtin, raw).map(|role| role.status(self.config).to_owned()));
        self.note("status", raw, found)
            .unwrap_or_else(|| self.config.initial_status().to_owned())
    }

    /// A type: by `--type-map`, else a configured type of that name.
    pub fn kind(&mut self, raw: Option<&str>) -> String {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return self.config.default_type.clone();
        };
        let found = mapped(&self.maps.kind, raw).or_else(|| self.config.type_named(raw).ok());
        self.note("type", raw, found)
            .unwrap_or_else(|| self.config.default_type.clone())
    }

    /// A priority: by `--priority-map`, else the tool's words, else a
    /// number 0..4 (`P1` too).
    pub fn priority(&mut self, raw: Option<&Value>, words: &[(&str, u8)]) -> u8 {
        let text = match raw {
            None | Some(Value::Null) => return self.config.default_priority,
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let found = mapped(&self.maps.priority, &text)
            .or_else(|| mapped(words, &text))
            .or_else(|| Config::parse_priority(&text).ok());
        let shown = found.map(|p| p.to_string());
        self.note("priority", &text, shown)
            .and_then(|p| p.parse().ok())
            .unwrap_or(self.config.default_priority)
    }

    fn note(&mut self, field: &'static str, raw: &str, found: Option<String>) -> Option<String> {
        match found {
            Some(value) => {
                if value != raw {
                    let entry = self
                        .mapped
                        .entry((field, raw.to_owned()))
                        .or_insert_with(|| (value.clone(), 0));
                    entry.1 += 1;
                }
                Some(value)
            }
            None => {
                self.unmapped(field, raw);
                None
            }
        }
    }

    /// A person as yit keeps one: `Name <email>` as written, else the
    /// name with an address under `<tool>.invalid` (a reserved domain:
    /// it is plainly not an address, and an export takes it off again).
    pub fn person(&self, raw: &str) -> Option<String> {
        person(self.tool, raw)
    }

    /// A time as the source writes it, to the whole second (`what` names
    /// the key in a problem).
    pub fn time(&mut self, raw: Option<&str>, what: &str) -> Option<Timestamp> {
        let raw = raw?.trim();
        match parse_time(raw) {
            Some(t) => Some(issue::whole_seconds(t)),
            None => {
                self.problem(format!("{what}: {raw:?} is not a time"));
                None
            }
        }
    }

    /// The yit id of the issue the source calls `raw` (`what` names the
    /// link in a problem): it must be imported now or before.
    pub fn link(&mut self, raw: &str, what: &str) -> Option<IssueId> {
        match self.ids.yit(self.tool, raw.trim()) {
            Some(id) => Some(id.clone()),
            None => {
                self.problem(format!(
                    "{what} {raw:?} is not an issue of this {} tracker",
                    self.tool.name()
                ));
                None
            }
        }
    }

    /// `text` with every source id it names (an issue imported now or
    /// before) as `<yit id> (<source id>)`.
    pub fn rewrite(&self, text: &str) -> String {
        rewrite(text, |token| {
            self.ids
                .yit(self.tool, token)
                .map(|id| format!("{id} ({token})"))
        })
    }
}

/// What `map` maps `raw` to, its names compared ignoring case.
fn mapped<K: AsRef<str>, T: Clone>(map: &[(K, T)], raw: &str) -> Option<T> {
    map.iter()
        .find(|(from, _)| from.as_ref().eq_ignore_ascii_case(raw))
        .map(|(_, to)| to.clone())
}

/// Where a tool keeps the fields every tool has, and its words for them.
pub(super) struct Keys<'a> {
    pub body: &'a str,
    /// The status of an issue without one.
    pub no_status: &'a str,
    pub statuses: &'a [(&'a str, Role)],
    pub priorities: &'a [(&'a str, u8)],
    /// `None`: the tool has no types (every issue the default type).
    pub kind: Option<&'a str>,
    /// A name, or a list whose first is the assignee.
    pub assignee: &'a str,
    pub author: &'a str,
    pub created: &'a str,
    pub updated: &'a str,
}

/// The issue `item` is, with the fields every tool has mapped (its id,
/// title, body, status, priority, type, labels and times): each tool's
/// module adds its own.
pub(super) fn common(item: &Item, cx: &mut ToYit, keys: &Keys) -> Issue {
    let o = &item.object;
    let id = cx.ids.yit(cx.tool, &item.id).cloned();
    let mut issue = Issue::stub(id.expect("every item has its yit id before it is mapped"));
    issue.title = item.str("title").unwrap_or_default().trim().to_owned();
    if let Err(e) = crate::model::field::check_title(&issue.title) {
        cx.problem(format!("title: {e}"));
    }
    issue.body = cx.rewrite(&text(o.get(keys.body)));
    issue.status = cx.status(item.str("status").unwrap_or(keys.no_status), keys.statuses);
    issue.priority = cx.priority(o.get("priority"), keys.priorities);
    issue.kind = match keys.kind {
        Some(key) => cx.kind(item.str(key)),
        None => cx.config.default_type.clone(),
    };
    let mut labels: Vec<String> = Vec::new();
    for label in o
        .get("labels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let label = scalar(Some(label)).unwrap_or_default();
        match cx.config.check_issue_label(&label) {
            Ok(()) if !labels.contains(&label) => labels.push(label),
            Ok(()) => {}
            Err(e) => cx.problem(format!("label: {e}")),
        }
    }
    issue.labels = labels;
    issue.assignee = backlog::strings(o.get(keys.assignee))
        .first()
        .and_then(|a| cx.person(a));
    issue.author = scalar(o.get(keys.author)).and_then(|a| cx.person(&a));
    let created = scalar(o.get(keys.created));
    if created.is_none() {
        cx.problem(format!("{} is missing", keys.created));
    }
    issue.created = cx
        .time(created.as_deref(), keys.created)
        .unwrap_or(issue.created);
    issue.updated = cx
        .time(scalar(o.get(keys.updated)).as_deref(), keys.updated)
        .unwrap_or(issue.created);
    issue
}

/// `issue`'s author and times under `keys`' names, the times in RFC 3339
/// (beads and tbd write them alike).
pub(super) fn put_author_and_times(o: &mut Object, issue: &Issue, cx: &FromYit, keys: &Keys) {
    if let Some(a) = &issue.author {
        o.insert(keys.author.into(), cx.person(a).into());
    }
    o.insert(
        keys.created.into(),
        issue::format_time(issue.created).into(),
    );
    o.insert(
        keys.updated.into(),
        issue::format_time(issue.updated).into(),
    );
}

/// A text with CRLF line breaks as LF (yit's files keep LF).
pub(super) fn text(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .replace("\r\n", "\n")
}

/// A scalar as text (`created_date: 2025-06-08` may read as a string or
/// a number-like scalar); `None` for null or nothing.
pub(super) fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The role of a status a tool's word means.
#[derive(Clone, Copy, Debug)]
pub enum Role {
    Initial,
    Active,
    Closed,
}

impl Role {
    fn status(self, config: &Config) -> &str {
        match self {
            Role::Initial => config.initial_status(),
            Role::Active => config.active_status(),
            Role::Closed => config.closed_status(),
        }
    }
}

/// What regenerating a source object needs: the ids issues have in the
/// target (source ids of imported issues, new ones for the others).
pub struct FromYit<'a> {
    pub tool: Tool,
    pub config: &'a Config,
    pub ids: &'a Ids,
}

impl FromYit<'_> {
    /// The target's id of yit issue `id` (its own id when it has none).
    pub fn id(&self, id: &IssueId) -> String {
        self.ids
            .source(id)
            .map(str::to_owned)
            .unwrap_or_else(|| id.to_string())
    }

    /// `text` with every `<yit id> (<source id>)` an import wrote back as
    /// the source id.
    pub fn unwrite(&self, text: &str) -> String {
        unwrite(text, self.ids)
    }

    /// A person as the source wrote it: an address under
    /// `<tool>.invalid` is taken off again.
    pub fn person(&self, person: &str) -> String {
        let suffix = format!("@{}.invalid>", self.tool.name());
        match person.strip_suffix(&suffix) {
            Some(rest) => rest
                .rsplit_once(" <")
                .map_or(rest, |(name, _)| name)
                .to_owned(),
            None => person.to_owned(),
        }
    }
}

/// A person as yit keeps one (see [`ToYit::person`]); `None` for an
/// empty name.
fn person(tool: Tool, raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if crate::model::field::check_person(raw).is_ok() {
        return Some(raw.to_owned());
    }
    let name: String = raw
        .chars()
        .filter(|c| !matches!(c, '<' | '>') && !c.is_control())
        .collect();
    let local: String = name
        .trim_start_matches('@')
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '+') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let local = if local.is_empty() { "someone" } else { &local };
    Some(format!("{} <{local}@{}.invalid>", name.trim(), tool.name()))
}

/// RFC 3339 (`2025-10-14T12:34:56.123-07:00`), or Backlog.md's local
/// `2025-06-08 14:22` and `2025-06-08`, read as UTC.
pub fn parse_time(raw: &str) -> Option<Timestamp> {
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Some(t);
    }
    let civil = |text: &str| -> Option<Timestamp> {
        let dt: jiff::civil::DateTime = text.parse().ok()?;
        jiff::tz::TimeZone::UTC.to_timestamp(dt).ok()
    };
    let day = |date: jiff::civil::Date| {
        jiff::tz::TimeZone::UTC
            .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
            .ok()
    };
    civil(raw)
        .or_else(|| civil(&raw.replacen(' ', "T", 1)))
        .or_else(|| day(raw.parse().ok()?))
        .or_else(|| {
            // Backlog.md's older dates: `08-06-25`, `08/06/25`, `08.06.25`
            // (day, month, year in this century)
            let parts: Vec<&str> = raw.split(['-', '/', '.']).collect();
            let [d, m, y] = parts[..] else { return None };
            let two_digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
            if ![d, m, y].into_iter().all(two_digits) {
                return None;
            }
            let n = |p: &str| p.parse::<i8>().ok();
            day(jiff::civil::Date::new(2000 + i16::from(n(y)?), n(m)?, n(d)?).ok()?)
        })
}

/// Replaces each token of `text` (a run of letters, digits, `-`, `_` and
/// `.`, without a trailing `.`) that `replace` maps.
fn rewrite(text: &str, replace: impl Fn(&str) -> Option<String>) -> String {
    let is_part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        // a token starts at a boundary only
        let before = &rest[..start];
        let glued = before.chars().next_back().is_some_and(is_part)
            || (before.is_empty() && out.chars().next_back().is_some_and(is_part));
        let len = rest[start..]
            .find(|c: char| !is_part(c))
            .unwrap_or(rest.len() - start);
        let mut token = &rest[start..start + len];
        while let Some(shorter) = token.strip_suffix('.') {
            token = shorter;
        }
        out.push_str(before);
        // a token with a `-` only: plain words are never ids
        let replaced = (!glued && token.contains('-'))
            .then(|| replace(token))
            .flatten();
        match replaced {
            Some(new) => out.push_str(&new),
            None => out.push_str(token),
        }
        rest = &rest[start + token.len()..];
    }
    out.push_str(rest);
    out
}

/// The inverse of [`ToYit::rewrite`]: `<yit id> (<source id>)` back to
/// the source id, where the yit id is that source id's.
fn unwrite(text: &str, ids: &Ids) -> String {
    if ids.is_empty() || !text.contains(" (") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" (") {
        // the yit id ends at `at`; it starts after the last non-id char
        let head = &rest[..at];
        let start = head
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let candidate = &head[start..];
        let tail = &rest[at + 2..];
        let back = IssueId::parse_canonical(candidate).and_then(|id| {
            let source = ids.source(&id)?;
            tail.strip_prefix(source)?
                .strip_prefix(')')
                .map(|after| (source, after))
        });
        match back {
            Some((source, after)) => {
                out.push_str(&head[..start]);
                out.push_str(source);
                rest = after;
            }
            None => {
                out.push_str(&rest[..at + 2]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A 64-bit digest of a value, as `origin.imported` keeps them.
pub fn digest(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(v) => v.to_string(),
    };
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// Where an imported issue came from: tool and source id.
pub fn origin_of(issue: &Issue) -> Option<(Tool, &str)> {
    let origin = issue.extra.get(ORIGIN_KEY)?;
    let tool = Tool::named(origin.get("tool")?.as_str()?)?;
    Some((tool, origin.get("id")?.as_str()?))
}

/// Whether `issue` came from `tool`'s issue `id` (compared as the tool
/// compares ids).
pub fn is_from(issue: &Issue, tool: Tool, id: &str) -> bool {
    origin_of(issue).is_some_and(|(t, own)| t == tool && tool.key(own) == tool.key(id))
}

/// `tool:id` as typed (`beads:bd-a1b2`, `backlog:task-12`).
pub fn origin_term(input: &str) -> Option<(Tool, &str)> {
    let (tool, id) = input.split_once(':')?;
    let tool = Tool::named(tool)?;
    (!id.trim().is_empty()).then_some((tool, id.trim()))
}

/// The keys of an issue an import gave it besides yit's own fields: its
/// source keys (they are regenerated from the issue) and `origin`.
fn source_keys(issue: &Issue) -> impl Iterator<Item = (&String, &Value)> {
    issue.extra.iter().filter(|(k, _)| *k != ORIGIN_KEY)
}

/// The source's issues as yit issues, in the items' order, with `ids`
/// naming every source id:
/// the issues' fields mapped, the source's other keys kept, `origin`
/// recorded. Problems (a bad time, a link to an issue not in the source)
/// and unmapped values are in `cx`. Each item's object is taken as it is
/// converted (what is left of an item is its id and place: 10,000 issues'
/// JSON values are a hundred megabytes).
pub fn convert(items: &mut [Item], cx: &mut ToYit) -> Vec<Issue> {
    let tool = cx.tool;
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter_mut() {
        cx.at = Some((item.path.clone(), item.line, item.id.clone()));
        let mut issue = tool.to_issue(item, cx);
        // the keys yit has no field for, under their own names
        for (key, value) in &item.object {
            if tool.field_of(key) == Field::Own && !value.is_null() {
                issue.extra.insert(own_name(tool, key), value.clone());
                *cx.kept.entry(key.clone()).or_default() += 1;
            }
        }
        let origin = origin_field(tool, item, &issue, cx.config, cx.ids);
        issue.extra.insert(ORIGIN_KEY.to_owned(), origin);
        item.object = Object::new();
        out.push(issue);
    }
    cx.at = None;
    out
}

/// The `origin:` value of `issue`, imported from `item`: the tool, the
/// id, the file, the source values regenerating would not give back, and
/// the digest of every key's value as imported.
fn origin_field(tool: Tool, item: &Item, issue: &Issue, config: &Config, ids: &Ids) -> Value {
    let from = FromYit { tool, config, ids };
    let regenerated = tool.object_of(issue, &from);
    let mut source = Object::new();
    let mut imported = Object::new();
    let keys = item
        .object
        .keys()
        .chain(regenerated.keys())
        .filter(|k| tool.field_of(k) != Field::Id);
    for key in keys {
        if imported.contains_key(key) {
            continue;
        }
        let raw = item.object.get(key);
        let again = regenerated.get(key);
        if raw != again {
            source.insert(key.clone(), raw.cloned().unwrap_or(Value::Null));
        }
        imported.insert(key.clone(), Value::String(digest(again)));
    }
    // in key order: the same issue read from another file's order is the
    // same issue
    source.sort_keys();
    imported.sort_keys();
    let mut origin = Object::new();
    origin.insert("tool".into(), tool.name().into());
    origin.insert("id".into(), item.id.clone().into());
    if let Some(file) = &item.file {
        origin.insert("file".into(), file.clone().into());
    }
    if !source.is_empty() {
        origin.insert("source".into(), Value::Object(source));
    }
    origin.insert("imported".into(), Value::Object(imported));
    Value::Object(origin)
}

/// The object `tool`'s file holds for `issue`: regenerated, with the
/// source's exact values put back for every key whose value has not
/// changed since the import (when the issue came from `tool`).
pub fn export_object(issue: &Issue, cx: &FromYit) -> Object {
    let mut object = cx.tool.object_of(issue, cx);
    let Some(origin) = issue
        .extra
        .get(ORIGIN_KEY)
        .filter(|o| o.get("tool").and_then(Value::as_str) == Some(cx.tool.name()))
    else {
        return object;
    };
    let (Some(Value::Object(source)), Some(Value::Object(imported))) =
        (origin.get("source"), origin.get("imported"))
    else {
        return object;
    };
    for (key, raw) in source {
        let unchanged = imported
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|d| d == digest(object.get(key)));
        if unchanged {
            if raw.is_null() {
                object.shift_remove(key);
            } else {
                object.insert(key.clone(), raw.clone());
            }
        }
    }
    object
}

/// What a second import changes in `local` (imported before from the same
/// source issue) to bring in `theirs` (the source issue now, mapped with
/// the same ids): each key that changed in the source since the last
/// import and not here is taken; one changed on both sides keeps the local
/// value and is named in the second list.
pub fn update(local: &Issue, theirs: &Issue, cx: &FromYit) -> (Vec<Change>, Vec<String>) {
    let tool = cx.tool;
    let base: Object = local
        .extra
        .get(ORIGIN_KEY)
        .and_then(|o| o.get("imported"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // (an object never holds `origin`: `own_values` passes over it)
    let here = tool.object_of(local, cx);
    let there = tool.object_of(theirs, cx);
    let mut changes = Vec::new();
    let mut conflicts = Vec::new();
    let mut keys: Vec<&String> = there.keys().chain(here.keys()).collect();
    keys.extend(base.keys());
    let mut seen = std::collections::HashSet::new();
    for key in keys {
        if !seen.insert(key) {
            continue;
        }
        let field = tool.field_of(key);
        if matches!(field, Field::Id | Field::Updated) {
            continue;
        }
        let base_digest = base
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| digest(None));
        let (d_here, d_there) = (digest(here.get(key)), digest(there.get(key)));
        if d_there == base_digest || d_here == d_there {
            continue;
        }
        if d_here != base_digest {
            conflicts.push(key.clone());
            if field == Field::Comments {
                // both sides commented: the source's new comments come in
                for c in &theirs.comments {
                    if !local.comments.iter().any(|l| l.id == c.id) {
                        changes.push(Change::AddComment(c.clone()));
                    }
                }
            }
            continue;
        }
        match take(tool, field, key, local, theirs) {
            Some(mut taken) => changes.append(&mut taken),
            None => conflicts.push(key.clone()),
        }
    }
    let origin = theirs.extra.get(ORIGIN_KEY).cloned();
    if local.extra.get(ORIGIN_KEY) != origin.as_ref() {
        changes.push(Change::Extra(ORIGIN_KEY.to_owned(), origin));
    }
    (changes, conflicts)
}

/// The changes that give `local` the value `theirs` has for the fields of
/// `key` (as [`Change::between`] says them); `None` for a field no change
/// sets (author, creation time), or comments whose author or time differ.
fn take(tool: Tool, field: Field, key: &str, local: &Issue, theirs: &Issue) -> Option<Vec<Change>> {
    let mut target = local.clone();
    let mut own = |name: String| match theirs.extra.get(&name) {
        Some(value) => {
            target.extra.insert(name, value.clone());
        }
        None => {
            target.extra.shift_remove(&name);
        }
    };
    match field {
        Field::Own => own(own_name(tool, key)),
        // the links of types yit has no link for ride along
        Field::Links => own(beads::OTHER_LINKS.to_owned()),
        _ => {}
    }
    match field {
        Field::Title => target.title = theirs.title.clone(),
        Field::Body => target.body = theirs.body.clone(),
        Field::Status => target.status = theirs.status.clone(),
        Field::Priority => target.priority = theirs.priority,
        Field::Kind => target.kind = theirs.kind.clone(),
        Field::Labels => target.labels = theirs.labels.clone(),
        Field::Assignee => target.assignee = theirs.assignee.clone(),
        Field::Parent => target.parent = theirs.parent.clone(),
        Field::DependsOn => target.depends_on = theirs.depends_on.clone(),
        Field::Links => {
            target.depends_on = theirs.depends_on.clone();
            target.parent = theirs.parent.clone();
        }
        Field::Comments => target.comments = theirs.comments.clone(),
        Field::Own => {}
        Field::Id | Field::Author | Field::Created | Field::Updated => return None,
    }
    Change::between(local, &target)
}

/// The key of an issue file that keeps source key `key` (`tbd_type` for
/// tbd's `type`: yit's own keys are not taken).
pub fn own_name(tool: Tool, key: &str) -> String {
    if issue::KNOWN_KEYS.contains(&key) || key == ORIGIN_KEY {
        format!("{}_{key}", tool.name())
    } else {
        key.to_owned()
    }
}

/// The value of the source key `key` among an issue's own keys.
pub fn own_value<'a>(issue: &'a Issue, tool: Tool, key: &str) -> Option<&'a Value> {
    issue.extra.get(&own_name(tool, key))
}

/// The keys an issue keeps of its source, by source key name, in file
/// order.
pub fn own_values(issue: &Issue, tool: Tool) -> Vec<(String, Value)> {
    let prefix = format!("{}_", tool.name());
    source_keys(issue)
        .map(|(k, v)| {
            let name = k
                .strip_prefix(&prefix)
                .filter(|s| issue::KNOWN_KEYS.contains(s) || *s == ORIGIN_KEY)
                .unwrap_or(k);
            (name.to_owned(), v.clone())
        })
        .collect()
}

/// A comment as yit keeps one.
pub fn comment(id: String, author: Option<String>, created: Timestamp, body: &str) -> Comment {
    Comment {
        id,
        author,
        created: issue::whole_seconds(created),
        body: body.replace("\r\n", "\n"),
    }
}

/// A cycle among the items along `next` (an item's index to the indexes
/// it waits for or is a child of), as indexes ending where they start.
pub fn find_cycle(count: usize, next: impl Fn(usize) -> Vec<usize>) -> Option<Vec<usize>> {
    // 0: not seen, 1: on the path, 2: done; iterative, a long chain of
    // thousands of issues must not overflow the stack
    let mut state = vec![0u8; count];
    for start in 0..count {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, Vec<usize>, usize)> = vec![(start, next(start), 0)];
        state[start] = 1;
        while let Some((node, succ, at)) = stack.last_mut() {
            if *at < succ.len() {
                let m = succ[*at];
                *at += 1;
                match state[m] {
                    0 => {
                        state[m] = 1;
                        let s = next(m);
                        stack.push((m, s, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _, _)| *n == m).unwrap_or(0);
                        let mut cycle: Vec<usize> =
                            stack[from..].iter().map(|(n, _, _)| *n).collect();
                        cycle.push(m);
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                state[*node] = 2;
                stack.pop();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_rewritten_and_back() {
        let mut ids = Ids::default();
        let a = IssueId::parse_canonical("abcd123456").expect("id");
        ids.insert(Tool::Beads, "bd-a1b2", a.clone());
        let config = Config::default();
        let maps = Maps::default();
        let cx = ToYit::new(Tool::Beads, &config, &maps, &ids);
        let text = "See bd-a1b2, not bd-a1b2x or xbd-a1b2; bd-a1b2.\nbd-a1b2.1 is a child";
        let yit = cx.rewrite(text);
        assert_eq!(
            yit,
            "See abcd123456 (bd-a1b2), not bd-a1b2x or xbd-a1b2; abcd123456 (bd-a1b2).\nbd-a1b2.1 is a child"
        );
        let back = FromYit {
            tool: Tool::Beads,
            config: &config,
            ids: &ids,
        };
        assert_eq!(back.unwrite(&yit), text);
        // a text that merely looks like one stays
        assert_eq!(back.unwrite("abcd123456 (bd-zzzz)"), "abcd123456 (bd-zzzz)");
    }

    #[test]
    fn people_get_an_address_that_goes_again() {
        let p = person(Tool::Beads, "alice").expect("person");
        assert_eq!(p, "alice <alice@beads.invalid>");
        crate::model::field::check_person(&p).expect("valid");
        let ids = Ids::default();
        let config = Config::default();
        let back = FromYit {
            tool: Tool::Beads,
            config: &config,
            ids: &ids,
        };
        assert_eq!(back.person(&p), "alice");
        assert_eq!(
            person(Tool::Backlog, "Zoë Ångström").expect("person"),
            "Zoë Ångström <Zoë-Ångström@backlog.invalid>"
        );
        assert_eq!(
            back.person("Ann <ann@example.com>"),
            "Ann <ann@example.com>"
        );
    }

    #[test]
    fn times_of_every_shape() {
        assert!(parse_time("2025-10-14T12:34:56.123456-07:00").is_some());
        assert!(parse_time("2025-06-08 14:22").is_some());
        assert!(parse_time("2025-06-08").is_some());
        assert_eq!(parse_time("08/06/25"), parse_time("2025-06-08"));
        assert_eq!(parse_time("08.06.25"), parse_time("2025-06-08"));
        assert!(parse_time("32/01/25").is_none());
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn a_cycle_is_found_without_recursion() {
        let n = 50_000;
        assert_eq!(
            find_cycle(n, |i| if i + 1 < n { vec![i + 1] } else { vec![] }),
            None
        );
        let cycle = find_cycle(3, |i| vec![(i + 1) % 3]).expect("cycle");
        assert_eq!(cycle, vec![0, 1, 2, 0]);
    }
}
