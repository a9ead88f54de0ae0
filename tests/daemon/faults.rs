//! The fault matrix: every reason for a daemon to exist going away ends it
//! within [`EXIT_DEADLINE`], leaving no socket, pidfile, cookie or lock;
//! and clients never hang on a daemon that does not answer.

use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{self, Spawned, TestRepo, process_alive, wait_until};

/// How long a daemon may take to exit once its reason to exist is gone.
const EXIT_DEADLINE: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug)]
pub enum Fault {
    RemoveRepository,
    RemoveGitDir,
    RemoveStateDir,
    RemoveSocket,
    ReplaceSocket,
    MoveRepository,
    RemoveIssues,
    OwnerExits,
    LifelineCloses,
    Idle,
    Sigterm,
    Sigint,
    SigtermMidRequest,
}

pub const FAULTS: [Fault; 13] = [
    Fault::RemoveRepository,
    Fault::RemoveGitDir,
    Fault::RemoveStateDir,
    Fault::RemoveSocket,
    Fault::ReplaceSocket,
    Fault::MoveRepository,
    Fault::RemoveIssues,
    Fault::OwnerExits,
    Fault::LifelineCloses,
    Fault::Idle,
    Fault::Sigterm,
    Fault::Sigint,
    Fault::SigtermMidRequest,
];

/// Starts a daemon with `yit daemon start` and returns its pid.
fn start(repo: &TestRepo, args: &[&str], lifeline: Option<i32>) -> u32 {
    let mut all = vec!["daemon", "start"];
    all.extend_from_slice(args);
    let mut cmd = repo.cmd(&all);
    if let Some(fd) = lifeline {
        cmd.env("YIT_LIFELINE_FD", fd.to_string());
    }
    let out = cmd.output().expect("start");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.trim()
        .strip_prefix("started the daemon (pid ")
        .and_then(|rest| rest.strip_suffix(')'))
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("unexpected start output: {text}"))
}

#[track_caller]
fn signal(pid: u32, name: &str) {
    use rustix::process::Signal;
    let signal = match name {
        "TERM" => Signal::TERM,
        "INT" => Signal::INT,
        "STOP" => Signal::STOP,
        other => panic!("no signal {other} here"),
    };
    assert!(crate::common::signal(pid, signal), "SIG{name} to {pid}");
}

/// The daemon's files that must not outlive it.
#[track_caller]
fn assert_left_nothing(state: &Path) {
    for name in ["daemon.sock", "daemon.pid", "cookies"] {
        assert!(
            !state.join(name).exists(),
            "{} was left behind",
            state.join(name).display()
        );
    }
}

/// Starts a daemon in a new repository, brings `fault` about, and checks
/// that the daemon is gone within the deadline and left nothing behind;
/// returns how long it took to go, from the fault.
pub fn cycle(fault: Fault) -> Duration {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Faulted"]);
    let state = repo.root().join(".git/yit");
    let me = std::process::id().to_string();
    let mut owner = None;
    let mut lifeline = None;
    let mut connection = None;
    let mut moved: Option<PathBuf> = None;
    let pid = match fault {
        Fault::OwnerExits => {
            let sleeper = Spawned::new(repo.program("sleep", &["60"]).spawn().expect("sleep"));
            let pid = start(&repo, &["--exit-with-pid", &sleeper.id().to_string()], None);
            owner = Some(sleeper);
            pid
        }
        Fault::LifelineCloses => {
            let (reader, writer) = std::io::pipe().expect("pipe");
            rustix::io::fcntl_setfd(&reader, rustix::io::FdFlags::empty()).expect("inheritable");
            let pid = start(&repo, &["--exit-with-pid", &me], Some(reader.as_raw_fd()));
            drop(reader);
            lifeline = Some(writer);
            pid
        }
        Fault::Idle => start(
            &repo,
            &["--exit-with-pid", &me, "--idle-timeout", "0.3"],
            None,
        ),
        _ => start(&repo, &["--exit-with-pid", &me], None),
    };
    assert!(process_alive(pid));
    let mut from = Instant::now();
    match fault {
        Fault::RemoveRepository => std::fs::remove_dir_all(repo.root()).expect("rm -rf"),
        Fault::RemoveGitDir => std::fs::remove_dir_all(repo.root().join(".git")).expect("rm"),
        Fault::RemoveStateDir => std::fs::remove_dir_all(&state).expect("rm"),
        Fault::RemoveSocket => std::fs::remove_file(state.join("daemon.sock")).expect("rm"),
        Fault::ReplaceSocket => {
            std::fs::remove_file(state.join("daemon.sock")).expect("rm");
            std::fs::write(state.join("daemon.sock"), "someone else's").expect("write");
        }
        Fault::MoveRepository => {
            let to = repo.root().with_file_name("moved");
            std::fs::rename(repo.root(), &to).expect("mv");
            moved = Some(to.join(".git/yit"));
        }
        Fault::RemoveIssues => std::fs::remove_dir_all(repo.issues_dir()).expect("rm"),
        Fault::OwnerExits => drop(owner.take()),
        Fault::LifelineCloses => drop(lifeline.take()),
        // measured from the end of the idle time
        Fault::Idle => from += Duration::from_millis(300),
        Fault::Sigterm => signal(pid, "TERM"),
        Fault::Sigint => signal(pid, "INT"),
        Fault::SigtermMidRequest => {
            let (mut writer, reader, _) = crate::connect(&repo);
            writer
                .write_all(b"{\"op\":\"list\",\"query\":{\"stat")
                .expect("half a request");
            connection = Some((writer, reader));
            from = Instant::now();
            signal(pid, "TERM");
        }
    }
    assert!(
        wait_until(EXIT_DEADLINE + (Instant::now() - from), || !process_alive(
            pid
        )),
        "{fault:?}: the daemon (pid {pid}) still runs {:?} after the fault",
        from.elapsed()
    );
    let took = from.elapsed();
    drop(connection);
    match fault {
        Fault::RemoveRepository | Fault::RemoveGitDir => {}
        Fault::RemoveStateDir => assert!(!state.exists(), "the state dir was made again"),
        Fault::ReplaceSocket => {
            assert_eq!(
                std::fs::read_to_string(state.join("daemon.sock")).expect("still there"),
                "someone else's",
                "a socket path that is no longer its own is left alone"
            );
            std::fs::remove_file(state.join("daemon.sock")).expect("rm");
            assert_left_nothing(&state);
        }
        Fault::MoveRepository => assert_left_nothing(moved.as_deref().expect("moved")),
        Fault::RemoveIssues => assert_left_nothing(&state),
        _ => {
            assert_left_nothing(&state);
            // the lock is free: a new daemon starts and stops
            let again = start(&repo, &["--exit-with-pid", &me], None);
            assert!(repo.ok(&["daemon", "stop"]).contains(&again.to_string()));
            assert_left_nothing(&state);
        }
    }
    took
}

fn each_fault_ends_the_daemon_within_the_deadline() {
    for fault in FAULTS {
        cycle(fault);
    }
}

/// 100 cycles across the faults: the processes this session started, this
/// process's descriptors and the files of a daemon's state dir are as
/// before (other test processes running alongside are not counted).
fn a_hundred_fault_cycles_leave_nothing_behind() {
    let ours = || common::session_processes().len();
    let processes = ours();
    let fds = common::open_fds();
    for n in 0..100 {
        cycle(FAULTS[n % FAULTS.len()]);
    }
    assert!(
        wait_until(Duration::from_secs(2), || ours() == processes),
        "processes of this session: {processes} before, {} after",
        ours()
    );
    assert!(
        wait_until(Duration::from_secs(2), || common::open_fds() == fds),
        "descriptors: {fds} before, {} after",
        common::open_fds()
    );
}

/// A stopped daemon costs a command at most one wait of the client's
/// patience and one warning; `stop` still ends it cleanly.
fn a_stopped_daemon_is_answered_around() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Around"]);
    let me = std::process::id().to_string();
    let pid = start(&repo, &["--exit-with-pid", &me], None);
    signal(pid, "STOP");
    let began = Instant::now();
    let run = repo.run(&["show", &id[..6]]);
    let took = began.elapsed();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Around"));
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did not answer"), "{}", run.stderr);
    assert!(
        took < Duration::from_secs(3),
        "a stopped daemon held a command {took:?}"
    );
    let listed = repo.run(&["list", "--format", "ids"]);
    assert_eq!(listed.stdout, format!("{id}\n"));
    let status = repo.run(&["daemon", "status"]);
    assert_eq!(status.code, 1, "{}", status.stderr);
    assert_eq!(
        repo.ok(&["daemon", "stop"]),
        format!("stopped the daemon (pid {pid}) with SIGTERM\n")
    );
    assert!(!process_alive(pid));
    assert_left_nothing(&repo.root().join(".git/yit"));
}

/// A daemon whose clean exit hangs (a test hook) is killed by `stop` after
/// its timeout, and ends by its own watchdog after SIGTERM.
fn a_wedged_exit_is_killed_and_the_watchdog_ends_it() {
    let repo = TestRepo::with_tracker();
    let me = std::process::id().to_string();
    let wedged = |repo: &TestRepo| {
        let mut cmd = repo.cmd(&["daemon", "start", "--exit-with-pid", &me]);
        cmd.env("YIT_TEST_DAEMON_HANG_ON_EXIT", "1");
        let out = cmd.output().expect("start");
        assert!(out.status.success());
        common::yit_processes_in(repo.root())
            .first()
            .map(|(pid, _)| *pid)
            .expect("running")
    };
    let pid = wedged(&repo);
    let out = repo.ok(&["daemon", "stop", "--timeout", "0.3"]);
    assert_eq!(
        out,
        format!(
            "the daemon (pid {pid}) did not exit within 0.3 s of SIGTERM; killed it with SIGKILL\n"
        )
    );
    assert!(!process_alive(pid));

    let pid = wedged(&repo);
    signal(pid, "TERM");
    assert!(
        wait_until(Duration::from_secs(6), || !process_alive(pid)),
        "the watchdog ends a wedged exit"
    );
    let log = std::fs::read_to_string(repo.root().join(".git/yit/daemon.log")).expect("log");
    assert!(log.contains("the watchdog ends the process"), "{log}");
}

/// Clients that send nothing, or half a request, delay nobody; past the
/// bound a connection is hung up at once; a daemon out of descriptors
/// backs off instead of spinning, and serves again afterwards.
fn idle_and_excess_connections_delay_nobody() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Served"]);
    let me = std::process::id().to_string();
    let pid = start(&repo, &["--exit-with-pid", &me], None);
    let silent = crate::connect(&repo);
    let (mut half, half_reader, _) = crate::connect(&repo);
    half.write_all(b"{\"op\":\"sta").expect("half");
    let began = Instant::now();
    let (mut writer, mut reader, _) = crate::connect(&repo);
    writeln!(writer, "{{\"op\":\"status\"}}").expect("send");
    assert!(crate::read_answer(&mut reader).contains("\"status\""));
    assert!(began.elapsed() < Duration::from_millis(500));
    let run = repo.run(&["list", "--format", "ids"]);
    assert_eq!((run.stdout, run.stderr), (format!("{id}\n"), String::new()));
    drop((silent, half, half_reader, writer, reader));

    // the bound: 64 held, the next one hung up before any greeting
    let held: Vec<_> = (0..64).map(|_| crate::connect(&repo)).collect();
    let extra = std::os::unix::net::UnixStream::connect(crate::socket(&repo)).expect("connect");
    extra
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    let mut greeting = String::new();
    let read = std::io::BufRead::read_line(&mut std::io::BufReader::new(&extra), &mut greeting)
        .expect("hung up, not timed out");
    assert_eq!(read, 0, "past the bound, no greeting: {greeting}");
    let run = repo.run(&["list", "--format", "ids"]);
    assert_eq!(run.stdout, format!("{id}\n"), "answered from the files");
    drop(held);

    // out of descriptors: accept fails while connections wait
    let raw = rustix::process::Pid::from_raw(pid as i32).expect("pid");
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    let hard = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(4))
        .and_then(|n| n.parse::<u64>().ok())
        .expect("hard limit");
    let limit = rustix::process::Rlimit {
        // (0, 1 and 2 are open: no descriptor can be had)
        current: Some(3),
        maximum: Some(hard),
    };
    let old = rustix::process::prlimit(Some(raw), rustix::process::Resource::Nofile, limit)
        .expect("prlimit");
    let waiting: Vec<_> = (0..5)
        .map(|_| std::os::unix::net::UnixStream::connect(crate::socket(&repo)).expect("connect"))
        .collect();
    let cpu = || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
        let fields: Vec<&str> = stat.rsplit_once(") ").expect("stat").1.split(' ').collect();
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
    };
    let before = cpu();
    std::thread::sleep(Duration::from_secs(1));
    let ticks = cpu() - before;
    assert!(
        ticks < 30,
        "the accept loop spun: {ticks} ticks of CPU in 1 s"
    );
    drop(waiting);
    rustix::process::prlimit(Some(raw), rustix::process::Resource::Nofile, old).expect("restore");
    let (mut writer, mut reader, _) = crate::connect(&repo);
    writeln!(writer, "{{\"op\":\"status\"}}").expect("send");
    assert!(crate::read_answer(&mut reader).contains("\"status\""));
    let log = std::fs::read_to_string(repo.root().join(".git/yit/daemon.log")).expect("log");
    assert!(log.contains("could not accept a connection"), "{log}");
    assert!(repo.ok(&["daemon", "stop"]).contains("SIGTERM"));
}

/// Ten starts at once leave one daemon; a linked worktree gets its own.
fn concurrent_starts_leave_one_daemon_per_worktree() {
    let repo = TestRepo::with_tracker();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "init"]);
    let me = std::process::id().to_string();
    let starts: Vec<_> = (0..10)
        .map(|_| {
            let mut cmd = repo.cmd(&["daemon", "start", "--exit-with-pid", &me]);
            cmd.stdout(std::process::Stdio::piped());
            Spawned::new(cmd.spawn().expect("start"))
        })
        .collect();
    for start in starts {
        assert!(start.wait_output().status.success());
    }
    let bin = std::fs::canonicalize(common::yit_bin()).expect("binary");
    let daemons: Vec<_> = common::processes_of(&bin)
        .into_iter()
        .filter(|(_, cmd)| cmd.contains(repo.root().to_str().expect("utf-8")))
        .collect();
    assert_eq!(daemons.len(), 1, "{daemons:?}");

    let linked = repo.outside().join("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().expect("utf-8")]);
    let out = repo
        .cmd(&[
            "-C",
            linked.to_str().expect("utf-8"),
            "daemon",
            "start",
            "--exit-with-pid",
            &me,
        ])
        .output()
        .expect("start");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = |dir: &Path| {
        let out = repo
            .cmd(&[
                "-C",
                dir.to_str().expect("utf-8"),
                "daemon",
                "status",
                "--json",
            ])
            .output()
            .expect("status");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")
    };
    let (main, other) = (status(repo.root()), status(&linked));
    assert_ne!(main["daemon"]["pid"], other["daemon"]["pid"]);
    assert_eq!(
        other["daemon"]["worktree"].as_str().map(Path::new),
        Some(std::fs::canonicalize(&linked).expect("canonical").as_path())
    );
    for dir in [repo.root(), linked.as_path()] {
        let out = repo
            .cmd(&["-C", dir.to_str().expect("utf-8"), "daemon", "stop"])
            .output()
            .expect("stop");
        assert!(String::from_utf8_lossy(&out.stdout).contains("SIGTERM"));
    }
}

pub fn tests() -> Vec<common::SessionTest> {
    vec![
        (
            "each_fault_ends_the_daemon_within_the_deadline",
            each_fault_ends_the_daemon_within_the_deadline,
            true,
        ),
        (
            "a_hundred_fault_cycles_leave_nothing_behind",
            a_hundred_fault_cycles_leave_nothing_behind,
            true,
        ),
        (
            "a_stopped_daemon_is_answered_around",
            a_stopped_daemon_is_answered_around,
            true,
        ),
        (
            "a_wedged_exit_is_killed_and_the_watchdog_ends_it",
            a_wedged_exit_is_killed_and_the_watchdog_ends_it,
            false,
        ),
        (
            "idle_and_excess_connections_delay_nobody",
            idle_and_excess_connections_delay_nobody,
            true,
        ),
        (
            "concurrent_starts_leave_one_daemon_per_worktree",
            concurrent_starts_leave_one_daemon_per_worktree,
            true,
        ),
    ]
}
