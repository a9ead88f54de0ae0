//! Lossless changes to issue files.
//!
//! A change is applied twice: to the parsed [`Issue`] (what the file must
//! mean afterwards) and, through yaml-edit's lossless syntax tree, to the
//! file's text, touching only the lines of the fields that change and
//! `updated`. Comments, blank lines, key order, quoting and keys yit does not
//! know survive. The new text is parsed again and must mean exactly the
//! changed issue; otherwise nothing is written. This module never touches
//! the disk.

use std::str::FromStr;

use jiff::Timestamp;
use yaml_edit::Document;

use crate::model::config::Config;
use crate::model::field::{FieldError, FieldName};
use crate::model::id::IssueId;
use crate::model::issue::{self, Comment, Issue};
use crate::model::problem::Problem;

/// One change to one field.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Title(String),
    Status(String),
    Priority(u8),
    Kind(String),
    Body(String),
    AddLabel(String),
    RemoveLabel(String),
    Assignee(Option<String>),
    AddComment(Comment),
    /// A new body for the comment with this id.
    EditComment {
        id: String,
        body: String,
    },
    /// Removes the comment with this id.
    RemoveComment(String),
    /// This issue waits for another (`depends_on`).
    AddDependency(IssueId),
    RemoveDependency(IssueId),
    Parent(Option<IssueId>),
    /// Where the issue came from on GitHub (`yit import --github`).
    Github(Option<serde_json::Value>),
    /// A key yit has no field for, set or (`None`) removed: what an import
    /// from another tracker keeps of it (`yit import --from`).
    Extra(String, Option<serde_json::Value>),
    /// Only sets `updated` (after a person edited the file in an editor).
    Touch,
}

impl Change {
    /// The changes that turn `from` into `to`, when changes can say them
    /// all (`None` when `to` differs in a field no change sets: author,
    /// creation time, recorded conflicts).
    pub fn between(from: &Issue, to: &Issue) -> Option<Vec<Change>> {
        if from.id != to.id
            || from.author != to.author
            || from.created != to.created
            || from.conflicts != to.conflicts
        {
            return None;
        }
        let mut out = Vec::new();
        if from.title != to.title {
            out.push(Change::Title(to.title.clone()));
        }
        if from.status != to.status {
            out.push(Change::Status(to.status.clone()));
        }
        if from.priority != to.priority {
            out.push(Change::Priority(to.priority));
        }
        if from.kind != to.kind {
            out.push(Change::Kind(to.kind.clone()));
        }
        if from.body != to.body {
            out.push(Change::Body(to.body.clone()));
        }
        out.extend(Change::labels_to(&from.labels, &to.labels));
        if from.assignee != to.assignee {
            out.push(Change::Assignee(to.assignee.clone()));
        }
        if from.parent != to.parent {
            out.push(Change::Parent(to.parent.clone()));
        }
        for d in to
            .depends_on
            .iter()
            .filter(|d| !from.depends_on.contains(d))
        {
            out.push(Change::AddDependency(d.clone()));
        }
        for d in from
            .depends_on
            .iter()
            .filter(|d| !to.depends_on.contains(d))
        {
            out.push(Change::RemoveDependency(d.clone()));
        }
        if from.github != to.github {
            out.push(Change::Github(to.github.clone()));
        }
        for (key, value) in &to.extra {
            if from.extra.get(key) != Some(value) {
                out.push(Change::Extra(key.clone(), Some(value.clone())));
            }
        }
        for key in from.extra.keys().filter(|k| !to.extra.contains_key(*k)) {
            out.push(Change::Extra(key.clone(), None));
        }
        for c in &to.comments {
            match from.comments.iter().find(|f| f.id == c.id) {
                None => out.push(Change::AddComment(c.clone())),
                Some(f) if f.author != c.author || f.created != c.created => return None,
                Some(f) if f.body != c.body => out.push(Change::EditComment {
                    id: c.id.clone(),
                    body: c.body.clone(),
                }),
                Some(_) => {}
            }
        }
        for f in from
            .comments
            .iter()
            .filter(|f| !to.comments.iter().any(|c| c.id == f.id))
        {
            out.push(Change::RemoveComment(f.id.clone()));
        }
        Some(out)
    }

    /// The label changes that turn `current` into `wanted`: additions in
    /// `wanted`'s order, then removals.
    pub fn labels_to(current: &[String], wanted: &[String]) -> Vec<Change> {
        let added = wanted
            .iter()
            .filter(|l| !current.contains(l))
            .map(|l| Change::AddLabel(l.clone()));
        let removed = current
            .iter()
            .filter(|l| !wanted.contains(l))
            .map(|l| Change::RemoveLabel(l.clone()));
        added.chain(removed).collect()
    }

    /// Checks the value against the configuration, before any file is read.
    pub fn check(&self, config: &Config) -> Result<(), FieldError> {
        match self {
            Change::Title(t) => issue::check_title(t),
            Change::Status(s) => config.check_status(s),
            Change::Kind(k) => config.check_type(k),
            Change::Priority(p) => Config::check_priority(*p),
            Change::AddLabel(l) => config.check_issue_label(l),
            Change::Assignee(Some(p)) => {
                issue::check_person(p).map_err(|e| e.in_field(FieldName::Assignee))
            }
            Change::EditComment { body, .. } if body.trim().is_empty() => {
                Err(FieldError::EmptyCommentEdit)
            }
            Change::AddComment(c) => match &c.author {
                Some(a) => issue::check_person(a).map_err(|e| e.in_field(FieldName::CommentAuthor)),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

/// The outcome of applying changes to one file.
#[derive(Debug)]
pub struct Edited {
    /// The issue as the new text reads.
    pub issue: Issue,
    /// The new file text.
    pub text: String,
    /// False when every change was already in place: nothing to write.
    pub changed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// `source`: what the YAML editor could not do, or why.
    #[error(
        "issue {id}: yit cannot edit this file's YAML without losing its layout; `yit fmt {id}` rewrites it in canonical form"
    )]
    Unsupported {
        id: IssueId,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("issue {id}: the edited file would not read back as intended; nothing was written")]
    NotLossless {
        id: IssueId,
        #[source]
        source: Unreadable,
    },
}

/// Why an edited text would not read back as the issue it should be.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    #[error("a field differs")]
    Differs,
    #[error("{}", crate::model::problem::first(.0))]
    Problems(Vec<Problem>),
    #[error(transparent)]
    Issue(#[from] issue::IssueError),
}

/// Applies `changes` to the issue read from `text`, setting `updated` to
/// `now` when anything changes. A file whose lines end in CRLF keeps CRLF
/// on every line, those the edit wrote included.
pub fn apply(
    issue: &Issue,
    text: &str,
    changes: &[Change],
    now: Timestamp,
    config: &Config,
) -> Result<Edited, EditError> {
    let mut edited = apply_lf(issue, text, changes, now, config)?;
    if edited.changed && uses_crlf(text) {
        edited.text = with_crlf(&edited.text);
    }
    Ok(edited)
}

/// Whether `text`'s lines end in CRLF (its first line break is one).
fn uses_crlf(text: &str) -> bool {
    text.find('\n').is_some_and(|at| text[..at].ends_with('\r'))
}

/// `text` with every line break a CRLF.
fn with_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    for line in text.split_inclusive('\n') {
        match line.strip_suffix('\n') {
            Some(line) => {
                out.push_str(line.strip_suffix('\r').unwrap_or(line));
                out.push_str("\r\n");
            }
            None => out.push_str(line),
        }
    }
    out
}

fn apply_lf(
    issue: &Issue,
    text: &str,
    changes: &[Change],
    now: Timestamp,
    config: &Config,
) -> Result<Edited, EditError> {
    let mut target = issue.clone();
    let effective: Vec<&Change> = changes
        .iter()
        .filter(|c| apply_to_issue(&mut target, c))
        .collect();
    if effective.is_empty() {
        return Ok(Edited {
            issue: issue.clone(),
            text: text.to_owned(),
            changed: false,
        });
    }
    let now = issue::whole_seconds(now);
    target.updated = now;
    // a file in canonical form (as yit writes them) stays in it, written
    // whole by the canonical writer: what yit writes passes `yit fmt
    // --check` (no `depends_on: []` left behind, no `parent: null`)
    if issue.is_canonical(text) {
        let text = target.to_yaml(config).map_err(|e| EditError::Unsupported {
            id: issue.id.clone(),
            source: Box::new(e),
        })?;
        return Ok(Edited {
            issue: target,
            text,
            changed: true,
        });
    }

    let unsupported = |why: String| EditError::Unsupported {
        id: issue.id.clone(),
        source: why.into(),
    };
    let doc = Document::from_str(text).map_err(|e| unsupported(e.to_string()))?;
    // lists are edited by index, in the file's order, which is the order
    // of the parsed issue's lists
    let mut labels = ListEdit::new("labels", issue.labels.clone());
    let mut deps = ListEdit::new(
        "depends_on",
        issue.depends_on.iter().map(ToString::to_string).collect(),
    );
    // the comments' ids in the text's order, as edits remove them
    let mut comments: Vec<&str> = issue.comments.iter().map(|c| c.id.as_str()).collect();
    let comment_at = |comments: &[&str], id: &str| {
        let index = comments.iter().position(|c| *c == id);
        let seq = doc.get_sequence("comments");
        match (index, seq) {
            (Some(index), Some(seq)) => Ok((index, seq)),
            _ => Err(unsupported(format!(
                "comment {id} is not in the comments list"
            ))),
        }
    };
    for change in &effective {
        match change {
            // (a title keeps no spaces around it, as typed or pasted)
            Change::Title(t) => set(&doc, "title", t.trim()),
            Change::Status(s) => set(&doc, "status", s.as_str()),
            Change::Priority(p) => set(&doc, "priority", *p),
            Change::Kind(k) => set(&doc, "type", k.as_str()),
            Change::Body(b) => set(&doc, "body", b.as_str()),
            Change::Assignee(a) => set(&doc, "assignee", a.as_deref()),
            Change::Parent(p) => set(&doc, "parent", p.as_ref().map(IssueId::as_str)),
            Change::Github(None) => set(&doc, "github", None::<&str>),
            Change::Github(Some(value)) => {
                // a mapping rendered as YAML, then put in place as a node
                let text =
                    crate::model::yaml::to_string(value).map_err(|e| unsupported(e.to_string()))?;
                let parsed = Document::from_str(&text).map_err(|e| unsupported(e.to_string()))?;
                let mapping = parsed
                    .as_mapping()
                    .ok_or_else(|| unsupported("github is not a mapping".to_owned()))?;
                doc.set("github", mapping);
            }
            Change::Extra(key, None) => {
                doc.remove(key.as_str());
            }
            Change::Extra(key, Some(value)) => {
                // `key: value` rendered as YAML, its value put in place
                let wrapped = serde_json::json!({ key.as_str(): value });
                let text = crate::model::yaml::to_string(&wrapped)
                    .map_err(|e| unsupported(e.to_string()))?;
                let parsed = Document::from_str(&text).map_err(|e| unsupported(e.to_string()))?;
                let node = parsed
                    .as_mapping()
                    .and_then(|m| m.get(key.as_str()))
                    .ok_or_else(|| unsupported(format!("{key} did not render")))?;
                doc.set(key.as_str(), node);
            }
            Change::AddLabel(l) => labels.add(&doc, l),
            Change::RemoveLabel(l) => labels.remove(&doc, l).map_err(unsupported)?,
            Change::AddDependency(d) => deps.add(&doc, d.as_str()),
            Change::RemoveDependency(d) => deps.remove(&doc, d.as_str()).map_err(unsupported)?,
            Change::AddComment(_) => {} // appended to the text below
            Change::EditComment { id, body } => {
                let (index, seq) = comment_at(&comments, id)?;
                let Some(yaml_edit::YamlNode::Mapping(comment)) = seq.get(index) else {
                    return Err(unsupported(format!("comment {id} is not a mapping")));
                };
                comment.set("body", body.as_str());
            }
            Change::RemoveComment(id) => {
                let (index, seq) = comment_at(&comments, id)?;
                seq.remove(index);
                comments.remove(index);
            }
            Change::Touch => {}
        }
    }
    // quoted, as in the canonical form
    set(
        &doc,
        "updated",
        yaml_edit::ScalarValue::double_quoted(issue::format_time(now)),
    );
    let mut new_text = doc.to_string();
    for list in [&labels, &deps] {
        new_text = list.append_new(new_text).map_err(unsupported)?;
    }
    for change in &effective {
        if let Change::AddComment(c) = change {
            let items = crate::model::yaml::to_string(&[issue::canonical_comment(c)])
                .map_err(|e| unsupported(e.to_string()))?;
            new_text = append_items(&new_text, "comments", &items).map_err(unsupported)?;
        }
    }

    let path = std::path::Path::new(".issues").join(issue.id.file_name());
    match Issue::parse(new_text.as_bytes(), &path, Some(&issue.id), config) {
        Ok(back) if back == target => Ok(Edited {
            issue: target,
            text: new_text,
            changed: true,
        }),
        Ok(_) => Err(EditError::NotLossless {
            id: issue.id.clone(),
            source: Unreadable::Differs,
        }),
        Err(broken) => Err(EditError::NotLossless {
            id: issue.id.clone(),
            source: Unreadable::Problems(broken.problems),
        }),
    }
}

/// Edits of one top-level list of strings: items are pushed through
/// yaml-edit onto a list that has items, and appended in block style as
/// text to one that is empty or missing (yaml-edit would start it in flow
/// style).
struct ListEdit {
    key: &'static str,
    /// The list as it will read, the new items last.
    items: Vec<String>,
    /// Items not in the text yet, appended at the end.
    new: Vec<String>,
}

impl ListEdit {
    fn new(key: &'static str, items: Vec<String>) -> ListEdit {
        ListEdit {
            key,
            items,
            new: Vec::new(),
        }
    }

    fn add(&mut self, doc: &Document, item: &str) {
        match doc.get_sequence(self.key).filter(|seq| !seq.is_empty()) {
            Some(seq) => seq.push(item),
            None => self.new.push(item.to_owned()),
        }
        self.items.push(item.to_owned());
    }

    fn remove(&mut self, doc: &Document, item: &str) -> Result<(), String> {
        let index = self
            .items
            .iter()
            .position(|x| x == item)
            .expect("only items present are removed");
        // items added by this same edit are not in the text yet
        let in_text = self.items.len() - self.new.len();
        if index >= in_text {
            self.new.remove(index - in_text);
        } else {
            let seq = doc
                .get_sequence(self.key)
                .ok_or_else(|| format!("{} is not a list", self.key))?;
            seq.remove(index);
        }
        self.items.remove(index);
        Ok(())
    }

    fn append_new(&self, text: String) -> Result<String, String> {
        if self.new.is_empty() {
            return Ok(text);
        }
        let items = crate::model::yaml::to_string(&self.new).map_err(|e| e.to_string())?;
        append_items(&text, self.key, &items)
    }
}

/// Sets a top-level key. yaml-edit reports failure only for a document
/// that is not a mapping, which the typed read has already ruled out; the
/// re-parse of the result would catch anything else.
fn set(doc: &Document, key: &str, value: impl yaml_edit::AsYaml) {
    doc.set(key, value);
}

/// Applies one change to the issue; false when it changes nothing.
fn apply_to_issue(issue: &mut Issue, change: &Change) -> bool {
    fn replace<T: PartialEq>(field: &mut T, value: T) -> bool {
        let changed = *field != value;
        *field = value;
        changed
    }
    match change {
        Change::Title(t) => replace(&mut issue.title, t.trim().to_owned()),
        Change::Status(s) => replace(&mut issue.status, s.clone()),
        Change::Priority(p) => replace(&mut issue.priority, *p),
        Change::Kind(k) => replace(&mut issue.kind, k.clone()),
        Change::Body(b) => replace(&mut issue.body, b.clone()),
        Change::Assignee(a) => replace(&mut issue.assignee, a.clone()),
        Change::AddLabel(l) if !issue.labels.contains(l) => {
            issue.labels.push(l.clone());
            true
        }
        Change::RemoveLabel(l) if issue.labels.contains(l) => {
            issue.labels.retain(|x| x != l);
            true
        }
        Change::AddLabel(_) | Change::RemoveLabel(_) => false,
        Change::AddDependency(d) if !issue.depends_on.contains(d) => {
            issue.depends_on.push(d.clone());
            true
        }
        Change::RemoveDependency(d) if issue.depends_on.contains(d) => {
            issue.depends_on.retain(|x| x != d);
            true
        }
        Change::AddDependency(_) | Change::RemoveDependency(_) => false,
        Change::Parent(p) => replace(&mut issue.parent, p.clone()),
        Change::Github(g) => replace(&mut issue.github, g.clone()),
        Change::Extra(key, None) => issue.extra.shift_remove(key).is_some(),
        Change::Extra(key, Some(value)) => {
            issue.extra.insert(key.clone(), value.clone()).as_ref() != Some(value)
        }
        Change::EditComment { id, body } => issue
            .comments
            .iter_mut()
            .find(|c| c.id == *id)
            .is_some_and(|c| replace(&mut c.body, body.clone())),
        Change::RemoveComment(id) => {
            let before = issue.comments.len();
            issue.comments.retain(|c| c.id != *id);
            issue.comments.len() != before
        }
        Change::AddComment(c) => {
            let mut c = c.clone();
            // files keep whole seconds
            c.created = issue::whole_seconds(c.created);
            issue.comments.push(c);
            true
        }
        Change::Touch => true,
    }
}

/// Appends block-sequence `items` (rendered at indentation 0) to the list
/// under top-level `key`, in block form: yaml-edit would start an empty
/// `[]` in flow style. A list already in flow style with items is extended
/// by yaml-edit, in that style.
fn append_items(text: &str, key: &str, items: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let top_level =
        |line: &str| !line.starts_with([' ', '\t', '#', '\n', '\r', '-']) && line.contains(':');
    let Some(start) = lines.iter().position(|l| {
        l.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
    }) else {
        // no such key yet: add it at the end
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{key}:\n"));
        out.push_str(&indent(items, "  "));
        return Ok(out);
    };
    let value = lines[start][key.len() + 1..].trim();
    let value = value.split(" #").next().unwrap_or_default().trim();
    if !(value.is_empty() || value == "[]" || value == "null" || value == "~") {
        return append_flow_items(text, key, items);
    }
    // the block list (if any) runs until the next top-level key; blank
    // lines and comments after it stay where they are
    let end = lines[start + 1..]
        .iter()
        .position(|l| top_level(l))
        .map_or(lines.len(), |i| start + 1 + i);
    let mut last = end;
    while last > start + 1
        && (lines[last - 1].trim().is_empty() || lines[last - 1].trim_start().starts_with('#'))
    {
        last -= 1;
    }
    let item_indent = lines[start + 1..last]
        .iter()
        .find(|l| l.trim_start().starts_with('-'))
        .map_or(2, |l| l.len() - l.trim_start().len());
    let mut out = String::with_capacity(text.len() + items.len() + 16);
    out.extend(lines[..start].iter().copied());
    if value.is_empty() {
        out.push_str(lines[start]);
    } else {
        // `key: []  # comment` keeps its comment
        let comment = lines[start]
            .find(" #")
            .map(|i| lines[start][i..].trim_end())
            .unwrap_or_default();
        out.push_str(&format!("{key}:{comment}\n"));
    }
    out.extend(lines[start + 1..last].iter().copied());
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&indent(items, &" ".repeat(item_indent)));
    out.extend(lines[last..].iter().copied());
    Ok(out)
}

/// Appends to a flow list through yaml-edit, in flow style.
fn append_flow_items(text: &str, key: &str, items: &str) -> Result<String, String> {
    let doc = Document::from_str(text).map_err(|e| e.to_string())?;
    let seq = doc
        .get_sequence(key)
        .ok_or(format!("{key} is not a list"))?;
    let parsed = Document::from_str(items).map_err(|e| e.to_string())?;
    let new = parsed
        .as_sequence()
        .ok_or("rendered items are not a list")?;
    for i in 0..new.len() {
        if let Some(item) = new.get(i) {
            seq.push(item);
        }
    }
    Ok(doc.to_string())
}

/// Indents every line but empty ones (which a literal block allows at any
/// indentation; a line of spaces is content and is indented too).
fn indent(text: &str, prefix: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            if line == "\n" {
                line.to_owned()
            } else {
                format!("{prefix}{line}")
            }
        })
        .collect()
}

/// The canonical form of an issue file (`yit fmt`): known fields as yit
/// writes them, then each key yit does not know exactly as the person
/// wrote it (its lines, with the comments under it), in file order.
pub fn canonical_text(issue: &Issue, original: &str, config: &Config) -> Result<String, EditError> {
    let not_lossless = |source: Unreadable| EditError::NotLossless {
        id: issue.id.clone(),
        source,
    };
    let mut known = issue.clone();
    let extra = std::mem::take(&mut known.extra);
    let mut text = known.to_yaml(config).map_err(|e| not_lossless(e.into()))?;
    let blocks: Option<Vec<String>> = extra
        .keys()
        .map(|key| top_level_block(original, key))
        .collect();
    match blocks {
        Some(blocks) => {
            for block in blocks {
                text.push_str(&block);
            }
        }
        // not block style: the keys' values as yit read them
        None => {
            return issue.to_yaml(config).map_err(|e| not_lossless(e.into()));
        }
    }
    let extra_keys: Vec<&str> = extra.keys().map(String::as_str).collect();
    let text = with_comments(original, &text, &extra_keys);
    let path = std::path::Path::new(".issues").join(issue.id.file_name());
    match Issue::parse(text.as_bytes(), &path, Some(&issue.id), config) {
        Ok(back) if back == *issue => Ok(text),
        Ok(_) => issue.to_yaml(config).map_err(|e| not_lossless(e.into())),
        Err(broken) => Err(not_lossless(Unreadable::Problems(broken.problems))),
    }
}

/// A line that starts a top-level key of a block mapping (`key:` at the
/// start of the line).
fn is_top_key_line(line: &str) -> bool {
    !line.starts_with([' ', '\t', '#', '-', '\n', '\r']) && line.contains(':')
}

/// The key a top-level key line starts, unquoted.
fn key_of_line(line: &str) -> Option<String> {
    let (key, _) = line.split_once(':')?;
    let key = key.trim();
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
        .unwrap_or(key);
    Some(key.to_owned())
}

/// `canonical` (the canonical text of `original`) with the YAML comments a
/// person wrote in `original` kept: each comment goes on a line of its own
/// before the top-level key it was written before or within (a comment at
/// the end, at the end). Comments inside the blocks of `verbatim` keys
/// (copied as written) are there already. Comments in scalars (a `#` in a
/// title, a Markdown heading in a body) are not comments: the YAML lexer
/// tells them apart.
fn with_comments(original: &str, canonical: &str, verbatim: &[&str]) -> String {
    let Ok(doc) = Document::from_str(original) else {
        return canonical.to_owned();
    };
    let comments: Vec<(usize, String)> = doc
        .comments()
        .map(|c| {
            (
                usize::from(c.text_range().start()),
                c.text().trim_end().to_owned(),
            )
        })
        .collect();
    if comments.is_empty() {
        return canonical.to_owned();
    }
    // each line's start, and which top-level key it is or belongs to
    let mut starts = Vec::new();
    let mut at = 0;
    for line in original.split_inclusive('\n') {
        starts.push((at, line));
        at += line.len();
    }
    let line_of = |offset: usize| starts.partition_point(|(s, _)| *s <= offset) - 1;
    // the top-level key each line starts, if it starts one (read once)
    let keys: Vec<Option<String>> = starts
        .iter()
        .map(|(_, l)| key_of_line(l).filter(|_| is_top_key_line(l)))
        .collect();
    let key_at = |i: usize| keys[i].clone();
    let mut before: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let (mut heading, mut trailing) = (Vec::new(), Vec::new());
    let first_key = (0..starts.len()).find(|&i| key_at(i).is_some());
    for (offset, text) in comments {
        let line = line_of(offset);
        // above the first key: the file's own heading, at the top
        if first_key.is_none_or(|k| line < k) && starts[line].1.starts_with('#') {
            heading.push(text);
            continue;
        }
        let whole_line = starts[line].1.trim_start().starts_with('#');
        let at_margin = whole_line && starts[line].1.starts_with('#');
        // a comment of its own at the margin: before the next key, when
        // the next line with content is one
        let next = (line + 1..starts.len()).find(|&i| {
            let l = starts[i].1.trim();
            !l.is_empty() && !l.starts_with('#')
        });
        let leading = at_margin.then(|| next.and_then(key_at)).flatten();
        let key = match leading {
            Some(key) => Some((key, true)),
            // else within the key above it
            None => (0..=line).rev().find_map(key_at).map(|key| (key, false)),
        };
        match key {
            None => match next.and_then(key_at) {
                Some(key) => before.entry(key).or_default().push(text),
                None => trailing.push(text),
            },
            Some((key, false)) if verbatim.contains(&key.as_str()) => {}
            Some((key, _)) => before.entry(key).or_default().push(text),
        }
    }
    let mut out = String::with_capacity(canonical.len() + 256);
    for comment in heading {
        out.push_str(&comment);
        out.push('\n');
    }
    for line in canonical.split_inclusive('\n') {
        if is_top_key_line(line)
            && let Some(lines) = key_of_line(line).and_then(|k| before.remove(&k))
        {
            for comment in lines {
                out.push_str(&comment);
                out.push('\n');
            }
        }
        out.push_str(line);
    }
    // a key the canonical form does not have: its comments at the end
    for comment in before.into_values().flatten().chain(trailing) {
        out.push_str(&comment);
        out.push('\n');
    }
    out
}

/// The lines of top-level key `key` in a block mapping: its line and every
/// following line up to the next top-level key, without trailing blank
/// lines. `None` when the key is not found at the start of a line.
fn top_level_block(text: &str, key: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let start = lines.iter().position(|l| {
        l.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
            || l.strip_prefix(&format!("\"{key}\""))
                .is_some_and(|rest| rest.starts_with(':'))
            || l.strip_prefix(&format!("'{key}'"))
                .is_some_and(|rest| rest.starts_with(':'))
    })?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| is_top_key_line(l))
        .map_or(lines.len(), |i| start + 1 + i);
    let mut last = end;
    while last > start + 1 && lines[last - 1].trim().is_empty() {
        last -= 1;
    }
    let mut block: String = lines[start..last].concat();
    if !block.ends_with('\n') {
        block.push('\n');
    }
    Some(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAND: &str = include_str!("../../fixtures/issues/valid-hand-written.yaml");

    fn parse(text: &str) -> Issue {
        crate::model::issue::parse_for_test(text)
    }

    fn now() -> Timestamp {
        "2026-02-01T00:00:00Z".parse().expect("time")
    }

    /// Lines of `after` that differ from `before`, by position (the edits
    /// here never add or remove lines unless said).
    fn changed_lines(before: &str, after: &str) -> Vec<String> {
        before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .map(|(_, b)| b.to_owned())
            .collect()
    }

    #[test]
    fn keys_yit_does_not_know_are_changes_too() {
        let issue = parse(HAND);
        let mut to = issue.clone();
        to.extra.insert(
            "estimate".into(),
            serde_json::json!({"days": 3, "by": ["ann"]}),
        );
        to.extra
            .insert("milestone".into(), serde_json::json!("v0.1"));
        let changes = Change::between(&issue, &to).expect("changes say it");
        assert_eq!(changes.len(), 2, "{changes:?}");
        let out = apply(&issue, HAND, &changes, now(), &Config::default()).expect("edits");
        let mut want = to.clone();
        want.updated = out.issue.updated;
        assert_eq!(out.issue, want);
        // the person's comments and layout elsewhere stay
        assert!(
            out.text.contains("status: open   # still open"),
            "{}",
            out.text
        );
        // and a key removed
        let mut gone = issue.clone();
        gone.extra.shift_remove("estimate");
        let changes = Change::between(&issue, &gone).expect("changes say it");
        assert_eq!(changes, [Change::Extra("estimate".into(), None)]);
        let out = apply(&issue, HAND, &changes, now(), &Config::default()).expect("edits");
        assert!(!out.text.contains("estimate"), "{}", out.text);
    }

    #[test]
    fn one_field_changes_one_line_and_updated() {
        let issue = parse(HAND);
        let out = apply(
            &issue,
            HAND,
            &[Change::Status("closed".into())],
            now(),
            &Config::default(),
        )
        .expect("edits");
        assert!(out.changed);
        assert_eq!(
            changed_lines(HAND, &out.text),
            vec![
                "status: closed   # still open",
                "updated: \"2026-02-01T00:00:00Z\""
            ]
        );
        assert_eq!(out.issue.status, "closed");
        assert!(out.text.starts_with("# hand-written issue"));
        assert!(
            out.text
                .contains("estimate: 3d        # a key yit does not know")
        );
    }

    #[test]
    fn labels_keep_their_flow_style() {
        let issue = parse(HAND);
        let changes = [
            Change::AddLabel("ui".into()),
            Change::RemoveLabel("crash".into()),
        ];
        let out = apply(&issue, HAND, &changes, now(), &Config::default()).expect("edits");
        assert_eq!(
            changed_lines(HAND, &out.text),
            vec![
                "labels: [\"needs: triage\", ui]",
                "updated: \"2026-02-01T00:00:00Z\""
            ]
        );
    }

    #[test]
    fn a_label_added_and_removed_in_one_change_leaves_the_list_as_it_was() {
        let canonical = "id: 4k2f9x1c0a\ntitle: T\nstatus: open\ncreated: \"2026-01-02T03:04:05Z\"\nlabels: []\n";
        let issue = parse(canonical);
        let changes = [
            Change::AddLabel("alpha".into()),
            Change::AddLabel("beta".into()),
            Change::RemoveLabel("alpha".into()),
        ];
        let out = apply(&issue, canonical, &changes, now(), &Config::default()).expect("edits");
        assert_eq!(out.issue.labels, vec!["beta".to_owned()]);
        assert!(out.text.contains("labels:\n  - beta\n"), "{}", out.text);
    }

    #[test]
    fn nothing_to_change_is_no_write() {
        let issue = parse(HAND);
        let out = apply(
            &issue,
            HAND,
            &[
                Change::Status("open".into()),
                Change::AddLabel("crash".into()),
            ],
            now(),
            &Config::default(),
        )
        .expect("edits");
        assert!(!out.changed);
        assert_eq!(out.text, HAND);
    }

    #[test]
    fn comments_append_in_block_form() {
        let comment = Comment {
            id: "zzzz000000".into(),
            author: Some("Ann <ann@example.com>".into()),
            created: now(),
            body: "Two\nlines\n".into(),
        };
        let issue = parse(HAND);
        let out = apply(
            &issue,
            HAND,
            &[Change::AddComment(comment.clone())],
            now(),
            &Config::default(),
        )
        .expect("edits");
        assert!(out.text.ends_with(
            "    body: Seen it too.\n  - id: zzzz000000\n    author: Ann <ann@example.com>\n    created: \"2026-02-01T00:00:00Z\"\n    body: |\n      Two\n      lines\n"
        ), "{}", out.text);
        let canonical = "id: 4k2f9x1c0a\ntitle: T\nstatus: open\ncreated: \"2026-01-02T03:04:05Z\"\ncomments: []\nzeta: 1\n";
        let issue = parse(canonical);
        let out = apply(
            &issue,
            canonical,
            &[Change::AddComment(comment)],
            now(),
            &Config::default(),
        )
        .expect("edits");
        assert!(
            out.text.contains("comments:\n  - id: zzzz000000\n"),
            "{}",
            out.text
        );
        assert!(
            out.text
                .ends_with("zeta: 1\nupdated: \"2026-02-01T00:00:00Z\"\n"),
            "a missing key is added at the end: {}",
            out.text
        );
    }

    #[test]
    fn canonical_text_keeps_unknown_keys_verbatim() {
        let issue = parse(HAND);
        let text = canonical_text(&issue, HAND, &Config::default()).expect("formats");
        assert!(
            text.contains(
                "id: \"0000000000\"\ntitle: \"A valid issue: written by hand # not a comment\"\n"
            ),
            "{text}"
        );
        assert!(text.ends_with("comments:\n  - id: c0mment001\n    author: Bob <bob@example.com>\n    created: \"2026-01-02T04:00:00Z\"\n    body: |-\n      Seen it too.\nestimate: 3d        # a key yit does not know\n"), "{text}");
        // the person's comments are kept, each before its key
        assert!(
            text.starts_with(
                "# hand-written issue: comments, odd quoting and keys yit does not know\nid: "
            ),
            "{text}"
        );
        assert!(text.contains("# still open\nstatus: open\n"), "{text}");
        assert_eq!(
            text.matches("# a key yit does not know").count(),
            1,
            "{text}"
        );
        assert_eq!(parse(&text), issue);
        assert_eq!(
            canonical_text(&issue, &text, &Config::default()).expect("formats"),
            text,
            "idempotent"
        );
    }
}
