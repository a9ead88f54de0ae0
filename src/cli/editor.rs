//! Editing text in the person's editor: `$VISUAL`, then `$EDITOR`, run the
//! way git runs it. Invalid text reopens the editor with the problems on
//! top, as `git commit` and `kubectl edit` do; nothing typed is ever lost:
//! text that cannot be saved is kept in a recovery file whose path is
//! printed. No lock is held while the editor is open.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::CommandError;

/// Lines yit adds to the text; removed before the text is read.
pub const NOTE: &str = "# yit: ";

/// How many times the editor is opened on text it saved invalid when no
/// terminal is there to show the problems to a person.
const UNATTENDED_ROUNDS: u32 = 3;

/// What came back from the editor.
pub enum Outcome<T> {
    /// Valid text and what it means.
    Saved(String, T),
    /// The person left the text as it was: nothing to do.
    Unchanged,
}

/// A file in the state dir the editor works on; kept when the text could
/// not be used, removed otherwise.
pub struct Draft {
    path: PathBuf,
    keep: bool,
}

impl Draft {
    pub fn new(state_dir: &Path, name: &str) -> Result<Draft, CommandError> {
        let dir = state_dir.join("edit");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}-{}.yaml", std::process::id()));
        Ok(Draft { path, keep: false })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Keeps the person's text for later: moves it to `<state>/recovery/`.
    pub fn keep_as_recovery(
        &mut self,
        state_dir: &Path,
        name: &str,
    ) -> Result<PathBuf, CommandError> {
        let dir = state_dir.join("recovery");
        std::fs::create_dir_all(&dir)?;
        let stamp = jiff::Timestamp::now().as_millisecond();
        let target = dir.join(format!("{name}-{stamp}.yaml"));
        std::fs::rename(&self.path, &target)?;
        self.keep = true;
        Ok(target)
    }
}

impl Drop for Draft {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// While the editor runs, Ctrl-C (SIGINT) and SIGQUIT are the editor's,
/// as git has it: yit does not die of them (its scratch file would be
/// left behind) and acts on how the editor ended. Outside the editor they
/// do what they always do. Set while a [`Patient`] lives.
struct Patient;

/// Whether a SIGINT or SIGQUIT does its default action (no editor runs).
fn outside_editor() -> Option<&'static std::sync::Arc<std::sync::atomic::AtomicBool>> {
    static OUTSIDE: std::sync::OnceLock<Option<std::sync::Arc<std::sync::atomic::AtomicBool>>> =
        std::sync::OnceLock::new();
    OUTSIDE
        .get_or_init(|| {
            let outside = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
            for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGQUIT] {
                signal_hook::flag::register_conditional_default(
                    signal,
                    std::sync::Arc::clone(&outside),
                )
                .ok()?;
            }
            Some(outside)
        })
        .as_ref()
}

impl Patient {
    fn new() -> Patient {
        if let Some(outside) = outside_editor() {
            outside.store(false, std::sync::atomic::Ordering::SeqCst);
        }
        Patient
    }
}

impl Drop for Patient {
    fn drop(&mut self) {
        if let Some(outside) = outside_editor() {
            outside.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// The editor command line, or an error when there is none to run.
fn editor() -> Result<String, CommandError> {
    for var in ["VISUAL", "EDITOR"] {
        if let Ok(value) = std::env::var(var)
            && !value.trim().is_empty()
        {
            return Ok(value);
        }
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        return Ok("vi".to_owned());
    }
    Err(CommandError::usage(
        "no editor to run: set $VISUAL or $EDITOR, or pass the text as arguments",
    ))
}

/// Removes the lines yit added.
pub fn strip_notes(text: &str) -> String {
    text.split_inclusive('\n')
        .filter(|l| !l.starts_with(NOTE))
        .collect()
}

/// Opens the editor on `initial` until `check` accepts the text, the
/// person leaves it unchanged, or gives up (saves the same invalid text
/// again, or an empty file). `check` gets the text without yit's notes and
/// returns what it means, or problems as `(line, column, message)` with
/// lines counted in that text.
pub fn edit_until_valid<T>(
    draft: &mut Draft,
    state_dir: &Path,
    name: &str,
    initial: &str,
    mut check: impl FnMut(&str) -> Result<T, Vec<(Option<u64>, Option<u64>, String)>>,
) -> Result<Outcome<T>, CommandError> {
    let command = editor()?;
    let mut shown = initial.to_owned();
    let mut last_invalid: Option<String> = None;
    // with no person at a terminal, an editor (a script, an agent's tool)
    // that keeps writing invalid text would be reopened for ever
    let mut rounds_left = (!std::io::stdin().is_terminal()).then_some(UNATTENDED_ROUNDS);
    loop {
        std::fs::write(draft.path(), &shown)?;
        let patient = Patient::new();
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("{command} \"$@\""))
            .arg(&command)
            .arg(draft.path())
            .status()
            .map_err(|e| {
                CommandError::user(format!("could not run the editor {command:?}")).because(&e)
            })?;
        drop(patient);
        let edited = std::fs::read(draft.path())?;
        // the editor died of the signal, or the shell running it said so
        let interrupted = std::os::unix::process::ExitStatusExt::signal(&status)
            .or_else(|| status.code().map(|code| code - 128))
            .filter(|s| [signal_hook::consts::SIGINT, signal_hook::consts::SIGQUIT].contains(s));
        if let Some(signal) = interrupted {
            // interrupted: nothing changes; text the person saved is kept,
            // the scratch file goes, and yit ends of the same signal
            if edited != shown.as_bytes() {
                let kept = draft.keep_as_recovery(state_dir, name)?;
                crate::front::say!(
                    "yit: interrupted; nothing was changed; your text is kept in {}",
                    kept.display()
                );
            } else {
                let _ = std::fs::remove_file(draft.path());
                draft.keep = true;
            }
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            return Err(CommandError::user("interrupted; nothing was changed"));
        }
        let edited = String::from_utf8(edited).map_err(|_| {
            CommandError::user(format!(
                "the edited text is not UTF-8; it is kept in {}",
                draft.path().display()
            ))
        });
        let edited = match edited {
            Ok(text) => text,
            Err(e) => {
                draft.keep = true;
                return Err(e);
            }
        };
        if !status.success() {
            let kept = draft.keep_as_recovery(state_dir, name)?;
            return Err(CommandError::user(format!(
                "the editor exited with {status}; nothing was changed; your text is kept in {}",
                kept.display()
            )));
        }
        let text = strip_notes(&edited);
        if text == strip_notes(initial) {
            return Ok(Outcome::Unchanged);
        }
        if text.trim().is_empty() || last_invalid.as_deref() == Some(text.as_str()) {
            let kept = draft.keep_as_recovery(state_dir, name)?;
            return Err(CommandError::user(format!(
                "edit abandoned; nothing was changed; your text is kept in {}",
                kept.display()
            )));
        }
        match check(&text) {
            Ok(value) => return Ok(Outcome::Saved(text, value)),
            Err(problems) if rounds_left == Some(1) => {
                let kept = draft.keep_as_recovery(state_dir, name)?;
                let first = problems
                    .first()
                    .map(|(line, column, message)| match (line, column) {
                        (Some(l), Some(c)) => format!(" (line {l}, column {c}: {message})"),
                        (Some(l), None) => format!(" (line {l}: {message})"),
                        _ => format!(" ({message})"),
                    })
                    .unwrap_or_default();
                return Err(CommandError::user(format!(
                    "the editor saved invalid text {UNATTENDED_ROUNDS} times{first}; standard input is not a terminal, so yit stopped asking; nothing was changed; your text is kept in {}",
                    kept.display()
                )));
            }
            Err(problems) => {
                rounds_left = rounds_left.map(|n| n - 1);
                let mut header = String::new();
                header.push_str(&format!(
                    "{NOTE}This text was not saved. Fix the problems below, then save and quit.\n"
                ));
                header.push_str(&format!(
                    "{NOTE}To give up, save it unchanged or empty; it will be kept for you.\n"
                ));
                let extra = 2 + problems.len() as u64;
                for (line, column, message) in &problems {
                    let at = match (line, column) {
                        (Some(l), Some(c)) => format!("line {}, column {c}: ", l + extra),
                        (Some(l), None) => format!("line {}: ", l + extra),
                        _ => String::new(),
                    };
                    header.push_str(&format!("{NOTE}{at}{message}\n"));
                }
                last_invalid = Some(text.clone());
                shown = header + &text;
            }
        }
    }
}
