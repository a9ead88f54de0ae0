//! Issues at a revision: read from git's objects, without touching the
//! worktree (so also in a bare repository).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{CONFIG_FILE, EntryName, ISSUES_DIR, Listing, Scan, StoreError};
use crate::git::{NamedBytes, Repo};
use crate::model::config::Config;
use crate::model::id::IssueId;
use crate::model::issue::Issue;

/// An issue file's id and bytes.
pub type IssueBytes = (IssueId, Vec<u8>);

/// The tracker as it was at a revision.
pub struct AtRevision {
    /// The configuration committed with it.
    pub config: Config,
    pub scan: Scan,
}

/// The files of `rev`'s `.issues` tree with the configuration committed
/// there.
fn tree_files(start: &Path, rev: &str) -> Result<(Config, Vec<NamedBytes>), StoreError> {
    let not_there = || StoreError::NotInitializedAt {
        rev: rev.to_owned(),
    };
    let files = Repo::discover(start)?
        .files_at(rev, ISSUES_DIR)?
        .ok_or_else(not_there)?;
    let config_text = files
        .iter()
        .find(|(name, _)| name == CONFIG_FILE)
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .ok_or_else(not_there)?;
    let config = Config::parse(&config_text, &Path::new(ISSUES_DIR).join(CONFIG_FILE))
        .map_err(|problems| StoreError::Config { problems })?;
    Ok((config, files))
}

/// The issue files of `rev`'s tree by id, unparsed, with the tree's
/// configuration (for comparing revisions without parsing what is equal).
pub fn files_at(start: &Path, rev: &str) -> Result<(Config, Vec<IssueBytes>), StoreError> {
    let (config, files) = tree_files(start, rev)?;
    let mut named: Vec<(IssueId, Vec<u8>)> = files
        .into_iter()
        .filter_map(|(name, bytes)| Some((IssueId::from_file_name(&name)?, bytes)))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((config, named))
}

/// Reads every issue file of `rev`'s tree, in the repository containing
/// `start`, with the `config.yaml` of that tree.
pub fn read_at(start: &Path, rev: &str) -> Result<AtRevision, StoreError> {
    let (config, files) = tree_files(start, rev)?;
    let shown_dir = Path::new(ISSUES_DIR);
    let mut named: Vec<(IssueId, Vec<u8>)> = Vec::with_capacity(files.len());
    let mut misnamed: Vec<PathBuf> = Vec::new();
    for (name, bytes) in files {
        match EntryName::of(&name) {
            EntryName::Issue(id) => named.push((id, bytes)),
            EntryName::Misnamed => misnamed.push(shown_dir.join(&name)),
            EntryName::Other => {}
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let parsed: Vec<Result<Issue, crate::model::issue::Broken>> = named
        .par_iter()
        .map(|(id, bytes)| Issue::parse(bytes, &shown_dir.join(id.file_name()), Some(id), &config))
        .collect();
    misnamed.sort();
    let mut listing = Listing::new(named.into_iter().map(|(id, _)| id).collect(), misnamed);
    listing.sort();
    let mut issues = Vec::with_capacity(parsed.len());
    let mut broken = Vec::new();
    for result in parsed {
        match result {
            Ok(issue) => issues.push(Box::new(issue)),
            Err(b) => broken.push(b),
        }
    }
    // the worktree's rules and words: duplicate ids, misnamed files
    let (problems, broken_files) = super::problems_of(
        broken.iter(),
        |id| listing.contains(id),
        &listing.misnamed,
        |id| shown_dir.join(id.file_name()),
    );
    Ok(AtRevision {
        config,
        scan: Scan {
            listing,
            issues,
            problems,
            broken_files,
            text_total: None,
        },
    })
}
