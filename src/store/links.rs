//! What `show` lists around one issue (its parent, what it waits for, what
//! waits for it, its children) without a daemon and without decoding every
//! issue: the index's `links.v1`, written with the summary, holds every
//! file's name and stat data (raw, read in place) and, for the issues that
//! name another or are named, their title, status, priority and links. So
//! the reverse edges are read, not recomputed.
//!
//! It is exact, like every read through the index: every file is stat'ed
//! against what the links file recorded (a file changed in place is seen,
//! and the same racy rule applies), files that changed are read and
//! parsed, and the directory is listed again unless its own stat data
//! says no file came or went since (its mtime changes with every name
//! added, removed or renamed over). Past one changed file in eight the
//! caller reads every issue instead, which saves a new index.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::Tracker;
use super::index::{FileStat, Record, ToSave};
use crate::model::deps::Related;
use crate::model::id::IssueId;
use crate::model::issue::Issue;

const LINKS: &str = "links.v1";
const LINKS_VERSION: u32 = 1;
/// Bytes of one file's stat data in [`LinksFile::stats`].
const STAT_BYTES: usize = 32;
/// How far the file system's clock may lag the system's (a timestamp tick
/// is at most 10 ms): a directory whose mtime is older than the moment it
/// was stat'ed by more than this cannot change again without its mtime
/// changing.
const TICK_NS: i64 = 20_000_000;

/// The `.issues` directory as seen just before the listing an index was
/// built from.
#[derive(Clone, Copy, Serialize, Deserialize)]
pub(super) struct DirSeen {
    pub stat: FileStat,
    /// The system's clock just before that stat, in ns.
    pub at_ns: i64,
}

impl DirSeen {
    pub(super) fn now(dir: &Path) -> Option<DirSeen> {
        let at_ns = jiff::Timestamp::now().as_nanosecond() as i64;
        let meta = std::fs::metadata(dir).ok()?;
        Some(DirSeen {
            stat: FileStat::of(&meta),
            at_ns,
        })
    }

    /// Whether no name in the directory came or went since: the same stat
    /// data, and its mtime already in the past when it was seen.
    fn unchanged(&self, now: &FileStat) -> bool {
        self.stat == *now && self.stat.mtime_ns < self.at_ns - TICK_NS
    }
}

#[derive(Serialize, Deserialize)]
struct LinksFile<'a> {
    version: u32,
    context: u64,
    dir: DirSeen,
    /// Every issue file's id, in order, each followed by `\n`.
    names: &'a str,
    /// Every file's stat data in the order of `names` ([`STAT_BYTES`]
    /// each: size, mtime, ctime, inode, little-endian).
    stats: &'a [u8],
    #[serde(borrow)]
    linked: Vec<Linked<'a>>,
}

/// An issue that names another (as parent or dependency) or is named.
#[derive(Serialize, Deserialize)]
struct Linked<'a> {
    id: &'a str,
    title: Cow<'a, str>,
    status: Cow<'a, str>,
    priority: u8,
    parent: Option<&'a str>,
    depends_on: Vec<&'a str>,
}

impl Linked<'_> {
    fn names(&self, id: &str) -> bool {
        self.parent == Some(id) || self.depends_on.contains(&id)
    }

    fn to_issue(&self) -> Option<Issue> {
        let mut issue = Issue::stub(IssueId::parse_canonical(self.id)?);
        issue.title = self.title.clone().into_owned();
        issue.status = self.status.clone().into_owned();
        issue.priority = self.priority;
        issue.parent = self.parent.and_then(IssueId::parse_canonical);
        issue.depends_on = (self.depends_on.iter())
            .filter_map(|d| IssueId::parse_canonical(d))
            .collect();
        Some(issue)
    }
}

fn stat_bytes(stat: &FileStat) -> [u8; STAT_BYTES] {
    let mut out = [0u8; STAT_BYTES];
    out[..8].copy_from_slice(&stat.size.to_le_bytes());
    out[8..16].copy_from_slice(&stat.mtime_ns.to_le_bytes());
    out[16..24].copy_from_slice(&stat.ctime_ns.to_le_bytes());
    out[24..].copy_from_slice(&stat.ino.to_le_bytes());
    out
}

fn stat_of(bytes: &[u8]) -> FileStat {
    let word = |at: usize| <[u8; 8]>::try_from(&bytes[at..at + 8]).expect("8 bytes");
    FileStat {
        size: u64::from_le_bytes(word(0)),
        mtime_ns: i64::from_le_bytes(word(8)),
        ctime_ns: i64::from_le_bytes(word(16)),
        ino: u64::from_le_bytes(word(24)),
    }
}

/// Writes `links.v1` for the entries an index is being saved with (in
/// name order, the files' whole listing). Best effort: a cache.
pub(super) fn save(dir: &Path, context: u64, seen: DirSeen, entries: &[ToSave]) {
    let mut names = String::with_capacity(entries.len() * 11);
    let mut stats = Vec::with_capacity(entries.len() * STAT_BYTES);
    let mut named: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for e in entries {
        let id = e.name.strip_suffix(".yaml").unwrap_or(e.name);
        names.push_str(id);
        names.push('\n');
        stats.extend_from_slice(&stat_bytes(&e.stat));
        if let Record::Issue(issue) = e.record {
            named.extend(issue.parent.iter().map(IssueId::as_str));
            named.extend(issue.depends_on.iter().map(IssueId::as_str));
        }
    }
    let linked: Vec<Linked> = (entries.iter())
        .filter_map(|e| match e.record {
            Record::Issue(issue)
                if issue.parent.is_some()
                    || !issue.depends_on.is_empty()
                    || named.contains(issue.id.as_str()) =>
            {
                Some(Linked {
                    id: issue.id.as_str(),
                    title: Cow::Borrowed(&issue.title),
                    status: Cow::Borrowed(&issue.status),
                    priority: issue.priority,
                    parent: issue.parent.as_ref().map(IssueId::as_str),
                    depends_on: issue.depends_on.iter().map(IssueId::as_str).collect(),
                })
            }
            _ => None,
        })
        .collect();
    let file = LinksFile {
        version: LINKS_VERSION,
        context,
        dir: seen,
        names: &names,
        stats: &stats,
        linked,
    };
    write(dir, &file);
}

/// Writes `links` as the links file, atomically, its bytes followed by
/// their xxh3-64 (a damaged file is never used). Best effort: a cache.
fn write(dir: &Path, links: &LinksFile) {
    let _ = (|| -> std::io::Result<()> {
        let mut bytes = postcard::to_stdvec(links).map_err(std::io::Error::other)?;
        let sum = xxhash_rust::xxh3::xxh3_64(&bytes);
        bytes.extend_from_slice(&sum.to_le_bytes());
        let tmp = crate::store::atomic::temp_in(dir)?;
        let mut out = tmp.reopen()?;
        out.write_all(&bytes)?;
        drop(out);
        tmp.persist(dir.join(LINKS)).map(drop).map_err(|e| e.error)
    })();
}

/// Removes the links file (an index saved without knowing the directory).
pub(super) fn forget(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(LINKS));
}

/// Whether a read through the index should save it for want of its links:
/// none in `dir`, which yit may write (a read-only checkout is not
/// rewritten on every read).
pub(super) fn wanted(dir: &Path) -> bool {
    !dir.join(LINKS).exists() && rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

/// The links file's bytes without their checksum, and its mtime; `None`
/// when missing, not a regular file, past 256 MiB or damaged (then it is
/// removed, so the next read through the index saves it again).
fn read(dir: &Path) -> Option<(Vec<u8>, i64)> {
    let path = dir.join(LINKS);
    // (taken first: a file replaced meanwhile is judged older, so more of
    // its entries count as racy, never fewer)
    let written_ns = FileStat::of(&std::fs::symlink_metadata(&path).ok()?).mtime_ns;
    let mut bytes = crate::store::guarded::read(&path, 256 << 20).ok()??;
    let at = bytes.len().checked_sub(8)?;
    let sum = u64::from_le_bytes(bytes[at..].try_into().expect("8 bytes"));
    if xxhash_rust::xxh3::xxh3_64(&bytes[..at]) != sum {
        forget(dir);
        return None;
    }
    bytes.truncate(at);
    Some((bytes, written_ns))
}

impl Tracker {
    /// The short ids and what surrounds `issue` (read from its file just
    /// now), from the index's links and the files that changed since;
    /// `None` when there are no links to read or too much changed (the
    /// caller then reads every issue).
    pub(super) fn around_from_links(
        &self,
        issue: &Issue,
    ) -> Option<(HashMap<IssueId, String>, Related)> {
        let dir = self.index_dir();
        let (bytes, written_ns) = read(&dir)?;
        let mut links: LinksFile = postcard::from_bytes(&bytes).ok()?;
        let recorded: Vec<&str> = links.names.split_terminator('\n').collect();
        if links.version != LINKS_VERSION
            || links.context != self.context
            || links.stats.len() != recorded.len() * STAT_BYTES
        {
            return None;
        }
        let files = &self.files;
        let opened = File::open(&files.dir).ok()?;
        let seen = DirSeen {
            at_ns: jiff::Timestamp::now().as_nanosecond() as i64,
            stat: FileStat::of(&opened.metadata().ok()?),
        };
        let trusted = links.dir.unchanged(&seen.stat);
        // the names now: those recorded, unless a name came or went
        let (listed, listed_names);
        let names: &[&str] = if trusted {
            &recorded
        } else {
            listed = files.listing().ok()?;
            listed_names = {
                let mut names: Vec<&str> = listed.ids.iter().map(IssueId::as_str).collect();
                names.sort_unstable();
                names
            };
            &listed_names
        };
        let same = trusted || names == recorded.as_slice();
        // each name's recorded stat data: the same order when no name came
        // or went, else paired in one merging pass (both are sorted)
        let stats = links.stats.chunks_exact(STAT_BYTES);
        let was: Vec<Option<&[u8]>> = if same {
            stats.map(Some).collect()
        } else {
            let mut old = recorded.iter().zip(stats).peekable();
            (names.iter())
                .map(|name| {
                    while old.peek().is_some_and(|(o, _)| *o < name) {
                        old.next();
                    }
                    old.next_if(|(o, _)| *o == name).map(|(_, s)| s)
                })
                .collect()
        };
        let changed: Vec<IssueId> = changed_files(&opened, names, &was, written_ns);
        if changed.len() > (names.len() / 8).max(64) {
            return None;
        }
        // listed again and found as recorded: the links are saved with the
        // directory as seen now, once its mtime is in the past, so that
        // the next read needs no listing
        if !trusted && same && changed.is_empty() && seen.unchanged(&seen.stat) {
            let again = LinksFile {
                dir: seen,
                linked: std::mem::take(&mut links.linked),
                ..links
            };
            write(&dir, &again);
            links.linked = again.linked;
        }
        // the changed files as they are now (`None`: gone or broken)
        let mut fresh: HashMap<String, Option<Issue>> = changed
            .par_iter()
            .map(|id| {
                let read = files.read_issue(id).ok().flatten();
                (id.as_str().to_owned(), read)
            })
            .collect();
        if !same {
            for name in &recorded {
                if names.binary_search(name).is_err() {
                    fresh.insert((*name).to_owned(), None);
                }
            }
        }
        let target = issue.id.as_str();
        let mut naming: Vec<Issue> = (links.linked.iter())
            .filter(|l| !fresh.contains_key(l.id) && l.names(target))
            .filter_map(Linked::to_issue)
            .collect();
        naming.extend(
            (fresh.values().flatten())
                .filter(|i| {
                    i.parent.as_ref() == Some(&issue.id) || i.depends_on.contains(&issue.id)
                })
                .cloned(),
        );
        // the issues it names: fresh, linked, or (named only since) read
        let mut named: HashMap<&IssueId, Option<Issue>> = HashMap::new();
        for id in issue.parent.iter().chain(&issue.depends_on) {
            let found = match fresh.get(id.as_str()) {
                Some(now) => now.clone(),
                None => match links.linked.iter().find(|l| l.id == id.as_str()) {
                    Some(l) => l.to_issue(),
                    None if names.binary_search(&id.as_str()).is_ok() => {
                        self.read_issue(id).ok().flatten()
                    }
                    None => None,
                },
            };
            named.insert(id, found);
        }
        let short = |id: &IssueId| {
            let at = names.partition_point(|n| *n < id.as_str());
            let near = names[at.saturating_sub(1)..(at + 2).min(names.len())].iter();
            id.as_str()[..crate::model::id::short_len(id.as_str(), near.copied())].to_owned()
        };
        let related = Related::of(
            issue,
            naming.iter(),
            &|id| named.get(id).and_then(Option::as_ref),
            &short,
        );
        let mut shorts = HashMap::new();
        shorts.insert(issue.id.clone(), short(&issue.id));
        Some((shorts, related))
    }
}

/// The ids among `names` whose file is not as recorded in `was` (changed,
/// new, or racy), stat'ed by name in the open directory on every core.
fn changed_files(
    dir: &File,
    names: &[&str],
    was: &[Option<&[u8]>],
    written_ns: i64,
) -> Vec<IssueId> {
    let check = |(name, was): (&&str, &Option<&[u8]>)| -> Option<IssueId> {
        let now = super::indexed::stat_named(dir, name).ok();
        match (was.map(stat_of), now) {
            (Some(was), Some(now)) if was == now && was.mtime_ns < written_ns => None,
            _ => IssueId::parse_canonical(name),
        }
    };
    if names.len() < 64 {
        names.iter().zip(was).filter_map(check).collect()
    } else {
        names.par_iter().zip(was).filter_map(check).collect()
    }
}
