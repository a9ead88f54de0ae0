//! The on-disk index: a cache of every issue file's parse, checked against
//! the files on every use.
//!
//! Kept in `<state>/index/`, versioned, and never the truth: an unreadable
//! or old index is treated as empty and rebuilt. Each entry holds the file's
//! stat data (size, mtime and ctime in ns, inode), an xxh3 content hash, and
//! what the file parsed to: the fields `list` needs and the
//! dependencies (`summary.v3`) apart from bodies, comments and other keys
//! (`detail.v3`), so that a plain `list`
//! does not decode every body.
//!
//! An entry is reused only when the file's stat data is unchanged and the
//! entry is not *racy*: a file modified in the same timestamp tick as the
//! index was written could change again without its mtime changing, so
//! such entries (mtime >= the index file's mtime, git's rule) are re-hashed
//! on every read until a later index write settles them. No decision rests
//! on mtime alone. Writers append the entries they wrote to a journal that
//! readers fold in, so a write never rewrites the whole index and a read
//! after a write re-parses nothing.
//!
//! This module does no directory scanning of its own: the store decides
//! which files exist and reads them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::id::IssueId;
use crate::model::issue::{Broken, Comment, Issue};
use crate::model::problem::{Pos, Problem};

/// Bumped whenever the layout of the index files changes.
pub const INDEX_VERSION: u32 = 6;

/// What the cached parses depend on besides the files: this yit (its
/// validation) and the tracker's config.yaml. An index or journal record
/// made under another context is ignored.
pub fn context(config_text: &str) -> u64 {
    let mut bytes = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(&INDEX_VERSION.to_le_bytes());
    bytes.extend_from_slice(config_text.as_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

const SUMMARY: &str = "summary.v3";
const DETAIL: &str = "detail.v3";
/// Files of earlier layouts, removed when an index is saved.
const OLD_FILES: &[&str] = &[
    "summary.v1",
    "detail.v1",
    "summary.v2",
    "detail.v2",
    "journal.v1",
];
/// Summary entries per chunk: chunks are encoded and decoded in parallel.
const CHUNK: usize = 4096;
const JOURNAL: &str = "journal.v2";

/// The stat data that says whether a file may have changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
}

impl FileStat {
    pub fn of(meta: &std::fs::Metadata) -> FileStat {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileStat {
                size: meta.size(),
                mtime_ns: meta
                    .mtime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.mtime_nsec()),
                ctime_ns: meta
                    .ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.ctime_nsec()),
                ino: meta.ino(),
            }
        }
        #[cfg(not(unix))]
        {
            let ns = |t: std::io::Result<std::time::SystemTime>| {
                t.ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as i64)
            };
            FileStat {
                size: meta.len(),
                mtime_ns: ns(meta.modified()),
                ctime_ns: ns(meta.created()),
                ino: 0,
            }
        }
    }
}

#[cfg(unix)]
impl FileStat {
    /// The same data from a `stat` call (as [`FileStat::of`] would give).
    pub fn of_stat(stat: &rustix::fs::Stat) -> FileStat {
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        FileStat {
            size: stat.st_size as u64,
            mtime_ns: ns(stat.st_mtime, stat.st_mtime_nsec as i64),
            ctime_ns: ns(stat.st_ctime, stat.st_ctime_nsec as i64),
            ino: stat.st_ino,
        }
    }
}

/// The xxh3-128 hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// What one file parsed to, as cached.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Issue(Box<Issue>),
    Broken(Broken),
}

/// One cached file.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub stat: FileStat,
    pub hash: u128,
    pub record: Record,
}

/// The index as loaded: entries by file name, in order (the order of the
/// ids, since `.` sorts before every id character).
#[derive(Default)]
pub struct Index {
    pub entries: BTreeMap<String, Entry>,
    context: u64,
    /// The mtime of the summary file when it was read (0 without one).
    written_ns: i64,
    /// Whether bodies and comments were loaded (`detail.v3`).
    details: bool,
}

impl Index {
    /// Loads the index; anything unreadable gives an empty index. With
    /// `details`, bodies, comments and other keys are loaded too; without,
    /// issues have them empty.
    pub fn load(dir: &Path, context: u64, details: bool) -> Index {
        Index::try_load(dir, context, details).unwrap_or_else(|| Index {
            context,
            details,
            ..Index::default()
        })
    }

    fn try_load(dir: &Path, context: u64, details: bool) -> Option<Index> {
        let mut file = File::open(dir.join(SUMMARY)).ok()?;
        let written_ns = FileStat::of(&file.metadata().ok()?).mtime_ns;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        let summary: SummaryFile = postcard::from_bytes(&bytes).ok()?;
        if summary.version != INDEX_VERSION || summary.context != context {
            return None;
        }
        // chunks decode in parallel; a chunk that does not decode as this
        // yit expects makes the whole index unusable
        if summary.sums.len() != summary.chunks.len() {
            return None;
        }
        let chunks: Vec<Vec<StoredSummary>> = summary
            .chunks
            .par_iter()
            .zip(&summary.sums)
            .map(|(chunk, sum)| {
                intact(chunk, *sum)
                    .then(|| postcard::from_bytes(chunk).ok())
                    .flatten()
            })
            .collect::<Option<_>>()?;
        let entries: BTreeMap<String, Entry> = if details {
            let bytes = std::fs::read(dir.join(DETAIL)).ok()?;
            let parts = detail_chunks(&bytes, summary.generation)?;
            if parts.len() != chunks.len() {
                return None;
            }
            // written from the same entries in the same chunks: each pair
            // of chunks decoded and joined on its own core
            let converted: Vec<Vec<(String, Entry)>> = chunks
                .into_par_iter()
                .zip(parts)
                .map(|(chunk, (part, sum))| {
                    if !intact(part, sum) {
                        return None;
                    }
                    let details: Vec<(Cow<str>, StoredDetail)> = postcard::from_bytes(part).ok()?;
                    if details.len() != chunk.len() {
                        return None;
                    }
                    chunk
                        .into_iter()
                        .zip(details)
                        .map(|(stored, (name, detail))| {
                            (stored.name == name)
                                .then(|| stored.into_entry(Some(detail), true))
                                .flatten()
                        })
                        .collect::<Option<_>>()
                })
                .collect::<Option<_>>()?;
            converted.into_iter().flatten().collect()
        } else {
            let converted: Vec<Vec<(String, Entry)>> = chunks
                .into_par_iter()
                .map(|chunk| {
                    chunk
                        .into_iter()
                        .map(|stored| stored.into_entry(None, false))
                        .collect::<Option<_>>()
                })
                .collect::<Option<_>>()?;
            // already in order: the map is built without comparisons
            converted.into_iter().flatten().collect()
        };
        let mut index = Index {
            entries,
            context,
            written_ns,
            details,
        };
        index.fold_journal(dir);
        Some(index)
    }

    /// Applies the journal's records: entries written by yit since the
    /// index file was written. A damaged tail (an interrupted append) ends
    /// the journal.
    fn fold_journal(&mut self, dir: &Path) {
        let Ok(bytes) = std::fs::read(dir.join(JOURNAL)) else {
            return;
        };
        let mut rest = &bytes[..];
        while rest.len() >= 8 {
            let len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
            let check = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
            let Some(body) = rest.get(8..8 + len) else {
                break;
            };
            if xxhash_rust::xxh3::xxh3_64(body) as u32 != check {
                break;
            }
            let Ok(record) = postcard::from_bytes::<JournalRecord>(body) else {
                break;
            };
            // a record older than the index is already in it (or was
            // superseded); a newer one is racy, so its hash is checked
            let newer = record.stored.stat.mtime_ns >= self.written_ns;
            if record.context == self.context
                && newer
                && let Some((name, entry)) =
                    record.stored.into_entry(Some(record.detail), self.details)
            {
                self.entries.insert(name, entry);
            }
            rest = &rest[8 + len..];
        }
    }

    /// Whether an entry may be reused for a file with stat data `stat`
    /// without reading it: same stat data, and not racy.
    pub fn is_fresh(&self, entry: &Entry, stat: &FileStat) -> bool {
        entry.stat == *stat && entry.stat.mtime_ns < self.written_ns
    }

    pub fn has_details(&self) -> bool {
        self.details
    }

    pub fn context(&self) -> u64 {
        self.context
    }

    // (entries are saved with [`save`])
}

/// One entry to save, borrowed from what the caller holds (an index of
/// 100,000 issues is written without copying a body).
pub struct ToSave<'a> {
    /// The file name.
    pub name: &'a str,
    pub stat: FileStat,
    pub hash: u128,
    /// What the file parsed to, with every detail.
    pub record: &'a Record,
}

impl<'a> ToSave<'a> {
    pub fn of(name: &'a str, entry: &'a Entry) -> ToSave<'a> {
        ToSave {
            name,
            stat: entry.stat,
            hash: entry.hash,
            record: &entry.record,
        }
    }
}

/// Writes an index of `entries` (in name order) for `context`, summary and
/// details, atomically, and empties the journal. Best effort: the index is
/// a cache; when another process is writing one, this one lets it.
pub fn save(dir: &Path, context: u64, entries: &[ToSave]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let lock = crate::store::lock::open_lock_file(&dir.join("lock"))?;
    // another process is writing an index as fresh as ours: let it
    if lock.try_lock().is_err() {
        return Ok(());
    }
    debug_assert!(entries.is_sorted_by(|a, b| a.name < b.name));
    let generation = fastrand::u64(..);
    let chunks: Vec<Vec<u8>> = entries
        .par_chunks(CHUNK)
        .map(|chunk| {
            let stored: Vec<StoredSummary> = chunk.iter().map(StoredSummary::of).collect();
            postcard::to_stdvec(&stored).map_err(std::io::Error::other)
        })
        .collect::<std::io::Result<_>>()?;
    let summary = SummaryFile {
        version: INDEX_VERSION,
        context,
        generation,
        files: entries.len() as u64,
        sums: chunks
            .par_iter()
            .map(|c| xxhash_rust::xxh3::xxh3_64(c))
            .collect(),
        chunks: chunks.iter().map(Vec::as_slice).collect(),
    };
    // the details (as large as the issue files) are encoded a chunk at a
    // time as they are written, never held whole
    write_atomic(dir, DETAIL, |out| {
        out.write_all(&INDEX_VERSION.to_le_bytes())?;
        out.write_all(&generation.to_le_bytes())?;
        out.write_all(&(entries.len().div_ceil(CHUNK) as u32).to_le_bytes())?;
        for chunk in entries.chunks(CHUNK) {
            let details: Vec<(&str, StoredDetail)> = chunk
                .iter()
                .map(|e| (e.name, StoredDetail::of(e.record)))
                .collect();
            let bytes = postcard::to_stdvec(&details).map_err(std::io::Error::other)?;
            out.write_all(&(bytes.len() as u64).to_le_bytes())?;
            out.write_all(&xxhash_rust::xxh3::xxh3_64(&bytes).to_le_bytes())?;
            out.write_all(&bytes)?;
        }
        Ok(())
    })?;
    write_atomic(dir, SUMMARY, |out| {
        out.write_all(&postcard::to_stdvec(&summary).map_err(std::io::Error::other)?)
    })?;
    // the journal's records are all in the new index, or re-checked by
    // stat and hash if they were appended meanwhile
    let _ = File::create(dir.join(JOURNAL));
    for old in OLD_FILES {
        let _ = std::fs::remove_file(dir.join(old));
    }
    Ok(())
}

/// Appends the entries yit just wrote to the journal, so that the next read
/// does not parse them again. Best effort: the index is a cache.
pub fn append_journal(dir: &Path, context: u64, entries: &[(String, Entry)]) {
    let _ = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut out = Vec::new();
        for (name, entry) in entries {
            let record = JournalRecord {
                context,
                stored: StoredSummary::of(&ToSave::of(name, entry)),
                detail: StoredDetail::of(&entry.record),
            };
            let body = postcard::to_stdvec(&record).map_err(std::io::Error::other)?;
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(xxhash_rust::xxh3::xxh3_64(&body) as u32).to_le_bytes());
            out.extend_from_slice(&body);
        }
        // one write with O_APPEND: records of concurrent writers never interleave
        let mut file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(dir.join(JOURNAL))?;
        file.write_all(&out)
    })();
}

fn write_atomic(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // (a guard: removed on any error)
    let tmp = crate::store::atomic::temp_in(dir)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, tmp.reopen()?);
    write(&mut out)?;
    out.flush()?;
    drop(out);
    tmp.persist(dir.join(name)).map(drop).map_err(|e| e.error)
}

/// How many files the index in `dir` held when it was saved (any context:
/// a size, not an answer), from the summary's first bytes; `None` without
/// a readable index of this layout.
pub fn files_in(dir: &Path) -> Option<u64> {
    #[derive(Deserialize)]
    struct Head {
        version: u32,
        _context: u64,
        _generation: u64,
        files: u64,
    }
    let mut head = [0u8; 40];
    let file = File::open(dir.join(SUMMARY)).ok()?;
    let read = file.take(head.len() as u64).read(&mut head).ok()?;
    let (head, _) = postcard::take_from_bytes::<Head>(&head[..read]).ok()?;
    (head.version == INDEX_VERSION).then_some(head.files)
}

#[derive(Serialize, Deserialize)]
struct SummaryFile<'a> {
    version: u32,
    context: u64,
    generation: u64,
    /// How many files it holds: read alone (the header's first bytes) to
    /// judge the tracker's size without decoding a chunk.
    files: u64,
    /// Each a postcard `Vec<StoredSummary>` of up to [`CHUNK`] entries, in
    /// name order.
    #[serde(borrow)]
    chunks: Vec<&'a [u8]>,
    /// The xxh3-64 of each chunk: a chunk whose bytes changed (a bad disk,
    /// a stray write) is never decoded as entries.
    sums: Vec<u64>,
}

// The stored forms borrow what they write and own what they read (`Cow`
// is encoded like the value it holds).

/// The chunks of a details file, each with its checksum: `version` (u32),
/// `generation` (u64), the number of chunks (u32), then each chunk as its
/// length (u64), its xxh3-64 (u64) and a postcard `Vec<(name,
/// StoredDetail)>` of the entries of the summary chunk
/// with the same number; integers little-endian. `None` when the file is
/// not of this index.
fn detail_chunks(bytes: &[u8], generation: u64) -> Option<Vec<(&[u8], u64)>> {
    let take = |rest: &mut &[u8], n: usize| -> Option<Vec<u8>> {
        let (head, tail) = rest.split_at_checked(n)?;
        *rest = tail;
        Some(head.to_vec())
    };
    let mut rest = bytes;
    let version = u32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?);
    let stored = u64::from_le_bytes(take(&mut rest, 8)?.try_into().ok()?);
    let count = u32::from_le_bytes(take(&mut rest, 4)?.try_into().ok()?);
    if version != INDEX_VERSION || stored != generation {
        return None;
    }
    let mut chunks = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let len = u64::from_le_bytes(take(&mut rest, 8)?.try_into().ok()?);
        let sum = u64::from_le_bytes(take(&mut rest, 8)?.try_into().ok()?);
        let (chunk, tail) = rest.split_at_checked(usize::try_from(len).ok()?)?;
        chunks.push((chunk, sum));
        rest = tail;
    }
    rest.is_empty().then_some(chunks)
}

/// Whether `chunk` has the checksum it was written with.
fn intact(chunk: &[u8], sum: u64) -> bool {
    xxhash_rust::xxh3::xxh3_64(chunk) == sum
}

/// What [`check`] found of the index on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// No index (or one of another version or configuration: rebuilt on
    /// the next read).
    Absent,
    /// Every chunk has its checksum.
    Intact,
    /// A file of the index is damaged: what is wrong with it. It is never
    /// used, and is rebuilt on the next read.
    Damaged(String),
}

/// Checks every chunk of the index's files against its checksum, without
/// decoding an entry (`yit doctor`).
pub fn check(dir: &Path, context: u64) -> Health {
    let Ok(bytes) = std::fs::read(dir.join(SUMMARY)) else {
        return Health::Absent;
    };
    let Ok(summary) = postcard::from_bytes::<SummaryFile>(&bytes) else {
        return Health::Damaged(format!("{SUMMARY} cannot be read"));
    };
    if summary.version != INDEX_VERSION || summary.context != context {
        return Health::Absent;
    }
    if summary.sums.len() != summary.chunks.len() {
        return Health::Damaged(format!("{SUMMARY} has no checksum for every chunk"));
    }
    if let Some(n) =
        (0..summary.chunks.len()).find(|&n| !intact(summary.chunks[n], summary.sums[n]))
    {
        return Health::Damaged(format!("{SUMMARY}: chunk {n} does not match its checksum"));
    }
    let Ok(detail) = std::fs::read(dir.join(DETAIL)) else {
        return Health::Damaged(format!("{DETAIL} is missing"));
    };
    match detail_chunks(&detail, summary.generation) {
        None => Health::Damaged(format!("{DETAIL} does not belong to {SUMMARY}")),
        Some(parts) if parts.len() != summary.chunks.len() => {
            Health::Damaged(format!("{DETAIL} has another number of chunks"))
        }
        Some(parts) => match parts.iter().position(|(part, sum)| !intact(part, *sum)) {
            Some(n) => Health::Damaged(format!("{DETAIL}: chunk {n} does not match its checksum")),
            None => Health::Intact,
        },
    }
}

#[derive(Serialize, Deserialize)]
struct JournalRecord<'a> {
    context: u64,
    stored: StoredSummary<'a>,
    detail: StoredDetail<'a>,
}

#[derive(Serialize, Deserialize)]
struct StoredSummary<'a> {
    name: Cow<'a, str>,
    stat: FileStat,
    hash: u128,
    outcome: StoredOutcome<'a>,
}

#[derive(Serialize, Deserialize)]
enum StoredOutcome<'a> {
    Issue(StoredIssue<'a>),
    Broken(StoredBroken),
}

/// The fields `list` needs.
#[derive(Serialize, Deserialize)]
struct StoredIssue<'a> {
    id: Cow<'a, str>,
    title: Cow<'a, str>,
    status: Cow<'a, str>,
    priority: u8,
    kind: Cow<'a, str>,
    labels: Cow<'a, [String]>,
    assignee: Option<Cow<'a, str>>,
    author: Option<Cow<'a, str>>,
    created_ns: i128,
    updated_ns: i128,
    /// In the summary: `ready` and `is:blocked` read the dependency graph.
    parent: Option<Cow<'a, str>>,
    depends_on: Vec<Cow<'a, str>>,
    /// How many conflicts a merge recorded (a table marks the issue; the
    /// conflicts themselves are details).
    conflicts: u32,
}

#[derive(Serialize, Deserialize)]
struct StoredBroken {
    problems: Vec<(PathBuf, Option<u64>, Option<u64>, String)>,
    claimed: Option<(String, u64, u64)>,
}

/// Everything else: bodies, comments, reserved and unknown keys (the JSON
/// values as JSON text: postcard cannot decode self-describing values).
#[derive(Serialize, Deserialize, Default)]
struct StoredDetail<'a> {
    body: Cow<'a, str>,
    comments: Vec<StoredComment<'a>>,
    github: Option<String>,
    conflicts: Vec<String>,
    extra: Vec<(Cow<'a, str>, String)>,
}

/// id, author, created (ns), body.
type StoredComment<'a> = (Cow<'a, str>, Option<Cow<'a, str>>, i128, Cow<'a, str>);

fn ns(t: Timestamp) -> i128 {
    t.as_nanosecond()
}

fn time(ns: i128) -> Option<Timestamp> {
    Timestamp::from_nanosecond(ns).ok()
}

impl StoredSummary<'_> {
    fn of<'a>(e: &ToSave<'a>) -> StoredSummary<'a> {
        let b = |s: &'a str| Cow::Borrowed(s);
        let outcome = match e.record {
            Record::Issue(i) => StoredOutcome::Issue(StoredIssue {
                id: b(i.id.as_str()),
                title: b(&i.title),
                status: b(&i.status),
                priority: i.priority,
                kind: b(&i.kind),
                labels: Cow::Borrowed(&i.labels),
                assignee: i.assignee.as_deref().map(b),
                author: i.author.as_deref().map(b),
                created_ns: ns(i.created),
                updated_ns: ns(i.updated),
                parent: i.parent.as_ref().map(|p| b(p.as_str())),
                depends_on: i.depends_on.iter().map(|d| b(d.as_str())).collect(),
                conflicts: u32::try_from(i.conflicts.len()).unwrap_or(u32::MAX),
            }),
            Record::Broken(broken) => StoredOutcome::Broken(StoredBroken {
                problems: broken
                    .problems
                    .iter()
                    .map(|p| (p.path.clone(), p.line, p.column, p.message.clone()))
                    .collect(),
                claimed: broken
                    .claimed_id
                    .as_ref()
                    .map(|(id, pos)| (id.to_string(), pos.line, pos.column)),
            }),
        };
        StoredSummary {
            name: b(e.name),
            stat: e.stat,
            hash: e.hash,
            outcome,
        }
    }

    /// The entry; `None` if anything stored is not what this yit expects.
    fn into_entry(self, detail: Option<StoredDetail>, details: bool) -> Option<(String, Entry)> {
        let own = Cow::into_owned;
        let record = match self.outcome {
            StoredOutcome::Issue(s) => {
                let d = match detail {
                    Some(d) => d,
                    None if !details => StoredDetail::default(),
                    None => return None,
                };
                let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
                Record::Issue(Box::new(Issue {
                    id: IssueId::parse_canonical(&s.id)?,
                    title: own(s.title),
                    status: own(s.status),
                    priority: s.priority,
                    kind: own(s.kind),
                    labels: s.labels.into_owned(),
                    assignee: s.assignee.map(own),
                    author: s.author.map(own),
                    created: time(s.created_ns)?,
                    updated: time(s.updated_ns)?,
                    body: own(d.body),
                    comments: d
                        .comments
                        .into_iter()
                        .map(|(id, author, created, body)| {
                            Some(Comment {
                                id: own(id),
                                author: author.map(own),
                                created: time(created)?,
                                body: own(body),
                            })
                        })
                        .collect::<Option<_>>()?,
                    parent: match s.parent {
                        Some(p) => Some(IssueId::parse_canonical(&p)?),
                        None => None,
                    },
                    depends_on: s
                        .depends_on
                        .iter()
                        .map(|p| IssueId::parse_canonical(p))
                        .collect::<Option<_>>()?,
                    github: match d.github {
                        Some(g) => Some(json(&g)?),
                        None => None,
                    },
                    conflicts: if details {
                        d.conflicts.iter().map(|c| json(c)).collect::<Option<_>>()?
                    } else {
                        // without details, as many placeholders as there
                        // are conflicts: enough to say it has some
                        vec![serde_json::Value::Null; usize::from(s.conflicts > 0)]
                    },
                    extra: d
                        .extra
                        .iter()
                        .map(|(k, v)| Some((k.to_string(), json(v)?)))
                        .collect::<Option<_>>()?,
                }))
            }
            StoredOutcome::Broken(b) => Record::Broken(Broken {
                problems: b
                    .problems
                    .into_iter()
                    .map(|(path, line, column, message)| Problem {
                        path,
                        line,
                        column,
                        message,
                    })
                    .collect(),
                claimed_id: match b.claimed {
                    Some((id, line, column)) => {
                        Some((IssueId::parse_canonical(&id)?, Pos { line, column }))
                    }
                    None => None,
                },
            }),
        };
        Some((
            own(self.name),
            Entry {
                stat: self.stat,
                hash: self.hash,
                record,
            },
        ))
    }
}

impl StoredDetail<'_> {
    fn of(record: &Record) -> StoredDetail<'_> {
        let Record::Issue(i) = record else {
            return StoredDetail::default();
        };
        StoredDetail {
            body: Cow::Borrowed(&i.body),
            comments: i
                .comments
                .iter()
                .map(|c| {
                    (
                        Cow::Borrowed(c.id.as_str()),
                        c.author.as_deref().map(Cow::Borrowed),
                        ns(c.created),
                        Cow::Borrowed(c.body.as_str()),
                    )
                })
                .collect(),
            github: i.github.as_ref().map(ToString::to_string),
            conflicts: i.conflicts.iter().map(ToString::to_string).collect(),
            extra: i
                .extra
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), v.to_string()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(title: &str) -> Issue {
        let text = format!(
            "id: abcd123456\ntitle: {title}\nstatus: open\ncreated: 2026-01-02T03:04:05.5Z\nbody: |\n  text\nzeta: [1.5, x]\ncomments:\n  - id: c1\n    created: 2026-01-02T03:04:05Z\n    body: hi\n"
        );
        let id = IssueId::parse_canonical("abcd123456").expect("id");
        Issue::parse(
            text.as_bytes(),
            Path::new("x"),
            Some(&id),
            &crate::model::config::Config::default(),
        )
        .expect("valid")
    }

    fn entry(title: &str, mtime_ns: i64) -> Entry {
        Entry {
            stat: FileStat {
                size: 10,
                mtime_ns,
                ctime_ns: mtime_ns,
                ino: 7,
            },
            hash: 42,
            record: Record::Issue(Box::new(issue(title))),
        }
    }

    #[test]
    fn saved_entries_load_back_with_and_without_details() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut entries = BTreeMap::new();
        entries.insert("abcd123456.yaml".to_owned(), entry("Saved", 1));
        let broken = Broken {
            problems: vec![Problem::new(Path::new("b.yaml"), "bad")],
            claimed_id: None,
        };
        entries.insert(
            "bbbb000000.yaml".to_owned(),
            Entry {
                stat: FileStat {
                    size: 1,
                    mtime_ns: 1,
                    ctime_ns: 1,
                    ino: 1,
                },
                hash: 0,
                record: Record::Broken(broken.clone()),
            },
        );
        let to_save: Vec<ToSave> = entries.iter().map(|(n, e)| ToSave::of(n, e)).collect();
        save(dir.path(), 9, &to_save).expect("saved");
        assert_eq!(files_in(dir.path()), Some(2), "the size, from the header");
        let full = Index::load(dir.path(), 9, true);
        assert_eq!(full.entries, entries);
        let summary = Index::load(dir.path(), 9, false);
        let Record::Issue(light) = &summary.entries["abcd123456.yaml"].record else {
            panic!("an issue")
        };
        assert_eq!(
            (
                light.title.as_str(),
                light.body.as_str(),
                light.comments.len()
            ),
            ("Saved", "", 0)
        );
        assert!(
            Index::load(dir.path(), 10, true).entries.is_empty(),
            "another context: rebuilt"
        );
    }

    #[test]
    fn racy_entries_are_not_fresh() {
        let index = Index {
            written_ns: 1_000,
            ..Index::default()
        };
        let old = entry("Old", 999);
        assert!(index.is_fresh(&old, &old.stat));
        let racy = entry("Racy", 1_000);
        assert!(
            !index.is_fresh(&racy, &racy.stat),
            "modified in the tick the index was written"
        );
        let mut other = old.stat;
        other.ctime_ns += 1;
        assert!(!index.is_fresh(&old, &other));
    }

    #[test]
    fn the_journal_folds_newer_records_and_stops_at_a_damaged_tail() {
        let dir = tempfile::tempdir().expect("tempdir");
        save(dir.path(), 1, &[]).expect("saved");
        let written =
            FileStat::of(&std::fs::metadata(dir.path().join(SUMMARY)).expect("index")).mtime_ns;
        append_journal(
            dir.path(),
            1,
            &[("new.yaml".to_owned(), entry("Newer", written + 1))],
        );
        append_journal(
            dir.path(),
            1,
            &[("old.yaml".to_owned(), entry("Older", written - 1))],
        );
        append_journal(
            dir.path(),
            2,
            &[("other.yaml".to_owned(), entry("Other context", written + 1))],
        );
        let mut file = OpenOptions::new()
            .append(true)
            .open(dir.path().join(JOURNAL))
            .expect("journal");
        file.write_all(&[200, 0, 0, 0, 1, 2]).expect("torn append");
        let index = Index::load(dir.path(), 1, true);
        let names: Vec<&String> = index.entries.keys().collect();
        assert_eq!(names, vec!["new.yaml"]);
    }
}
