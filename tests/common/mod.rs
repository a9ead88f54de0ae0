//! The one helper that owns every test's temp dir and every process a test
//! starts.
//!
//! Each [`TestRepo`] is a real `git init` repository in a temp dir with a
//! hermetic environment: HOME and git config inside the temp dir, a fixed
//! author, and `YIT_NOW`/`YIT_SEED` fixed. When a `TestRepo` is dropped it
//! checks that no process of the built `yit` binary is still running in it;
//! a leftover process is killed and the test fails.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const NOW: &str = "2026-01-02T03:04:05Z";

/// Set by a test binary with a session teardown (`harness = false`): the
/// marker every process it starts carries in its environment, and the
/// inherited read end of its lifeline pipe.
static SESSION: std::sync::OnceLock<(String, i32)> = std::sync::OnceLock::new();

/// Makes every process started from now on carry `marker` and inherit the
/// lifeline read end `fd` (see `yit`'s YIT_LIFELINE_FD).
pub fn set_session(marker: String, fd: i32) {
    SESSION
        .set((marker, fd))
        .expect("one session per test binary");
}
pub const AUTHOR: &str = "Ann Lee <ann@example.com>";

/// A PATH with git and the system's programs but no yit: what a git GUI
/// or an IDE runs merge drivers and hooks with.
pub const PATH_WITHOUT_YIT: &str = "/usr/local/bin:/usr/bin:/bin";

/// Path of the binary under test.
pub fn yit_bin() -> &'static str {
    env!("CARGO_BIN_EXE_yit")
}

/// A temporary git repository and the environment yit runs in there.
pub struct TestRepo {
    tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    /// `YIT_SEED` of the next command: each command its own, in order, so
    /// that ids are the same on every run (as jj's tests do).
    seed: std::sync::atomic::AtomicU64,
}

/// The result of one finished command.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }

    #[track_caller]
    pub fn stderr_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stderr)
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {}", self.stderr))
    }
}

impl TestRepo {
    /// An empty git repository without a tracker.
    pub fn new() -> TestRepo {
        let tmp = tempfile::Builder::new()
            .prefix("yit-test-")
            .tempdir()
            .expect("temp dir");
        let root = tmp.path().join("repo");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&root).expect("repo dir");
        std::fs::create_dir_all(&home).expect("home dir");
        // no daemon starts by itself in a test: one that tests it unsets this
        std::fs::write(home.join(".gitconfig"), "[yit]\n\tautostart = false\n").expect("gitconfig");
        let repo = TestRepo {
            tmp,
            root,
            home,
            seed: std::sync::atomic::AtomicU64::new(1),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A git repository with `yit init` done.
    pub fn with_tracker() -> TestRepo {
        let repo = TestRepo::new();
        repo.ok(&["init", "-q"]);
        repo
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn issues_dir(&self) -> PathBuf {
        self.root.join(".issues")
    }

    /// A directory next to the repository, outside it.
    pub fn outside(&self) -> PathBuf {
        let dir = self.tmp.path().join("outside");
        std::fs::create_dir_all(&dir).expect("outside dir");
        dir
    }

    fn env(&self, cmd: &mut Command) {
        // this build's yit first: git runs it as the merge driver
        let bin_dir = Path::new(yit_bin()).parent().expect("bin dir").to_owned();
        let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("PATH");
        cmd.env_clear()
            .env("PATH", path)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("GIT_AUTHOR_NAME", "Ann Lee")
            .env("GIT_AUTHOR_EMAIL", "ann@example.com")
            // a test that wants a pager says which
            .env("YIT_PAGER", "")
            .env("GIT_COMMITTER_NAME", "Ann Lee")
            .env("GIT_COMMITTER_EMAIL", "ann@example.com")
            .env("LANG", "C.UTF-8")
            // times for people are local: one zone for every machine
            .env("TZ", "UTC")
            .env("YIT_NOW", NOW)
            .env(
                "YIT_SEED",
                self.seed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    .to_string(),
            )
            .current_dir(&self.root);
        if let Some((marker, fd)) = SESSION.get() {
            cmd.env("YIT_TEST_SESSION", marker)
                .env("YIT_LIFELINE_FD", fd.to_string());
        }
    }

    /// A `yit` command in the repository, with the hermetic environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(yit_bin());
        self.env(&mut cmd);
        cmd.args(args).stdin(Stdio::null());
        cmd
    }

    /// Any program in the repository, with the same environment.
    pub fn program(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(program);
        self.env(&mut cmd);
        cmd.args(args).stdin(Stdio::null());
        cmd
    }

    /// Runs `yit` with a real pseudo-terminal as its stdin, stdout and
    /// stderr (through script(1)), typing `input`; returns what the terminal
    /// showed, with CR removed. `env` is set for yit alone.
    pub fn run_on_terminal(&self, args: &[&str], env: &[(&str, &str)], input: &str) -> Run {
        let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let mut line: Vec<String> = env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect();
        line.push(quote(yit_bin()));
        line.extend(args.iter().map(|a| quote(a)));
        let mut cmd = self.program("script", &["-qec", &line.join(" "), "/dev/null"]);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = Spawned::new(cmd.spawn().expect("script starts"));
        child.stdin().write_all(input.as_bytes()).expect("type");
        // script(1) ends the session when its input closes; give yit the
        // chance to read what was typed first
        std::thread::sleep(std::time::Duration::from_millis(if input.is_empty() {
            0
        } else {
            300
        }));
        child.close_stdin();
        let mut run = Run::from_output(child.wait_output());
        run.stdout = run.stdout.replace('\r', "");
        run
    }

    /// The fake editor of every editor test: an executable shell script
    /// named `name` outside the repository, running `body` with the file
    /// to edit as `$1`.
    pub fn editor(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.outside().join(name);
        std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).expect("write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// Runs `yit` with `editor` as $EDITOR (and this build as $YIT_BIN, for
    /// a script that runs yit).
    pub fn run_with_editor(&self, editor: &Path, args: &[&str]) -> Run {
        let mut cmd = self.cmd(args);
        cmd.env("EDITOR", editor).env("YIT_BIN", yit_bin());
        Run::from_output(cmd.output().expect("runs"))
    }

    /// Runs `yit` and waits for it.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from_output(self.cmd(args).output().expect("yit runs"))
    }

    /// Runs `yit` with `stdin` as its standard input.
    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut cmd = self.cmd(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = Spawned::new(cmd.spawn().expect("yit starts"));
        child
            .stdin()
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.close_stdin();
        Run::from_output(child.wait_output())
    }

    /// Runs `yit`, asserts it succeeded, returns stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code, 0,
            "yit {args:?} failed:\n{}{}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    /// Runs `yit`, asserts it exited with `code`, returns the run.
    #[track_caller]
    pub fn fails(&self, args: &[&str], code: i32) -> Run {
        let run = self.run(args);
        assert_eq!(
            run.code, code,
            "yit {args:?}: expected exit {code}:\n{}{}",
            run.stdout, run.stderr
        );
        run
    }

    /// Creates an issue and returns its full id.
    #[track_caller]
    pub fn new_issue(&self, args: &[&str]) -> String {
        let mut all = vec!["new", "--json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert_eq!(run.code, 0, "yit {all:?} failed: {}", run.stderr);
        run.json()["issue"]["id"].as_str().expect("id").to_owned()
    }

    /// Runs git in the repository and returns stdout.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.root, args)
    }

    /// Runs git in `dir` (a clone, a worktree) with this repository's
    /// environment, and returns stdout.
    #[track_caller]
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        let out = cmd.args(args).current_dir(dir).output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs yit in `dir` (a clone, a worktree).
    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        Run::from_output(self.cmd(args).current_dir(dir).output().expect("yit runs"))
    }

    /// Runs yit in `dir` (a clone, a worktree), expecting success, and
    /// returns stdout.
    #[track_caller]
    pub fn ok_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.cmd(args).current_dir(dir).output().expect("yit runs");
        assert!(
            out.status.success(),
            "yit {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A linked worktree of the repository at `checkout` (this one or a
    /// clone), made by `git worktree add` outside it as `name`, on a new
    /// branch `branch`.
    #[track_caller]
    pub fn worktree_of(&self, checkout: &Path, name: &str, branch: &str) -> PathBuf {
        let dir = self.outside().join(name);
        let s = dir.to_str().expect("utf-8").to_owned();
        self.git_in(checkout, &["worktree", "add", "-q", "-b", branch, &s]);
        dir
    }

    /// A bare clone of this repository (`origin.git`, outside it) and a
    /// clone of that for each of `names`, each set up with `yit init`:
    /// several machines sharing one remote.
    pub fn clones_of_bare(&self, names: &[&str]) -> Vec<PathBuf> {
        let remote = self.outside().join("origin.git");
        let s = |p: &Path| p.to_str().expect("utf-8").to_owned();
        self.git(&["clone", "-q", "--bare", ".", &s(&remote)]);
        names
            .iter()
            .map(|name| {
                let clone = self.outside().join(name);
                self.git(&["clone", "-q", &s(&remote), &s(&clone)]);
                self.ok_in(&clone, &["init", "-q"]);
                clone
            })
            .collect()
    }

    /// Writes a file into `.issues/` as a person would.
    #[track_caller]
    pub fn write_issue_file(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.issues_dir().join(name), bytes).expect("write issue file");
    }

    #[track_caller]
    pub fn read_issue_file(&self, id: &str) -> String {
        std::fs::read_to_string(self.issues_dir().join(format!("{id}.yaml")))
            .expect("read issue file")
    }

    /// Every file under the repository (but .git) with its bytes: compare
    /// two of these to prove nothing changed on disk.
    pub fn tree(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).expect("read dir") {
                let entry = entry.expect("entry");
                let path = entry.path();
                if path.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                let meta = std::fs::symlink_metadata(&path).expect("metadata");
                if meta.is_dir() {
                    walk(&path, root, out);
                } else if meta.file_type().is_symlink() {
                    let target = std::fs::read_link(&path).expect("link");
                    out.insert(
                        path.strip_prefix(root).expect("inside").to_owned(),
                        target.into_os_string().into_encoded_bytes(),
                    );
                } else {
                    out.insert(
                        path.strip_prefix(root).expect("inside").to_owned(),
                        std::fs::read(&path).expect("read"),
                    );
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.root, &self.root, &mut out);
        out
    }
}

impl Drop for TestRepo {
    fn drop(&mut self) {
        let left = kill_yit_processes_in(self.tmp.path());
        if !left.is_empty() && !std::thread::panicking() {
            panic!(
                "yit processes were still running in {} (killed): {left:?}",
                self.tmp.path().display()
            );
        }
    }
}

/// Kills every live process of the built binary whose working directory is
/// under `dir`; returns their pids and command lines.
pub fn kill_yit_processes_in(dir: &Path) -> Vec<(u32, String)> {
    yit_processes(dir, true)
}

/// Live processes of the built binary working under `dir`.
pub fn yit_processes_in(dir: &Path) -> Vec<(u32, String)> {
    yit_processes(dir, false)
}

fn yit_processes(dir: &Path, kill: bool) -> Vec<(u32, String)> {
    let bin = std::fs::canonicalize(yit_bin()).unwrap_or_else(|_| PathBuf::from(yit_bin()));
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    live_processes(kill, |p| {
        p.exe().is_some_and(|e| e == bin) && p.cwd().is_some_and(|c| c.starts_with(&dir))
    })
}

/// Live processes of the binary `exe`, wherever they run.
pub fn processes_of(exe: &Path) -> Vec<(u32, String)> {
    live_processes(false, |p| p.exe().is_some_and(|e| e == exe))
}

/// Live processes (not threads, not zombies, not this one) for which
/// `matches` holds, killed when `kill`; their pids and command lines.
fn live_processes(kill: bool, matches: impl Fn(&sysinfo::Process) -> bool) -> Vec<(u32, String)> {
    use sysinfo::{ProcessRefreshKind, ProcessStatus, ProcessesToUpdate, System, UpdateKind};
    // a teardown that cannot look must not pass
    let mut sys = System::new().expect("the test teardown could not enumerate processes");
    sys.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing()
            .with_exe(UpdateKind::Always)
            .with_cwd(UpdateKind::Always)
            .with_cmd(UpdateKind::Always)
            .with_environ(UpdateKind::Always)
            .without_tasks(),
    );
    assert!(
        sys.process(sysinfo::Pid::from_u32(std::process::id()))
            .is_some(),
        "the test teardown could not enumerate processes (it does not see itself)"
    );
    let mut found = Vec::new();
    for (pid, p) in sys.processes() {
        let skip = p.thread_kind().is_some()
            || p.status() == ProcessStatus::Zombie
            || pid.as_u32() == std::process::id();
        if skip || !matches(p) {
            continue;
        }
        if kill {
            p.kill();
        }
        let cmd: Vec<String> = p
            .cmd()
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        found.push((pid.as_u32(), cmd.join(" ")));
    }
    found
}

/// A child process that is killed and reaped when dropped, so that a failing
/// test never leaves it behind.
pub struct Spawned {
    child: Option<Child>,
}

impl Spawned {
    pub fn new(child: Child) -> Spawned {
        Spawned { child: Some(child) }
    }

    fn child(&mut self) -> &mut Child {
        self.child.as_mut().expect("child present until waited")
    }

    pub fn stdin(&mut self) -> &mut std::process::ChildStdin {
        self.child().stdin.as_mut().expect("stdin piped")
    }

    pub fn close_stdin(&mut self) {
        drop(self.child().stdin.take());
    }

    pub fn stdout(&mut self) -> std::process::ChildStdout {
        self.child().stdout.take().expect("stdout piped")
    }

    pub fn wait_output(mut self) -> Output {
        self.child
            .take()
            .expect("child")
            .wait_with_output()
            .expect("wait")
    }

    pub fn id(&self) -> u32 {
        self.child
            .as_ref()
            .expect("child present until waited")
            .id()
    }

    pub fn wait(mut self) -> std::process::ExitStatus {
        self.child.take().expect("child").wait().expect("wait")
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Kills every live process whose environment carries `YIT_TEST_SESSION=
/// marker`; returns their pids and command lines. Threads and zombies
/// (exited, waiting to be reaped) are not processes that leak.
pub fn sweep_session(marker: &str) -> Vec<(u32, String)> {
    session_processes_of(marker, true)
}

/// Live processes this test session started (those carrying its marker),
/// whichever other test binaries run at the same time; empty outside a
/// session.
pub fn session_processes() -> Vec<(u32, String)> {
    SESSION
        .get()
        .map(|(marker, _)| session_processes_of(marker, false))
        .unwrap_or_default()
}

fn session_processes_of(marker: &str, kill: bool) -> Vec<(u32, String)> {
    let wanted = format!("YIT_TEST_SESSION={marker}");
    live_processes(kill, |p| {
        p.environ()
            .iter()
            .any(|e| e.to_str() == Some(wanted.as_str()))
    })
}

/// Open descriptors of this process.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Polls `done` until it is true or `within` passed; returns whether it was.
pub fn wait_until(within: std::time::Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + within;
    loop {
        if done() {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// A daemon started for a test with `yit daemon start`; stopped on drop
/// (also when the test panics), and killed if it does not go. It also ends
/// by itself when the test process exits (`--exit-with-pid`).
pub struct DaemonGuard<'a> {
    repo: &'a TestRepo,
    pub pid: u32,
}

impl<'a> DaemonGuard<'a> {
    pub fn start(repo: &'a TestRepo, extra: &[&str]) -> DaemonGuard<'a> {
        let me = std::process::id().to_string();
        let mut args = vec!["daemon", "start"];
        if !extra.contains(&"--exit-with-pid") {
            args.extend(["--exit-with-pid", &me]);
        }
        args.extend_from_slice(extra);
        let out = repo.ok(&args);
        let pid = out
            .trim()
            .strip_prefix("started the daemon (pid ")
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|pid| pid.parse().ok())
            .unwrap_or_else(|| panic!("unexpected start output: {out}"));
        DaemonGuard { repo, pid }
    }
}

impl Drop for DaemonGuard<'_> {
    fn drop(&mut self) {
        let _ = self.repo.run(&["daemon", "stop"]);
        if process_alive(self.pid) {
            signal(self.pid, rustix::process::Signal::KILL);
        }
    }
}

/// Sends `signal` to the one process `pid` (through rustix: never a group,
/// never every process, as a shell's `kill -9 -N` can be read); whether it
/// was sent.
pub fn signal(pid: u32, signal: rustix::process::Signal) -> bool {
    i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .is_some_and(|pid| rustix::process::kill_process(pid, signal).is_ok())
}

/// Whether `pid` is a live process (not a zombie).
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

/// Tests of one session share the process; those that count descriptors or
/// processes run alone.
static EXCLUSIVE: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// One test of a session: its name, its function, and whether it must run
/// with no other test of the session at the same time.
pub type SessionTest = (&'static str, fn(), bool);

/// Runs `tests` as a test binary with a session teardown (`harness =
/// false`): every process the tests start carries a session marker and
/// inherits a lifeline pipe (so it dies with this process, however this
/// process ends); after all tests, any process still carrying the marker is
/// killed and the run FAILS, naming it.
pub fn run_session(name: &str, tests: Vec<SessionTest>) -> ! {
    use std::os::fd::AsRawFd;
    let args = libtest_mimic::Arguments::from_args();
    let (reader, writer) = std::io::pipe().expect("pipe");
    rustix::io::fcntl_setfd(&reader, rustix::io::FdFlags::empty()).expect("inheritable");
    let marker = format!("{name}-{}-{}", std::process::id(), fastrand::u64(..));
    set_session(marker.clone(), reader.as_raw_fd());
    let trials = tests
        .into_iter()
        .map(|(name, test, alone)| {
            libtest_mimic::Trial::test(name, move || {
                let _shared;
                let _alone;
                if alone {
                    _alone = EXCLUSIVE.write().unwrap_or_else(|e| e.into_inner());
                } else {
                    _shared = EXCLUSIVE.read().unwrap_or_else(|e| e.into_inner());
                }
                std::panic::catch_unwind(test).map_err(|e| {
                    let message = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    libtest_mimic::Failed::from(message)
                })
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    let left = sweep_session(&marker);
    drop(writer);
    drop(reader);
    if !left.is_empty() {
        eprintln!("FAILED: processes of this test session were still running (now killed):");
        for (pid, cmd) in &left {
            eprintln!("  {pid} {cmd}");
        }
        std::process::exit(101);
    }
    conclusion.exit();
}
