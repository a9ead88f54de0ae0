//! Migrations: `yit import --from beads|backlog|tbd` and `yit export --to
//! beads|backlog`. The files of the other tracker are read through the
//! guarded reader (no link followed, no FIFO waited on, every file
//! bounded); the mapping is `model::migrate`'s.
//!
//! An import is checked whole before anything is written: every file,
//! every id (twice is a problem), every link (to an issue of the source or
//! imported from it before), cycles, every value the maps must map, every
//! new file's text, and the updates of the issues imported before (made
//! under their locks). Then the new issues are created all or none
//! (journaled as a plan is), and the updates written as one journaled
//! change. The graph lock is held from the look at what was imported
//! before to the last file; a new issue's id comes from its source id, so
//! that two clones importing the same source make the same files.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Clock, Listing, ScanMode, StoreError, Tracker, guarded};
use crate::model::id::{IdSource, IssueId};
use crate::model::issue::Issue;
use crate::model::migrate::{
    self, FromYit, Ids, Item, Maps, ORIGIN_KEY, Object, ToYit, Tool, Unmapped, backlog, beads, tbd,
};
use crate::model::problem::Problem;

/// The most a source file may hold (a beads JSONL of 100,000 issues is
/// about 100 MB).
pub const SOURCE_LIMIT: u64 = 256 * 1024 * 1024;
/// The most one Markdown task file may hold.
const TASK_LIMIT: u64 = 16 * 1024 * 1024;

/// The issues of another tracker, as read from `path`.
pub struct Source<'a> {
    pub tool: Tool,
    pub path: &'a Path,
    pub items: Vec<Item>,
}

/// What an import from another tracker did (or, `dry_run`, would do).
#[derive(Debug, Default)]
pub struct Migrated {
    /// The file or folder read.
    pub source: PathBuf,
    pub dry_run: bool,
    /// New issues: yit id, source id, title.
    pub created: Vec<(IssueId, String, String)>,
    /// Issues imported before that the source changed.
    pub updated: Vec<(IssueId, String)>,
    pub unchanged: usize,
    /// Keys changed both here and in the source since the last import:
    /// the local values were kept.
    pub conflicts: Vec<(IssueId, String, Vec<String>)>,
    /// Values mapped to others: (field, source value) → (yit value, uses).
    pub mapped: BTreeMap<(String, String), (String, usize)>,
    /// Source keys yit has no field for, kept under their own names, with
    /// how many issues have them.
    pub kept: BTreeMap<String, usize>,
    /// A dry run's values nothing maps, each with the flag that maps it
    /// (the import itself refuses them).
    pub unmapped: Vec<String>,
}

/// What an export to another tracker wrote.
#[derive(Debug, Default)]
pub struct Exported {
    pub path: PathBuf,
    /// Files written (the JSONL file, or each task file).
    pub files: Vec<PathBuf>,
    pub issues: usize,
    /// What the target cannot hold, by issue (target id) and what.
    pub report: Vec<(String, String)>,
}

impl Tracker {
    /// The file or folder an import from `tool` reads when none is given.
    pub fn default_source(&self, tool: Tool) -> PathBuf {
        let root = self.root();
        match tool {
            Tool::Beads => root.join(beads::DEFAULT_PATH),
            Tool::Backlog => {
                let hidden = root.join(".backlog");
                if !root.join(backlog::DEFAULT_PATH).exists() && hidden.is_dir() {
                    hidden
                } else {
                    root.join(backlog::DEFAULT_PATH)
                }
            }
            Tool::Tbd => tbd::DEFAULT_PATHS
                .iter()
                .map(|p| root.join(p))
                .find(|p| p.is_dir())
                .unwrap_or_else(|| root.join(tbd::DEFAULT_PATHS[1])),
        }
    }

    /// The issues of `tool`'s tracker at `path`, every one, or every
    /// problem of the files with its file and line.
    pub fn read_source(&self, tool: Tool, path: &Path) -> Result<Vec<Item>, StoreError> {
        let refused = |problems: Vec<Problem>| StoreError::NothingImported {
            path: path.to_owned(),
            problems,
        };
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refused(vec![Problem::new(
                    path,
                    "is a symbolic link; yit does not follow it",
                )]));
            }
            Ok(_) => {}
            Err(_) => {
                return Err(refused(vec![Problem::new(
                    path,
                    format!(
                        "there is no {} tracker here (give its {} as PATH)",
                        tool.name(),
                        match tool {
                            Tool::Beads => "issues.jsonl",
                            _ => "folder",
                        }
                    ),
                )]));
            }
        }
        match tool {
            Tool::Beads => {
                let file = if path.is_dir() {
                    path.join("issues.jsonl")
                } else {
                    path.to_owned()
                };
                let text = read_text(&file, SOURCE_LIMIT).map_err(|p| refused(vec![p]))?;
                beads::parse(&text, &file).map_err(refused)
            }
            Tool::Backlog => {
                let files = markdown_files(path, backlog::FOLDERS).map_err(refused)?;
                read_each(files, backlog::parse).map_err(refused)
            }
            Tool::Tbd => {
                let shorts_path = path.join("mappings").join("ids.yml");
                let shorts = match read_text_if_any(&shorts_path, SOURCE_LIMIT) {
                    Ok(None) => HashMap::new(),
                    Ok(Some(text)) => {
                        tbd::short_ids(&text, &shorts_path).map_err(|p| refused(vec![p]))?
                    }
                    Err(p) => return Err(refused(vec![p])),
                };
                let prefix = tbd_prefix(path);
                let files = markdown_files(path, &["issues"]).map_err(refused)?;
                read_each(files, |text, file, name| {
                    tbd::parse(text, file, name, prefix.as_deref(), &shorts)
                })
                .map_err(refused)
            }
        }
    }

    /// Imports the issues of `source`: each
    /// source issue not imported before is created, each one imported
    /// before is updated where only the source changed. Everything is
    /// checked first; any problem, or a value no map maps, and nothing is
    /// written. With `dry_run` nothing is written either way.
    pub fn migrate_in(
        &self,
        source: Source,
        maps: &Maps,
        dry_run: bool,
        clock: &Clock,
        before_file: &(dyn Fn(usize) + Sync),
    ) -> Result<Migrated, StoreError> {
        let Source {
            tool,
            path,
            mut items,
        } = source;
        let config = self.config();
        let refused = |problems: Vec<Problem>| StoreError::NothingImported {
            path: path.to_owned(),
            problems,
        };
        // an id twice
        let mut problems = Vec::new();
        let mut first: HashMap<String, &Item> = HashMap::new();
        for item in &items {
            for name in std::iter::once(&item.id).chain(&item.aliases) {
                let key = tool.key(name);
                if let Some(before) = first.get(&key) {
                    problems.push(item.problem(format!(
                        "the id appears twice (first in {}{})",
                        before.path.display(),
                        before.line.map(|l| format!(":{l}")).unwrap_or_default()
                    )));
                } else {
                    first.insert(key, item);
                }
            }
        }
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        // held from the look at what was imported before to the last file
        // written: two imports at once never both create an issue
        let graph = if dry_run {
            None
        } else {
            Some(self.lock_graph(clock.lock_timeout)?)
        };
        let scan = self.scan(ScanMode::Index { details: true })?;
        if scan.broken_files > 0 {
            // an issue imported before, in a file that cannot be read now,
            // would be imported again beside it
            let mut problems = scan.problems.clone();
            problems.insert(
                0,
                Problem::new(
                    path,
                    format!(
                        "{} issue file(s) here cannot be read; fix them first (`yit doctor`): an issue imported before would be imported twice",
                        scan.broken_files
                    ),
                ),
            );
            return Err(refused(problems));
        }
        // what was imported from this tracker before, by source id
        let mut ids = Ids::default();
        let mut before: HashMap<IssueId, &Issue> = HashMap::new();
        for issue in &scan.issues {
            if let Some((t, source)) = migrate::origin_of(issue)
                && t == tool
            {
                ids.insert(tool, source, issue.id.clone());
                before.insert(issue.id.clone(), issue);
            }
        }
        assign_ids(&mut ids, tool, &items, &scan.listing, clock.seed);
        let mut cx = ToYit::new(tool, config, maps, &ids);
        let converted = migrate::convert(&mut items, &mut cx);
        problems.append(&mut cx.problems);
        problems.extend(cycles(&items, &converted));
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        let unmapped = unmapped_message(tool.name(), &cx.unmapped, config);
        if !unmapped.is_empty() && !dry_run {
            return Err(refused(
                unmapped
                    .into_iter()
                    .map(|l| Problem::new(path, l))
                    .collect(),
            ));
        }
        let mut report = Migrated {
            source: path.to_owned(),
            dry_run,
            unmapped,
            ..Migrated::default()
        };
        for ((field, from), to) in &cx.mapped {
            report
                .mapped
                .insert(((*field).to_owned(), from.clone()), to.clone());
        }
        report.kept = std::mem::take(&mut cx.kept);
        let from = FromYit {
            tool,
            config,
            ids: &ids,
        };
        let mut fresh: Vec<Issue> = Vec::new();
        let mut fresh_items: Vec<usize> = Vec::new();
        // issues imported before that may change: their new issue, and
        // their source id
        let mut theirs: HashMap<IssueId, (Issue, String)> = HashMap::new();
        for (n, issue) in converted.into_iter().enumerate() {
            let item = &items[n];
            match before.get(&issue.id) {
                None => {
                    report
                        .created
                        .push((issue.id.clone(), item.id.clone(), issue.title.clone()));
                    fresh.push(issue);
                    fresh_items.push(n);
                }
                Some(local) => {
                    // looked at again under its lock, below
                    let (changes, conflicts) = migrate::update(local, &issue, &from);
                    if changes.is_empty() && conflicts.is_empty() {
                        report.unchanged += 1;
                    } else {
                        theirs.insert(issue.id.clone(), (issue, item.id.clone()));
                    }
                }
            }
        }
        let mut targets: Vec<IssueId> = theirs.keys().cloned().collect();
        targets.sort();
        // each new file's text, or the problem of its source issue (over
        // max_file_size: hundreds of long comments)
        let mut texts = Vec::with_capacity(fresh.len());
        let mut problems = Vec::new();
        for (text, n) in self.texts_of(&fresh).into_iter().zip(&fresh_items) {
            match text {
                Ok(text) => texts.push(text),
                Err(e) => problems.push(items[*n].problem(e.to_string())),
            }
        }
        if !problems.is_empty() {
            return Err(refused(problems));
        }
        // the updates made and checked under their issues' locks before
        // the first file is written: the import is all or nothing
        self.recover_changes()?;
        let _locks = self.lock_all(&targets, clock.lock_timeout)?;
        let mut conflicts: Vec<(IssueId, Vec<String>)> = Vec::new();
        let (edits, changed) =
            self.prepare_edits(&targets, None, clock.now, &mut |local: &Issue| {
                let Some((new, _)) = theirs.get(&local.id) else {
                    return Ok(Vec::new());
                };
                let (changes, keys) = migrate::update(local, new, &from);
                if !keys.is_empty() {
                    conflicts.push((local.id.clone(), keys));
                }
                Ok(changes)
            })?;
        // what is said is what the files held under their locks
        let source_of = |id: &IssueId| theirs.get(id).map(|t| t.1.clone()).unwrap_or_default();
        for edit in &edits {
            if edit.changed {
                report
                    .updated
                    .push((edit.issue.id.clone(), source_of(&edit.issue.id)));
            } else {
                report.unchanged += 1;
            }
        }
        report.conflicts = conflicts
            .into_iter()
            .map(|(id, keys)| {
                let source = source_of(&id);
                (id, source, keys)
            })
            .collect();
        if dry_run {
            return Ok(report);
        }
        self.create_texts(&fresh, texts, before_file)?;
        self.write_edits(&edits, &changed)?;
        drop(graph);
        Ok(report)
    }

    /// Writes every issue to `path` in `tool`'s format: beads' JSONL file,
    /// or Backlog.md's task files under the folder `path`. Issues imported
    /// from that tool keep their ids and, where nothing changed here, the
    /// exact values the source had; the others get new ids. What the
    /// target cannot hold is in the report.
    pub fn migrate_out(
        &self,
        tool: Tool,
        path: &Path,
        mode: ScanMode,
    ) -> Result<Exported, StoreError> {
        let config = self.config();
        let scan = self.scan(mode.with_details(true))?;
        if scan.broken_files > 0 {
            return Err(StoreError::NothingExported {
                broken: scan.broken_files,
                problems: scan.problems,
            });
        }
        let ids = export_ids(tool, &scan.issues);
        let cx = FromYit {
            tool,
            config,
            ids: &ids,
        };
        let mut out = Exported {
            path: path.to_owned(),
            issues: scan.issues.len(),
            ..Exported::default()
        };
        let mut objects: Vec<(Object, &Issue)> = Vec::with_capacity(scan.issues.len());
        // in the target's id order, as its own export writes them
        let mut issues: Vec<&Issue> = scan.issues.iter().map(|i| &**i).collect();
        issues.sort_by_cached_key(|i| cx.id(&i.id));
        for issue in issues {
            let object = migrate::export_object(issue, &cx);
            out.report.extend(
                cannot_hold(tool, issue, &object, config)
                    .into_iter()
                    .map(|what| (cx.id(&issue.id), what)),
            );
            objects.push((object, issue));
        }
        match tool {
            Tool::Beads => {
                let mut text = String::new();
                for (object, _) in &objects {
                    text.push_str(&serde_json::to_string(object).expect("JSON values serialize"));
                    text.push('\n');
                }
                let file = if path.is_dir() {
                    path.join("issues.jsonl")
                } else {
                    path.to_owned()
                };
                write_out(&file, text.as_bytes(), true)?;
                out.files.push(file);
            }
            Tool::Backlog => {
                let mut names: HashSet<String> = HashSet::new();
                for (mut object, issue) in objects {
                    if !issue.comments.is_empty() {
                        let body = object
                            .get("body")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        object.insert("body".into(), with_comments(&body, issue, &cx).into());
                    }
                    let id = cx.id(&issue.id);
                    let name = task_file(issue, tool)
                        .filter(|n| !names.contains(n))
                        .unwrap_or_else(|| backlog::file_name(&id, &issue.title));
                    names.insert(name.clone());
                    let text =
                        backlog::file_text(&object).map_err(|e| StoreError::ExportFailed {
                            id: id.clone(),
                            why: e,
                        })?;
                    let file = path.join(&name);
                    // each unsynced: the folder is made durable at once
                    write_out(&file, text.as_bytes(), false)?;
                    out.files.push(file);
                }
                if !out.files.is_empty() {
                    super::write::sync_batch(path)?;
                }
                // task files there that no issue here wrote (removed here,
                // or never imported) are left as they were, and named
                if let Ok(files) = markdown_files(path, backlog::FOLDERS) {
                    for (_, name) in files {
                        if !names.contains(&name) {
                            out.report.push((
                                name,
                                "no issue here is this task: the file was left as it was".into(),
                            ));
                        }
                    }
                }
            }
            Tool::Tbd => {
                return Err(StoreError::ExportFailed {
                    id: String::new(),
                    why: "yit does not write tbd's format (import only)".into(),
                });
            }
        }
        Ok(out)
    }
}

/// Gives each item without one (not imported before) its yit id: the one
/// its source id seeds, so that two clones that import the same source
/// create the same files, which merge, instead of the same issues twice;
/// a random one (from `seed`) only if that id is taken.
fn assign_ids(ids: &mut Ids, tool: Tool, items: &[Item], listing: &Listing, seed: Option<u64>) {
    let mut draws = IdSource::new(seed);
    let mut drawn: HashSet<IssueId> = HashSet::new();
    let mut free = |id: &IssueId| !listing.contains(id) && drawn.insert(id.clone());
    for item in items {
        let id = match ids.yit(tool, &item.id) {
            Some(id) => id.clone(),
            None => {
                let derived = IdSource::new(Some(origin_seed(tool, &item.id))).issue_id();
                if free(&derived) {
                    derived
                } else {
                    loop {
                        let id = draws.issue_id();
                        if free(&id) {
                            break id;
                        }
                    }
                }
            }
        };
        ids.insert(tool, &item.id, id.clone());
        for alias in &item.aliases {
            ids.alias(tool, alias, id.clone());
        }
    }
}

/// A dependency cycle and a parent cycle among the source's issues
/// (`issues[n]` is `items[n]`'s), each as a problem naming its issues.
fn cycles(items: &[Item], issues: &[Issue]) -> Vec<Problem> {
    let index: HashMap<&IssueId, usize> =
        issues.iter().enumerate().map(|(n, i)| (&i.id, n)).collect();
    let within = |ids: &mut dyn Iterator<Item = &IssueId>| -> Vec<usize> {
        ids.filter_map(|d| index.get(d).copied()).collect()
    };
    let mut problems = Vec::new();
    let mut walk = |what: &str, next: &dyn Fn(usize) -> Vec<usize>| {
        if let Some(cycle) = migrate::find_cycle(issues.len(), next) {
            let names: Vec<&str> = cycle.iter().map(|n| items[*n].id.as_str()).collect();
            problems.push(items[cycle[0]].problem(format!("{what}: {}", names.join(" → "))));
        }
    };
    walk("a dependency cycle", &|n| {
        within(&mut issues[n].depends_on.iter())
    });
    walk("a parent cycle", &|n| within(&mut issues[n].parent.iter()));
    problems
}

/// The seed of the id a new issue imported from `tool`'s issue `id` gets
/// (ids compared as the tool compares them).
fn origin_seed(tool: Tool, id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(format!("{}:{}", tool.name(), tool.key(id)).as_bytes())
}

/// tbd's display prefix (`display.id_prefix`) from the `config.yml` of
/// the `.tbd` folder the data folder `data` is in (its own tracker's, not
/// this repository's, when it is another's).
fn tbd_prefix(data: &Path) -> Option<String> {
    let absolute = std::path::absolute(data).ok()?;
    let config = absolute
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == ".tbd") && a.join("config.yml").is_file())?
        .join("config.yml");
    let text = read_text(&config, 1024 * 1024).ok()?;
    let value: Value =
        serde_saphyr::from_str_with_options(&text, crate::model::yaml::read_options()).ok()?;
    value
        .get("display")?
        .get("id_prefix")?
        .as_str()
        .map(str::to_owned)
}

/// The UTF-8 text of the regular file `path`, at most `limit` bytes.
fn read_text(path: &Path, limit: u64) -> Result<String, Problem> {
    read_text_if_any(path, limit)?.ok_or_else(|| Problem::new(path, "does not exist"))
}

/// [`read_text`], `None` when there is no such file.
fn read_text_if_any(path: &Path, limit: u64) -> Result<Option<String>, Problem> {
    let bytes = match guarded::read(path, limit) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(e) => return Err(Problem::new(path, e.to_string())),
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        Problem::at(
            path,
            crate::model::problem::Pos::of_offset(&text, text.len()),
            "invalid UTF-8",
        )
    })
}

/// Each of `files` (path, name under the tracker's folder) read and
/// parsed: every item, or every problem.
fn read_each(
    files: Vec<(PathBuf, String)>,
    parse: impl Fn(&str, &Path, &str) -> Result<Item, Problem>,
) -> Result<Vec<Item>, Vec<Problem>> {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (file, name) in files {
        match read_text(&file, TASK_LIMIT).and_then(|text| parse(&text, &file, &name)) {
            Ok(item) => items.push(item),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        Err(problems)
    }
}

/// The `*.md` files under `dir`'s `folders` (or in `dir` itself when it
/// has none of them, or `dir` when it is a file), each with its name
/// under `dir`, in name order. A link or special file is a problem.
fn markdown_files(dir: &Path, folders: &[&str]) -> Result<Vec<(PathBuf, String)>, Vec<Problem>> {
    if !dir.is_dir() {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Ok(vec![(dir.to_owned(), name)]);
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut present: Vec<&str> = Vec::new();
    for f in folders {
        match std::fs::symlink_metadata(dir.join(f)) {
            Ok(m) if m.is_dir() => present.push(f),
            // a folder that is a link is not followed, and not passed over
            // in silence
            Ok(m) if m.file_type().is_symlink() => problems.push(Problem::new(
                &dir.join(f),
                "is a symbolic link; yit does not follow it",
            )),
            _ => {}
        }
    }
    let searched: Vec<(PathBuf, String)> = if present.is_empty() {
        vec![(dir.to_owned(), String::new())]
    } else {
        present
            .iter()
            .map(|f| (dir.join(f), format!("{f}/")))
            .collect()
    };
    for (folder, prefix) in searched {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push(Problem::new(&folder, format!("cannot list: {e}")));
                continue;
            }
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
            .collect();
        names.sort();
        for name in names {
            out.push((folder.join(&name), format!("{prefix}{name}")));
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The ids issues get in `tool`'s tracker: an issue imported from it keeps
/// its own; the others get `<prefix>-<yit id>` (beads) or the next
/// number (Backlog.md), with the prefix most of the imported ones have.
fn export_ids(tool: Tool, issues: &[Box<Issue>]) -> Ids {
    let mut ids = Ids::default();
    let mut prefixes: BTreeMap<String, usize> = BTreeMap::new();
    let mut highest = 0u64;
    for issue in issues {
        if let Some((t, id)) = migrate::origin_of(issue)
            && t == tool
        {
            ids.insert(tool, id, issue.id.clone());
            if let Some((prefix, rest)) = id.rsplit_once('-') {
                *prefixes.entry(prefix.to_owned()).or_default() += 1;
                if let Ok(n) = rest.parse::<u64>() {
                    highest = highest.max(n);
                }
            }
        }
    }
    let prefix = prefixes
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(p, _)| p)
        .unwrap_or_else(|| match tool {
            Tool::Backlog => "task".to_owned(),
            _ => "bd".to_owned(),
        });
    for issue in issues {
        if ids.source(&issue.id).is_some() {
            continue;
        }
        let id = match tool {
            Tool::Backlog => {
                highest += 1;
                format!("{prefix}-{highest}")
            }
            _ => format!("{prefix}-{}", issue.id),
        };
        ids.insert(tool, &id, issue.id.clone());
    }
    ids
}

/// The keys each target reads.
const BEADS_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "design",
    "acceptance_criteria",
    "notes",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "estimated_minutes",
    "created_at",
    "updated_at",
    "closed_at",
    "close_reason",
    "external_ref",
    "compaction_level",
    "compacted_at",
    "compacted_at_commit",
    "original_size",
    "labels",
    "dependencies",
    "comments",
    "deleted_at",
    "deleted_by",
    "delete_reason",
    "original_type",
    "created_by",
];
const BACKLOG_KEYS: &[&str] = &[
    "id",
    "title",
    "status",
    "assignee",
    "reporter",
    "created_date",
    "updated_date",
    "labels",
    "milestone",
    "dependencies",
    "references",
    "documentation",
    "parent_task_id",
    "subtasks",
    "priority",
    "ordinal",
    "onStatusChange",
    "body",
];

/// What `tool` cannot hold of `issue` (written as `object`).
fn cannot_hold(
    tool: Tool,
    issue: &Issue,
    object: &Object,
    config: &crate::model::config::Config,
) -> Vec<String> {
    let mut out = Vec::new();
    let known = match tool {
        Tool::Beads => BEADS_KEYS,
        _ => BACKLOG_KEYS,
    };
    let unknown: Vec<&str> = object
        .keys()
        .map(String::as_str)
        .filter(|k| !known.contains(k))
        .collect();
    if !unknown.is_empty() {
        out.push(format!(
            "{} has no field {}: written, but {} does not read it",
            tool.name(),
            unknown.join(", "),
            tool.name()
        ));
    }
    if issue.github.is_some() {
        out.push(format!(
            "{} has no place for where the issue came from on GitHub (`github:`); left out",
            tool.name()
        ));
    }
    if !issue.conflicts.is_empty() {
        out.push(
            "has unresolved merge conflicts (`yit resolve`); only the chosen values were written"
                .into(),
        );
    }
    let status = object
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match tool {
        Tool::Beads => {
            if !beads::STATUS_WORDS.contains(&status) && !is_restored(issue, object, "status") {
                out.push(format!("status {status:?} is not one of beads' own (bd accepts it once `status.custom` lists it)"));
            }
            if !beads::TYPES.contains(&issue.kind.as_str()) {
                out.push(format!(
                    "type {:?} is not one of beads' (bug, feature, task, epic, chore)",
                    issue.kind
                ));
            }
        }
        Tool::Backlog => {
            if !backlog::is_status_word(status) && !is_restored(issue, object, "status") {
                out.push(format!("status {status:?} is not one of Backlog.md's defaults (add it to backlog/config.yml)"));
            }
            let word = object
                .get("priority")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if matches!(issue.priority, 0 | 4)
                && !word.is_empty()
                && !is_restored(issue, object, "priority")
            {
                out.push(format!(
                    "priority {} written as {word} (Backlog.md has high, medium and low)",
                    issue.priority
                ));
            }
            if issue.kind != config.default_type
                && migrate::own_value(issue, tool, "type").is_none()
            {
                out.push(format!("Backlog.md has no type: {:?} left out", issue.kind));
            }
            if !issue.comments.is_empty() {
                out.push(format!("Backlog.md has no comments: {} comment(s) written as a `## Comments` section of the body", issue.comments.len()));
            }
        }
        Tool::Tbd => {}
    }
    out
}

/// Whether the export wrote back the source's own value of `key` (then
/// the target held it before).
fn is_restored(issue: &Issue, object: &Object, key: &str) -> bool {
    let source = issue
        .extra
        .get(ORIGIN_KEY)
        .and_then(|o| o.get("source"))
        .and_then(|s| s.get(key));
    source.is_some() && source == object.get(key)
}

/// The task file an issue imported from Backlog.md came from, when it is a
/// plain relative path under one of its folders.
fn task_file(issue: &Issue, tool: Tool) -> Option<String> {
    let origin = issue.extra.get(ORIGIN_KEY)?;
    if origin.get("tool")?.as_str()? != tool.name() {
        return None;
    }
    let file = origin.get("file")?.as_str()?;
    let path = Path::new(file);
    let plain = path
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let folder_ok = backlog::FOLDERS
        .iter()
        .any(|f| file.starts_with(&format!("{f}/")) && !file[f.len() + 1..].contains('/'));
    (plain && folder_ok && file.ends_with(".md")).then(|| file.to_owned())
}

/// The body with the issue's comments as a `## Comments` section.
fn with_comments(body: &str, issue: &Issue, cx: &FromYit) -> String {
    let mut out = body.trim_end().to_owned();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str("## Comments\n");
    for c in &issue.comments {
        let who = c
            .author
            .as_deref()
            .map(|a| cx.person(a))
            .unwrap_or_else(|| "unknown".into());
        out.push_str(&format!(
            "\n**{who}** ({}):\n\n{}\n",
            crate::model::issue::format_time(c.created),
            cx.unwrite(c.body.trim_end())
        ));
    }
    out
}

/// Writes `bytes` to `file` by a rename (synced when `sync`), its folder
/// made first; never through a symbolic link.
fn write_out(file: &Path, bytes: &[u8], sync: bool) -> Result<(), StoreError> {
    if std::fs::symlink_metadata(file).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(StoreError::Guarded(guarded::GuardedError::Symlink {
            path: file.to_owned(),
        }));
    }
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(super::io_err("could not create", parent))?;
    }
    super::atomic::replace(file, bytes, sync).map_err(super::io_err("could not write", file))
}

/// The message of a refused import's unmapped values: each value, the
/// issues that have it, and the flag that maps it.
pub fn unmapped_message(
    tool: &str,
    unmapped: &Unmapped,
    config: &crate::model::config::Config,
) -> Vec<String> {
    let mut out = Vec::new();
    for (field, values) in unmapped {
        let (flag, choices) = match *field {
            "status" => ("--status-map", config.status_names()),
            "type" => ("--type-map", config.types.join(", ")),
            _ => ("--priority-map", "0 (highest) to 4".to_owned()),
        };
        for (value, issues) in values {
            let shown: Vec<&str> = issues.iter().take(3).map(String::as_str).collect();
            let more = match issues.len() {
                n if n > 3 => format!(" and {} more", n - 3),
                _ => String::new(),
            };
            out.push(format!(
                "{field} {value:?} of {tool} ({}{more}) maps to no yit {field}: add `{flag} '{value}=…'` (yit has: {choices})",
                shown.join(", ")
            ));
        }
    }
    out
}
