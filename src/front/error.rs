//! `CommandError`: what a command failed with, the exit code it maps to,
//! and how it is printed (`error:`, causes, `hint:`; or JSON on stderr).

use std::fmt::Write as _;

use yit::daemon::DaemonError;
use yit::model::field::FieldError;
use yit::model::problem::Problem;
use yit::store::StoreError;
use yit::store::lock::LockError;

/// The exit code classes, documented in the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input (a value, a file, a query): 1.
    User,
    /// No issue (or revision, or removed issue) matches what was named: 1.
    NotFound,
    /// An id prefix that matches several issues: 1.
    Ambiguous,
    /// No tracker here, or not a git repository: 1.
    NotInitialized,
    /// Bad command line: 2.
    Usage,
    /// Some files could not be read; the rest were shown: 3.
    Partial,
    /// A conflict or a concurrent change: 4.
    Refused,
    /// A lock wait timed out: 5.
    LockTimeout,
    /// A server had more requests waiting than it queues: 5 (HTTP 503).
    Busy,
    /// A bug or an environment failure: 70.
    Internal,
    /// stdout was closed (e.g. `yit list | head`): exit quietly.
    BrokenPipe,
}

impl ErrorKind {
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::User
            | ErrorKind::NotFound
            | ErrorKind::Ambiguous
            | ErrorKind::NotInitialized => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Partial => 3,
            ErrorKind::Refused => 4,
            ErrorKind::LockTimeout | ErrorKind::Busy => 5,
            ErrorKind::Internal => 70,
            ErrorKind::BrokenPipe => 0,
        }
    }

    /// The `kind` of a JSON error (docs/format.md, Errors).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::User => "invalid",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Ambiguous => "ambiguous",
            ErrorKind::NotInitialized => "not_initialized",
            ErrorKind::Usage => "usage",
            ErrorKind::Partial => "partial",
            ErrorKind::Refused => "refused",
            ErrorKind::LockTimeout => "lock_timeout",
            ErrorKind::Busy => "busy",
            ErrorKind::Internal => "internal",
            ErrorKind::BrokenPipe => "broken_pipe",
        }
    }
}

/// A failed command.
#[derive(Debug)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub causes: Vec<String>,
    pub problems: Vec<Problem>,
    pub hints: Vec<String>,
}

impl CommandError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CommandError {
        CommandError {
            kind,
            message: message.into(),
            causes: vec![],
            problems: vec![],
            hints: vec![],
        }
    }

    pub fn user(message: impl Into<String>) -> CommandError {
        CommandError::new(ErrorKind::User, message)
    }

    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError::new(ErrorKind::Usage, message)
    }

    /// A result already printed on stdout whose exit code says the rest
    /// (as `grep` exits 1 on no match): nothing goes to stderr.
    pub fn silent(kind: ErrorKind) -> CommandError {
        CommandError::new(kind, "")
    }

    /// The same error, caused by `err` (and what caused it).
    pub fn because(mut self, err: &dyn std::error::Error) -> CommandError {
        self.causes.push(err.to_string());
        self.causes.extend(causes(err));
        self
    }

    /// For `map_err`: `{action} {path}` (`cannot read notes.yaml`), of
    /// `kind`, caused by the io error. A file the user named is
    /// [`ErrorKind::User`]; one of yit's own is [`ErrorKind::Internal`].
    pub fn file<'a>(
        kind: ErrorKind,
        action: &'static str,
        path: &'a std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> CommandError + 'a {
        move |err| CommandError::new(kind, format!("{action} {}", path.display())).because(&err)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> CommandError {
        self.hints.push(hint.into());
        self
    }

    /// Printed for a person: `error: ...`, the causes, then hints.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "error: {}", self.message);
        // a partial result has already warned about each file
        if self.kind != ErrorKind::Partial {
            for problem in self
                .problems
                .iter()
                .filter(|p| p.to_string() != self.message)
            {
                let _ = writeln!(out, "  {problem}");
            }
        }
        for cause in &self.causes {
            let _ = writeln!(out, "  caused by: {cause}");
        }
        for hint in &self.hints {
            let _ = writeln!(out, "hint: {hint}");
        }
        out
    }

    /// Printed with `--json`: one object on stderr.
    pub fn render_json(&self) -> String {
        format!("{}\n", self.json())
    }

    /// The JSON error object in its envelope (docs/format.md, Errors).
    pub fn json(&self) -> serde_json::Value {
        yit::model::record::envelope(serde_json::json!({
            "error": {
                "kind": self.kind.code(),
                "exit_code": self.kind.exit_code(),
                "message": self.message,
                "causes": self.causes,
                "problems": self.problems,
                "hints": self.hints,
            }
        }))
    }
}

fn causes(err: &dyn std::error::Error) -> Vec<String> {
    let mut out = Vec::new();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push(text);
        }
        source = s.source();
    }
    out
}

/// The exit class of each library error: every variant named, so that a
/// new one must be given its class.
fn store_kind(err: &StoreError) -> ErrorKind {
    use yit::git::GitError;
    use yit::model::edit::EditError;
    match err {
        StoreError::Io { .. }
        | StoreError::Issue(_)
        | StoreError::Edit(EditError::NotLossless { .. })
        | StoreError::Lock(LockError::Open { .. })
        | StoreError::NoFreeId { .. } => ErrorKind::Internal,
        StoreError::Changed { .. }
        | StoreError::Clash { .. }
        | StoreError::Exists { .. }
        | StoreError::Held { .. }
        | StoreError::Leased { .. }
        | StoreError::NotHolder { .. }
        | StoreError::Fenced { .. }
        | StoreError::LeaseBusy { .. }
        | StoreError::Closed { .. }
        | StoreError::NotReady { .. }
        | StoreError::Taken { .. }
        | StoreError::Differs { .. }
        | StoreError::Cycle { .. }
        | StoreError::Referred { .. } => ErrorKind::Refused,
        StoreError::Lock(LockError::Timeout { .. }) => ErrorKind::LockTimeout,
        StoreError::NotFound { .. }
        | StoreError::NotInTrash { .. }
        | StoreError::NoComment { .. }
        | StoreError::Git(GitError::NoSuchRevision { .. } | GitError::NoCommits { .. }) => {
            ErrorKind::NotFound
        }
        StoreError::Ambiguous { .. } | StoreError::AmbiguousComment { .. } => ErrorKind::Ambiguous,
        StoreError::NotInitialized { .. }
        | StoreError::NotInitializedAt { .. }
        | StoreError::Git(GitError::NotARepository { .. }) => ErrorKind::NotInitialized,
        StoreError::Git(GitError::Bare { .. }) => ErrorKind::User,
        StoreError::Git(
            GitError::Spawn(_)
            | GitError::Command { .. }
            | GitError::Revision { .. }
            | GitError::Index { .. }
            | GitError::Refs { .. },
        ) => ErrorKind::Internal,
        StoreError::Config { .. }
        | StoreError::Remote { .. }
        | StoreError::Guarded(_)
        | StoreError::Markers(_)
        | StoreError::Broken { .. }
        | StoreError::InvalidId { .. }
        | StoreError::Field(_)
        | StoreError::Github(_)
        | StoreError::Resolve(_)
        | StoreError::NothingImported { .. }
        | StoreError::NothingExported { .. }
        | StoreError::ExportFailed { .. }
        | StoreError::BadPlan { .. }
        | StoreError::TooLarge { .. }
        | StoreError::WouldBeTooLarge { .. }
        | StoreError::NothingToSearch
        | StoreError::NoHistory { .. }
        | StoreError::NotWaiting { .. }
        | StoreError::NoIdentity
        | StoreError::Edit(_) => ErrorKind::User,
    }
}

impl From<StoreError> for CommandError {
    fn from(err: StoreError) -> CommandError {
        use yit::git::GitError;
        let kind = store_kind(&err);
        let mut out = CommandError::new(kind, err.to_string());
        out.causes = causes(&err);
        match err {
            StoreError::Git(GitError::NotARepository { .. }) => {
                out.message = "not inside a git repository".to_owned();
                out.causes.clear();
                out.hints.push(
                    "run `git init` first, or use -C <dir> to point at a repository".to_owned(),
                );
            }
            StoreError::Git(GitError::NoSuchRevision { .. }) => {
                out.hints.push(
                    "a revision is a commit id, a branch or a tag (`git branch -a`, `git log --oneline`)"
                        .to_owned(),
                );
            }
            StoreError::NotInitialized { .. } => {
                out.hints
                    .push("run `yit init` to create a tracker in this repository".to_owned());
            }
            StoreError::Config { problems } => {
                out.message = problems
                    .first()
                    .map(|p| p.to_string())
                    .unwrap_or(out.message);
                out.problems = problems;
                out.hints
                    .push("fix .issues/config.yaml; `yit doctor` lists every problem".to_owned());
            }
            StoreError::Broken { broken } => {
                out.message = broken
                    .problems
                    .first()
                    .map(|p| p.to_string())
                    .unwrap_or(out.message);
                out.problems = broken.problems;
                out.hints
                    .push("fix the file by hand, or see `yit show --raw`".to_owned());
            }
            StoreError::NothingImported { problems, .. }
            | StoreError::BadPlan { problems, .. }
            | StoreError::NothingExported { problems, .. } => {
                out.problems = problems;
            }
            StoreError::Ambiguous { .. } => {
                out.hints.push("type more characters of the id".to_owned());
            }
            StoreError::Remote { .. } => {
                out.hints.push(
                    "`yit claim --offline` claims in this clone only; `git config yit.remote NAME` picks another remote"
                        .to_owned(),
                );
            }
            StoreError::Referred { .. } => {
                out.hints
                    .push("`yit rm --force` removes the issues and these references".to_owned());
            }
            StoreError::NoComment { known, .. } if !known.is_empty() => {
                out.hints
                    .push(format!("its comments: {}", known.join(", ")));
            }
            StoreError::Lock(yit::store::lock::LockError::Timeout { .. }) => {
                out.causes.clear();
                out.hints.push(
                    "another yit command holds the lock; try again, or raise --lock-timeout"
                        .to_owned(),
                );
            }
            StoreError::NoIdentity => {
                out.hints.push(
                    "tell git who you are: git config user.name \"Your Name\" && git config user.email you@example.com"
                        .to_owned(),
                );
            }
            _ => {}
        }
        out
    }
}

impl From<FieldError> for CommandError {
    fn from(err: FieldError) -> CommandError {
        CommandError::user(err.to_string())
    }
}

impl From<yit::query::filter::QueryError> for CommandError {
    fn from(e: yit::query::filter::QueryError) -> Self {
        CommandError::user(e.to_string())
    }
}

impl From<DaemonError> for CommandError {
    fn from(err: DaemonError) -> CommandError {
        let kind = match err {
            DaemonError::Store(e) => return e.into(),
            DaemonError::AlreadyRunning { .. } => ErrorKind::Refused,
            // the environment failed (a socket, a process, a watch), as
            // with the store's io errors
            DaemonError::Io { .. }
            | DaemonError::Spawn { .. }
            | DaemonError::Exited { .. }
            | DaemonError::StartTimeout { .. }
            | DaemonError::Unkillable { .. }
            | DaemonError::NotAnswering { .. }
            | DaemonError::Protocol(_)
            | DaemonError::Watch(_)
            | DaemonError::Lifeline(_) => ErrorKind::Internal,
        };
        let mut out = CommandError::new(kind, err.to_string());
        out.causes = causes(&err);
        out
    }
}

impl From<LockError> for CommandError {
    fn from(err: LockError) -> CommandError {
        let kind = match err {
            LockError::Timeout { .. } => ErrorKind::LockTimeout,
            LockError::Open { .. } => ErrorKind::Internal,
        };
        let mut out = CommandError::new(kind, err.to_string());
        out.causes = causes(&err);
        if kind == ErrorKind::LockTimeout {
            out.hints.push(
                "another yit command holds the lock; try again, or raise --lock-timeout".to_owned(),
            );
        }
        out
    }
}

impl From<std::io::Error> for CommandError {
    fn from(err: std::io::Error) -> CommandError {
        if err.kind() == std::io::ErrorKind::BrokenPipe {
            return CommandError::new(ErrorKind::BrokenPipe, "broken pipe");
        }
        let mut out = CommandError::new(ErrorKind::Internal, err.to_string());
        out.causes = causes(&err);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_failures_exit_alike_and_keep_their_cause_wherever_they_come_from() {
        let io = || std::io::Error::other("disk on fire");
        let store = CommandError::from(StoreError::Io {
            action: "could not write",
            path: "a.yaml".into(),
            source: io(),
        });
        let daemon = CommandError::from(DaemonError::Io {
            action: "could not bind",
            path: "yit.sock".into(),
            source: io(),
        });
        let file = CommandError::file(ErrorKind::Internal, "cannot write", "b".as_ref())(io());
        for err in [&store, &daemon, &file] {
            assert_eq!(err.kind, ErrorKind::Internal, "{}", err.message);
            assert_eq!(err.causes, ["disk on fire"], "{}", err.message);
        }
        assert_eq!(
            file.render_text(),
            "error: cannot write b\n  caused by: disk on fire\n"
        );
    }

    #[test]
    fn refusals_and_bad_values_keep_their_classes() {
        let field = yit::model::config::Config::parse_priority("high").unwrap_err();
        assert_eq!(
            CommandError::from(StoreError::from(field.clone())).kind,
            ErrorKind::User
        );
        assert_eq!(CommandError::from(field).kind, ErrorKind::User);
        let held = StoreError::Held {
            id: yit::model::id::IssueId::parse_canonical("4k2f").expect("an id"),
            holder: "ann@example.com".into(),
            shorts: Default::default(),
        };
        assert_eq!(CommandError::from(held).kind.exit_code(), 4);
    }
}
