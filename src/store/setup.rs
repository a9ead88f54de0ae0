//! Setting a tracker up: `.issues/config.yaml`, and yit's merge driver in
//! the clone's git config and the worktree's `.gitattributes`, with what
//! `doctor` warns about when either is missing.

use std::path::Path;

use crate::model::config::Config;

use super::write::write_new_file;
use super::{CONFIG_FILE, GITATTRIBUTES_PATTERN, ISSUES_DIR, StoreError, Tracker, io_err};
use crate::git::Repo;

/// `text` (a `.gitattributes`) with yit's line added, or `None` when it
/// has it.
fn with_driver_line(text: &str) -> Option<String> {
    let present = text
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == [GITATTRIBUTES_PATTERN, "merge=yit"]);
    if present {
        return None;
    }
    let mut text = text.to_owned();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(GITATTRIBUTES_PATTERN);
    text.push_str(" merge=yit\n");
    Some(text)
}

/// Whether `program` is a path to, or on PATH as, an executable file.
fn on_path(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return executable(Path::new(program));
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| executable(&dir.join(program))))
}

/// How long `doctor` waits for the registered merge driver to say its
/// version.
const DRIVER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether `program --version` exits successfully within `patience`; one
/// that takes longer is killed, with every process it started (its own
/// process group), and reaped before this returns.
fn runs_within(program: &str, patience: std::time::Duration) -> bool {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let Ok(mut child) = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
    else {
        return false;
    };
    let deadline = std::time::Instant::now() + patience;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            _ => {
                // the group this spawn made, named by its leader's pid
                if let Some(group) = i32::try_from(child.id())
                    .ok()
                    .and_then(rustix::process::Pid::from_raw)
                {
                    let _ =
                        rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
                }
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

/// What `yit init` did.
pub enum InitOutcome {
    Created,
    AlreadyThere,
}

impl Tracker {
    pub fn merge_driver_configured(&self) -> bool {
        self.repo
            .config_string(crate::git::MERGE_DRIVER_KEY)
            .is_some()
    }

    /// Sets up yit's merge driver: the clone's git config, running `exe`
    /// by its absolute path, and the line `.issues/*.yaml merge=yit` in the
    /// worktree's `.gitattributes`. Returns whether anything changed.
    pub fn register_merge_driver(&self, exe: &Path) -> Result<bool, StoreError> {
        let configured = self.repo.register_merge_driver(exe)?;
        let path = self.root().join(".gitattributes");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(io_err("could not read", &path)(e)),
        };
        match with_driver_line(&text) {
            None => Ok(configured),
            Some(text) => {
                std::fs::write(&path, text).map_err(io_err("could not write", &path))?;
                Ok(true)
            }
        }
    }

    /// Whether `.gitattributes` differs from HEAD's by yit's line alone (as
    /// [`Tracker::register_merge_driver`] adds it): `yit commit` commits
    /// that, and leaves a file a person changed otherwise to them.
    pub fn attributes_changed_by_yit(&self) -> bool {
        let Ok(now) = std::fs::read_to_string(self.root().join(".gitattributes")) else {
            return false;
        };
        let before = self.committed_attributes().unwrap_or_default();
        with_driver_line(&before).is_some_and(|with| with == now)
    }

    /// HEAD's `.gitattributes`, if HEAD has one.
    fn committed_attributes(&self) -> Option<String> {
        self.repo
            .read_head(".gitattributes")
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// How git would merge issue files in this clone, as `doctor` warns
    /// about it: each thing that would keep the field-aware merge from
    /// running, in words.
    pub fn merge_setup_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let driver = self.repo.config_string(crate::git::MERGE_DRIVER_KEY);
        if driver.is_none() {
            out.push(
                "this clone has no merge driver for issue files (git config merge.yit.driver): a merge would treat them as text; run `yit init`"
                    .to_owned(),
            );
        }
        let probe = format!("{ISSUES_DIR}/probe.yaml");
        match self.repo.attribute(&probe, "merge").as_deref() {
            Some("yit") => {}
            other => out.push(format!(
                "git does not send {GITATTRIBUTES_PATTERN} to the merge driver (merge attribute: {}); run `yit init` to add `{GITATTRIBUTES_PATTERN} merge=yit` to .gitattributes",
                other.unwrap_or("unspecified")
            )),
        }
        let committed = self
            .committed_attributes()
            .is_some_and(|text| with_driver_line(&text).is_none());
        if !committed && self.repo.head_commit_id().is_some() {
            out.push(format!(
                "`{GITATTRIBUTES_PATTERN} merge=yit` is not in the committed .gitattributes: clones will not get the field-aware merge; `yit commit` commits it"
            ));
        }
        if let Some(command) = driver.as_deref() {
            match crate::git::driver_program(command) {
                Some(program) if !on_path(&program) => out.push(format!(
                    "`{program}` (the registered merge driver) is not {}: git could not run it, and a merge of an issue file changed on both sides would stop as a conflict with only this side's version in the file; run `yit init` to register this yit",
                    if program.contains('/') { "there" } else { "on PATH" }
                )),
                Some(program) if !runs_within(&program, DRIVER_PATIENCE) => out.push(format!(
                    "`{program} --version` (the registered merge driver) does not run within {} s; run `yit init` to register this yit",
                    DRIVER_PATIENCE.as_secs()
                )),
                Some(_) => {}
                None => {}
            }
        }
        out
    }

    /// Registers `exe` as the merge driver when the registered one is
    /// yit's by a path that no longer holds a program (yit was moved or
    /// rebuilt elsewhere): whether it did. A driver a person set up
    /// otherwise is left as it is.
    pub fn refresh_merge_driver(&self, exe: &Path) -> Result<bool, StoreError> {
        let Some(command) = self.repo.config_string(crate::git::MERGE_DRIVER_KEY) else {
            return Ok(false);
        };
        match crate::git::driver_program(&command) {
            Some(program) if program.contains('/') && !on_path(&program) => {
                Ok(self.repo.register_merge_driver(exe)?)
            }
            _ => Ok(false),
        }
    }

    /// The issue files git holds unmerged in the index (a merge, rebase or
    /// cherry-pick that stopped on them). When `only_while_merging`, the
    /// index is read only while one of those is under way.
    pub fn unmerged_files(
        &self,
        only_while_merging: bool,
    ) -> Result<Vec<crate::git::Unmerged>, StoreError> {
        if only_while_merging && !self.repo.merging() {
            return Ok(Vec::new());
        }
        Ok(self.repo.unmerged(ISSUES_DIR)?)
    }

    /// Creates `.issues/config.yaml` in the worktree containing `start`,
    /// unless it is already there.
    pub fn init(start: &Path) -> Result<(Tracker, InitOutcome), StoreError> {
        let repo = Repo::discover(start)?;
        let root = repo.workdir()?.to_owned();
        let dir = root.join(ISSUES_DIR);
        std::fs::create_dir_all(&dir).map_err(io_err("could not create", &dir))?;
        let config_path = dir.join(CONFIG_FILE);
        let outcome = if config_path.exists() {
            InitOutcome::AlreadyThere
        } else {
            write_new_file(&dir, &config_path, Config::initial_text().as_bytes())?;
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                let text = "# temporary files of interrupted yit writes\n.yit-tmp-*\n";
                write_new_file(&dir, &ignore, text.as_bytes())?;
            }
            InitOutcome::Created
        };
        drop(repo);
        Ok((Tracker::open(start)?, outcome))
    }
}
