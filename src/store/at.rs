//! Issues at a revision: read from git's objects, without touching the
//! worktree (so also in a bare repository).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{CONFIG_FILE, ISSUES_DIR, Listing, Scan, StoreError};
use crate::config::Config;
use crate::git::{NamedBytes, Repo};
use crate::id::IssueId;
use crate::issue::Issue;

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
        .filter_map(|(name, bytes)| {
            let id = name
                .strip_suffix(".yaml")
                .and_then(IssueId::parse_canonical)?;
            Some((id, bytes))
        })
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
        if name.starts_with('.') || name == CONFIG_FILE {
            continue;
        }
        match name
            .strip_suffix(".yaml")
            .and_then(IssueId::parse_canonical)
        {
            Some(id) => named.push((id, bytes)),
            None if name.ends_with(".yaml") => misnamed.push(shown_dir.join(&name)),
            None => {}
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let parsed: Vec<Result<Issue, crate::issue::Broken>> = named
        .par_iter()
        .map(|(id, bytes)| Issue::parse(bytes, &shown_dir.join(id.file_name()), Some(id), &config))
        .collect();
    let mut issues = Vec::with_capacity(parsed.len());
    let mut problems = Vec::new();
    let mut broken_files = misnamed.len();
    for result in parsed {
        match result {
            Ok(issue) => issues.push(Box::new(issue)),
            Err(broken) => {
                broken_files += 1;
                problems.extend(broken.problems);
            }
        }
    }
    for path in &misnamed {
        problems.push(crate::problem::Problem::new(
            path,
            "not an issue file name (<id>.yaml)",
        ));
    }
    let mut listing = Listing::new(named.into_iter().map(|(id, _)| id).collect(), misnamed);
    listing.sort();
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
