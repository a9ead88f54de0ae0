//! The word cache: which issue files' bodies and comments hold which words,
//! so that a word query through the index reads only the files that may
//! match instead of every body.
//!
//! Kept in `<state>/index/words.v1`, never the truth: each file it knows is
//! recorded with the content hash it was built from, and a file whose hash
//! differs now (or that it does not know) is simply read. Words are runs of
//! letters and digits, ASCII-lowercased, stored as 64-bit hashes: a
//! collision only makes a file a candidate that is then read and found not
//! to match. Built from a scan that read every body; written atomically.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::issue::Issue;

const FILE: &str = "words.v1";
const VERSION: u32 = 1;

/// The hash of a word as the cache stores it (`word` ASCII-lowercased).
pub fn word_hash(word: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(word.to_ascii_lowercase().as_bytes())
}

/// The distinct word hashes of an issue's body and comments.
fn issue_words(issue: &Issue) -> Vec<u64> {
    let mut out: Vec<u64> = std::iter::once(issue.body.as_str())
        .chain(issue.comments.iter().map(|c| c.body.as_str()))
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(word_hash)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    context: u64,
    /// File names, sorted, with the content hash and text length
    /// ([`Issue::text_len`]) of the version the words come from.
    files: Vec<(String, u128, u64)>,
    /// Word hashes, sorted; `starts[i]..starts[i + 1]` are the positions in
    /// `postings` of the files holding `words[i]`.
    words: Vec<u64>,
    starts: Vec<u32>,
    /// Words in more than half of the files, sorted: their lists would be
    /// most of the cache and rule little out, so they are not kept; a query
    /// for one reads every file.
    common: Vec<u64>,
}

/// The cache as loaded: the postcard [`Stored`], then the postings as raw
/// bytes (a serde byte vector would be decoded byte by byte): file
/// positions (into `files`), little-endian u32s.
pub struct Cache {
    stored: Stored,
    postings: Vec<u8>,
}

/// What the cache knows of one file.
pub struct Known {
    pub hash: u128,
    pub text_len: u64,
    /// Whether its body or comments may hold one of the asked words.
    pub may_match: bool,
}

/// Whether a cache file is there (it may still be unusable).
pub fn exists(dir: &Path) -> bool {
    dir.join(FILE).exists()
}

impl Cache {
    /// The cache, if there is one for `context`.
    pub fn load(dir: &Path, context: u64) -> Option<Cache> {
        let bytes = std::fs::read(dir.join(FILE)).ok()?;
        // the last 8 bytes: the xxh3-64 of the rest (a damaged cache would
        // leave matching issues out of a search)
        let (bytes, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if xxhash_rust::xxh3::xxh3_64(bytes).to_le_bytes() != sum {
            return None;
        }
        let (stored, postings): (Stored, &[u8]) = postcard::take_from_bytes(bytes).ok()?;
        let consistent = stored.version == VERSION
            && stored.context == context
            && stored.starts.len() == stored.words.len() + 1
            && stored.starts.is_sorted()
            && stored
                .starts
                .last()
                .is_some_and(|&end| end as usize * 4 == postings.len());
        let postings = postings.to_vec();
        consistent.then_some(Cache { stored, postings })
    }

    /// What the cache knows of each file in `names` (sorted), given the
    /// hashes of the words asked for.
    pub fn lookup<'n>(
        &self,
        names: impl Iterator<Item = &'n str>,
        asked: &[u64],
    ) -> Vec<Option<Known>> {
        let s = &self.stored;
        let everywhere = asked.iter().any(|w| s.common.binary_search(w).is_ok());
        let mut matching = vec![everywhere; s.files.len()];
        for word in asked.iter().filter(|_| !everywhere) {
            if let Ok(i) = s.words.binary_search(word) {
                let (from, to) = (s.starts[i] as usize, s.starts[i + 1] as usize);
                for at in self.postings[from * 4..to * 4].chunks_exact(4) {
                    let n = u32::from_le_bytes(at.try_into().expect("4 bytes")) as usize;
                    if let Some(m) = matching.get_mut(n) {
                        *m = true;
                    }
                }
            }
        }
        // both sorted by name: one merging pass
        let mut known = s.files.iter().enumerate().peekable();
        names
            .map(|name| {
                while known.peek().is_some_and(|(_, (n, _, _))| n.as_str() < name) {
                    known.next();
                }
                known
                    .next_if(|(_, (n, _, _))| n == name)
                    .map(|(i, (_, hash, text_len))| Known {
                        hash: *hash,
                        text_len: *text_len,
                        may_match: matching[i],
                    })
            })
            .collect()
    }
}

/// Writes the cache for `files` (name, content hash, issue with its body
/// and comments), sorted by name. Best effort: it is a cache.
pub fn save(dir: &Path, context: u64, files: &[(String, u128, &Issue)]) {
    debug_assert!(files.is_sorted_by(|a, b| a.0 < b.0));
    let per_file: Vec<Vec<u64>> = files.par_iter().map(|(_, _, i)| issue_words(i)).collect();
    let mut postings_of: HashMap<u64, Vec<u32>> = HashMap::new();
    for (n, words) in per_file.iter().enumerate() {
        for w in words {
            postings_of.entry(*w).or_default().push(n as u32);
        }
    }
    let half = files.len() / 2;
    // (a tracker of a few dozen issues keeps every word)
    let (mut common, mut words): (Vec<u64>, Vec<u64>) = postings_of
        .keys()
        .partition(|w| half >= 32 && postings_of[*w].len() > half);
    common.sort_unstable();
    words.sort_unstable();
    let mut starts = Vec::with_capacity(words.len() + 1);
    let mut postings = Vec::new();
    starts.push(0u32);
    for w in &words {
        for n in &postings_of[w] {
            postings.extend_from_slice(&n.to_le_bytes());
        }
        starts.push((postings.len() / 4) as u32);
    }
    let stored = Stored {
        version: VERSION,
        context,
        files: files
            .iter()
            .map(|(name, hash, issue)| (name.clone(), *hash, issue.text_len() as u64))
            .collect(),
        words,
        starts,
        common,
    };
    // best effort: the cache only saves time
    if let Ok(mut bytes) = postcard::to_stdvec(&stored) {
        bytes.extend_from_slice(&postings);
        let sum = xxhash_rust::xxh3::xxh3_64(&bytes);
        bytes.extend_from_slice(&sum.to_le_bytes());
        let _ = crate::store::atomic::replace(&dir.join(FILE), &bytes, false);
    }
}
