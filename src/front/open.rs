//! Opening a tracker as every front end does (the CLI for each command,
//! `yit serve` and `yit mcp` when they start): a plan or a change to
//! several issues a crash interrupted is completed first, a merge driver whose yit is gone is replaced by
//! this one, and what a person should know is returned as notices, which
//! each front end says its own way.

use std::path::Path;

use yit::store::Tracker;

use super::error::CommandError;

/// Something a person should hear about on opening the tracker.
pub enum Notice {
    /// An interrupted `yit new --from-file` was completed.
    PlanCompleted(usize),
    PlanNotCompleted(String),
    /// A change to several issue files a killed process left half made was
    /// finished: how many files it completed.
    ChangeCompleted(usize),
    ChangeNotCompleted(String),
    /// This clone has no merge driver for issue files.
    NoMergeDriver,
    /// The registered driver's yit was gone; this one was registered.
    DriverReplaced(String),
    /// Issue files git holds unmerged (a merge under way stopped on them).
    Unmerged(Vec<String>),
}

impl Notice {
    /// Whether it is a warning rather than a note.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Notice::PlanNotCompleted(_) | Notice::ChangeNotCompleted(_) | Notice::Unmerged(_)
        )
    }
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::PlanCompleted(n) => write!(
                f,
                "completed an interrupted `yit new --from-file`: created {n} issue file(s)"
            ),
            Notice::PlanNotCompleted(e) => write!(f, "could not complete an interrupted plan: {e}"),
            Notice::ChangeCompleted(n) => write!(
                f,
                "completed an interrupted change to several issues: wrote {n} issue file(s)"
            ),
            Notice::ChangeNotCompleted(e) => {
                write!(f, "could not complete an interrupted change: {e}")
            }
            Notice::NoMergeDriver => f.write_str(
                "hint: this clone has no merge driver for issue files; run `yit init` to set it up",
            ),
            Notice::DriverReplaced(exe) => {
                write!(
                    f,
                    "the merge driver's yit is gone; registered {exe} instead"
                )
            }
            Notice::Unmerged(paths) => write!(
                f,
                "git holds {} unmerged: {}; `yit doctor` says how to finish",
                if paths.len() == 1 {
                    "an issue file"
                } else {
                    "issue files"
                },
                paths.join(", ")
            ),
        }
    }
}

/// The tracker of the worktree containing `dir`, and what to say of it.
pub fn open_tracker(dir: &Path) -> Result<(Tracker, Vec<Notice>), CommandError> {
    let tracker = Tracker::open(dir)?;
    let mut notices = Vec::new();
    // a plan a crash interrupted is completed before anything else
    match tracker.recover_plans() {
        Ok(0) => {}
        Ok(n) => notices.push(Notice::PlanCompleted(n)),
        Err(e) => notices.push(Notice::PlanNotCompleted(e.to_string())),
    }
    match tracker.recover_changes() {
        Ok(0) => {}
        Ok(n) => notices.push(Notice::ChangeCompleted(n)),
        Err(e) => notices.push(Notice::ChangeNotCompleted(e.to_string())),
    }
    if !tracker.merge_driver_configured() {
        notices.push(Notice::NoMergeDriver);
    }
    // a registered yit that was moved or removed: this one takes over
    if let Ok(exe) = std::env::current_exe()
        && let Ok(true) = tracker.refresh_merge_driver(&exe)
    {
        notices.push(Notice::DriverReplaced(exe.display().to_string()));
    }
    // files git could not merge (its driver did not run)
    if let Ok(files) = tracker.unmerged_files(true)
        && !files.is_empty()
    {
        notices.push(Notice::Unmerged(
            files.into_iter().map(|u| u.path).collect(),
        ));
    }
    Ok((tracker, notices))
}
