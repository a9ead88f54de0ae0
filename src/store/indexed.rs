//! Reading through the index, and journaling what yit writes.
//!
//! Every file's stat data is compared with its index entry; a file is read
//! again only when the stat data differs or the entry is racy, and parsed
//! again only when its content hash differs. Results are the same as
//! parsing every file: the differential tests compare the two byte for byte.

use std::path::PathBuf;

use rayon::prelude::*;

use super::{FileResult, Files, Listing, StoreError, Tracker};
use crate::model::id::IssueId;
use crate::model::issue::{Broken, Issue};
use crate::model::problem::Problem;
use crate::store::index::{self, Entry, FileStat, Index, Record};

/// Save the index again when this many entries are racy (re-hashed on every
/// read) even though nothing changed.
const RACY_LIMIT: usize = 64;

/// One file as checked against the index.
struct Checked {
    /// `None` when the file is gone.
    entry: Option<Entry>,
    /// Parsed or re-stat'ed: the index on disk is out of date.
    changed: bool,
    /// Reused without reading, because not racy.
    settled: bool,
    /// The record comes from parsing the file now (with every detail).
    parsed: bool,
}

impl Tracker {
    pub(super) fn index_dir(&self) -> PathBuf {
        self.state_dir().join("index")
    }

    /// The index on disk checked chunk by chunk against its checksums
    /// (`yit doctor`); a damaged one is never used and is rebuilt by the
    /// next read.
    pub fn index_health(&self) -> index::Health {
        index::check(&self.index_dir(), self.context)
    }

    /// Lists the issue files and reads each through the index, saving the
    /// index when it was out of date. The index is decoded in a second
    /// thread while the directory is listed and every file stat'ed.
    pub(super) fn scan_through_index(
        &self,
        details: bool,
    ) -> Result<(Listing, Vec<FileResult>), StoreError> {
        let (listing, checked) = self.check_all(details)?;
        Ok((listing, checked.into_iter().map(result_of).collect()))
    }

    /// A scan through the index for a query whose text terms are words
    /// (their [`crate::store::words::word_hash`]es in `asked`): bodies and comments
    /// are read only for the files whose words the word cache does not know
    /// or that may hold one of them; the rest come without. Also returns the
    /// valid issues' total [`Issue::text_len`] (search's statistics). When
    /// the cache is missing or out of date for many files, every body is
    /// read and the cache written again.
    pub(super) fn scan_words(
        &self,
        asked: &[u64],
    ) -> Result<(Listing, Vec<FileResult>, u64), StoreError> {
        let dir = self.index_dir();
        // the cache is read while the files are checked (without one, the
        // files are checked once, with every body, below)
        let (cache, checked) = if crate::store::words::exists(&dir) {
            std::thread::scope(|s| {
                let (dir, context) = (&dir, self.context);
                let loading = s.spawn(move || crate::store::words::Cache::load(dir, context));
                let checked = self.check_all(false);
                (loading.join().ok().flatten(), Some(checked))
            })
        } else {
            (None, None)
        };
        if let (Some(cache), Some(checked)) = (&cache, checked) {
            let (listing, mut checked) = checked?;
            let names: Vec<String> = listing.ids.iter().map(IssueId::file_name).collect();
            let known = cache.lookup(names.iter().map(String::as_str), asked);
            let unknown = checked
                .iter()
                .zip(&known)
                .filter(|(c, k)| {
                    // a version the cache does not know
                    !c.parsed
                        && c.entry
                            .as_ref()
                            .is_some_and(|e| k.as_ref().is_none_or(|k| k.hash != e.hash))
                })
                .count();
            // a cache this far behind costs more reads than a rebuild
            if unknown <= (checked.len() / 16).max(64) {
                let files = &self.files;
                let total = checked
                    .par_iter_mut()
                    .zip(&known)
                    .zip(&listing.ids)
                    .map(|((c, k), id)| {
                        let (Some(entry), use_) = (&c.entry, use_of(c, k.as_ref())) else {
                            return 0;
                        };
                        let Record::Issue(issue) = &entry.record else {
                            return 0;
                        };
                        match use_ {
                            Use::Ruled(len) => return len,
                            Use::Parsed => return issue.text_len() as u64,
                            Use::Read => {}
                        }
                        let entry = c.entry.as_mut().expect("an entry");
                        match files.read_issue(id) {
                            Ok(Some(full)) => {
                                let len = full.text_len() as u64;
                                entry.record = Record::Issue(Box::new(full));
                                len
                            }
                            Ok(None) => {
                                c.entry = None;
                                0
                            }
                            Err(broken) => {
                                entry.record = Record::Broken(broken);
                                0
                            }
                        }
                    })
                    .sum();
                let results = checked.into_iter().map(result_of).collect();
                return Ok((listing, results, total));
            }
        }
        // every body, and a new cache from them
        let (listing, checked) = self.check_all(true)?;
        let mut total = 0;
        let mut files: Vec<(String, u128, &Issue)> = Vec::with_capacity(checked.len());
        for (id, c) in listing.ids.iter().zip(&checked) {
            if let Some(Entry {
                hash,
                record: Record::Issue(issue),
                ..
            }) = &c.entry
            {
                total += issue.text_len() as u64;
                files.push((id.file_name(), *hash, issue));
            }
        }
        crate::store::words::save(&dir, self.context, &files);
        drop(files);
        let results = checked.into_iter().map(result_of).collect();
        Ok((listing, results, total))
    }

    /// Lists the issue files and checks each against the index (reading
    /// and parsing what changed), saving the index when it was out of date.
    fn check_all(&self, details: bool) -> Result<(Listing, Vec<Checked>), StoreError> {
        let dir = self.index_dir();
        let (context, files) = (self.context, &self.files);
        // (before the listing: what a later read trusts the listing for)
        let seen = super::links::DirSeen::now(&files.dir);
        let (listing, stats, mut index) = std::thread::scope(|s| {
            let loader = s.spawn(|| Index::load(&dir, context, details));
            let listed = files.listing().and_then(|mut listing| {
                listing.sort();
                // by name in the directory: no path to build or walk
                let dir = std::fs::File::open(&files.dir)
                    .map_err(super::io_err("could not open", &files.dir))?;
                let stat = |id: &IssueId| stat_in(&dir, id);
                let stats: Vec<std::io::Result<FileStat>> = if listing.ids.len() < 64 {
                    listing.ids.iter().map(stat).collect()
                } else {
                    listing.ids.par_iter().map(stat).collect()
                };
                Ok((listing, stats))
            });
            let index = loader.join().unwrap_or_default();
            listed.map(|(listing, stats)| (listing, stats, index))
        })?;
        let indexed = index.entries.len();
        // each file's cached entry, moved out of the index (no copies):
        // both are in id order, so one merging pass pairs them
        let mut cached = std::mem::take(&mut index.entries).into_iter().peekable();
        let work: Vec<(&IssueId, std::io::Result<FileStat>, Option<Entry>)> = listing
            .ids
            .iter()
            .zip(stats)
            .map(|(id, stat)| {
                fn name_of(name: &str) -> &str {
                    name.strip_suffix(".yaml").unwrap_or(name)
                }
                while cached
                    .peek()
                    .is_some_and(|(name, _)| name_of(name) < id.as_str())
                {
                    cached.next();
                }
                let entry = cached
                    .next_if(|(name, _)| name_of(name) == id.as_str())
                    .map(|(_, e)| e);
                (id, stat, entry)
            })
            .collect();
        let index = &index;
        let check = |(id, stat, cached): (&IssueId, std::io::Result<FileStat>, Option<Entry>)| {
            check_entry(files, index, id, stat, cached)
        };
        let checked: Vec<Checked> = if work.len() < 64 {
            work.into_iter().map(check).collect()
        } else {
            work.into_par_iter().map(check).collect()
        };
        let changed = checked.iter().any(|c| c.changed) || checked.len() != indexed;
        let racy = checked
            .iter()
            .filter(|c| c.entry.is_some() && !c.settled)
            .count();
        if changed || racy > RACY_LIMIT || super::links::wanted(&dir) {
            self.save_index(index, &listing.ids, &checked, seen);
        }
        Ok((listing, checked))
    }

    /// Writes the index for what was just checked. Entries that were reused
    /// from an index loaded without details need theirs: those come from
    /// the full index on disk. Best effort: the index is a cache.
    fn save_index(
        &self,
        index: &Index,
        ids: &[IssueId],
        checked: &[Checked],
        seen: Option<super::links::DirSeen>,
    ) {
        let dir = self.index_dir();
        let full;
        let details_of = if index.has_details() {
            index
        } else {
            full = Index::load(&dir, self.context, true);
            &full
        };
        let names: Vec<String> = ids.iter().map(IssueId::file_name).collect();
        let mut entries = Vec::with_capacity(checked.len());
        for (name, c) in names.iter().zip(checked) {
            let Some(entry) = &c.entry else { continue };
            let record =
                if index.has_details() || c.parsed || !matches!(entry.record, Record::Issue(_)) {
                    &entry.record
                } else {
                    match details_of.entries.get(name) {
                        Some(full) if full.hash == entry.hash => &full.record,
                        // the details are not at hand: leave the file out, the
                        // next read parses it
                        _ => continue,
                    }
                };
            entries.push(index::ToSave {
                name,
                stat: entry.stat,
                hash: entry.hash,
                record,
            });
        }
        // the links list every file: they are saved only when no file was
        // left out above
        super::links::forget(&dir);
        if index::save(&dir, self.context, &entries).is_ok()
            && let Some(seen) = seen
            && entries.len() == ids.len()
        {
            super::links::save(&dir, self.context, seen, &entries);
        }
    }

    /// Tells the index about files yit just wrote, so the next read need
    /// not parse them.
    pub(super) fn journal(&self, written: &[(&Issue, &[u8])]) {
        let records: Vec<(String, Entry)> = written
            .iter()
            .filter_map(|(issue, bytes)| {
                let name = issue.id.file_name();
                let meta = std::fs::symlink_metadata(self.issue_path(&issue.id)).ok()?;
                let entry = Entry {
                    stat: FileStat::of(&meta),
                    hash: index::content_hash(bytes),
                    record: Record::Issue(Box::new((*issue).clone())),
                };
                Some((name, entry))
            })
            .collect();
        index::append_journal(&self.index_dir(), self.context, &records);
    }
}

fn check_entry(
    files: &Files,
    index: &Index,
    id: &IssueId,
    stat: std::io::Result<FileStat>,
    cached: Option<Entry>,
) -> Checked {
    // paths are built only for files that must be read
    let path = || files.issue_path(id);
    let stat = match stat {
        Ok(stat) => stat,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Checked {
                entry: None,
                changed: true,
                settled: false,
                parsed: false,
            };
        }
        Err(e) => {
            let broken = Broken::from(Problem::new(
                &files.shown(&path()),
                format!("cannot read: {e}"),
            ));
            let entry = Entry {
                stat: FileStat {
                    size: 0,
                    mtime_ns: 0,
                    ctime_ns: 0,
                    ino: 0,
                },
                hash: 0,
                record: Record::Broken(broken),
            };
            return Checked {
                entry: Some(entry),
                changed: true,
                settled: false,
                parsed: true,
            };
        }
    };
    let cached = match cached {
        Some(entry) if index.is_fresh(&entry, &stat) => {
            return Checked {
                entry: Some(entry),
                changed: false,
                settled: true,
                parsed: false,
            };
        }
        other => other,
    };
    let mut parsed = true;
    let path = path();
    let shown = files.shown(&path);
    let (hash, record) = match files.read_bytes(&path, &shown) {
        Ok(None) => {
            return Checked {
                entry: None,
                changed: true,
                settled: false,
                parsed: false,
            };
        }
        // refused unread (symlink, size): nothing to hash
        Err(broken) => (0, Record::Broken(broken)),
        Ok(Some(bytes)) => {
            let hash = index::content_hash(&bytes);
            match &cached {
                Some(entry) if entry.hash == hash && hash != 0 => {
                    parsed = false;
                    (hash, entry.record.clone())
                }
                _ => match Issue::parse(&bytes, &shown, Some(id), &files.config) {
                    Ok(issue) => (hash, Record::Issue(Box::new(issue))),
                    Err(broken) => (hash, Record::Broken(broken)),
                },
            }
        }
    };
    let changed = cached.is_none_or(|c| c.stat != stat || c.hash != hash || c.record != record);
    Checked {
        entry: Some(Entry { stat, hash, record }),
        changed,
        settled: false,
        parsed,
    }
}

/// What a word scan does with a checked file, given what the word cache
/// knows of it.
enum Use {
    /// The cache knows this version and rules it out: its text length.
    Ruled(u64),
    /// Parsed now, with every detail.
    Parsed,
    /// To be read and parsed: it may match, or the cache does not know
    /// this version.
    Read,
}

fn use_of(c: &Checked, known: Option<&crate::store::words::Known>) -> Use {
    match (&c.entry, known) {
        _ if c.parsed => Use::Parsed,
        (Some(e), Some(k)) if k.hash == e.hash && !k.may_match => Use::Ruled(k.text_len),
        _ => Use::Read,
    }
}

/// What a checked file read to.
fn result_of(c: Checked) -> FileResult {
    match c.entry.map(|e| e.record) {
        None => Ok(None),
        Some(Record::Issue(issue)) => Ok(Some(issue)),
        Some(Record::Broken(broken)) => Err(broken),
    }
}

/// The stat data of an issue file, looked up by name in the open `dir`.
fn stat_in(dir: &std::fs::File, id: &IssueId) -> std::io::Result<FileStat> {
    stat_named(dir, id.as_str())
}

/// [`stat_in`] for an id as text (no longer than an id can be).
pub(super) fn stat_named(dir: &std::fs::File, id: &str) -> std::io::Result<FileStat> {
    // `<id>.yaml` on the stack: ids are at most 32 characters
    let mut name = [0u8; 40];
    let id = id.as_bytes();
    if id.len() + 5 > name.len() {
        return Err(std::io::ErrorKind::InvalidFilename.into());
    }
    name[..id.len()].copy_from_slice(id);
    name[id.len()..id.len() + 5].copy_from_slice(b".yaml");
    let name = &name[..id.len() + 5];
    let stat = rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(FileStat::of_stat(&stat))
}
