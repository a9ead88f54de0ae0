//! The watch daemon, end to end: one per worktree, exact answers, clean
//! exits for every reason, hostile socket input, and nothing left behind.
//! Runs under a session teardown (`harness = false`): every process these
//! tests start carries a session marker and inherits a lifeline; after all
//! tests any process still carrying the marker is killed and the run FAILS.

mod common;
#[path = "daemon/faults.rs"]
mod faults;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::Duration;

use common::{DaemonGuard, Spawned, TestRepo, process_alive, wait_until};

const PATIENCE: Duration = Duration::from_secs(10);

/// `daemon status` says no daemon runs, and exits 1 (text and JSON).
#[track_caller]
fn assert_no_daemon(repo: &TestRepo) {
    let text = repo.fails(&["daemon", "status"], 1);
    assert_eq!(
        (text.stdout.as_str(), text.stderr.as_str()),
        ("no daemon is running\n", "")
    );
    let json = repo.fails(&["daemon", "status", "--json"], 1).json();
    assert_eq!(json["running"], false);
}

fn socket(repo: &TestRepo) -> std::path::PathBuf {
    repo.root().join(".git/yit/daemon.sock")
}

fn start_status_stop_say_what_they_did() {
    let repo = TestRepo::with_tracker();
    assert_no_daemon(&repo);
    assert_eq!(repo.ok(&["daemon", "stop"]), "no daemon is running\n");
    let daemon = DaemonGuard::start(&repo, &[]);
    assert!(process_alive(daemon.pid));
    assert_eq!(
        repo.ok(&["daemon", "start"]),
        format!("the daemon is already running (pid {})\n", daemon.pid)
    );
    let status = repo.run(&["daemon", "status", "--json"]).json();
    assert_eq!(status["running"], true);
    assert_eq!(status["daemon"]["pid"], daemon.pid);
    assert_eq!(status["daemon"]["issues"], 0);
    assert!(
        status["daemon"]["resident_bytes"]
            .as_u64()
            .unwrap_or_default()
            > 0
    );
    assert!(status["daemon"]["open_fds"].as_u64().unwrap_or_default() > 0);
    let text = repo.ok(&["daemon", "status"]);
    assert!(
        text.starts_with(&format!("pid         {}\nversion     ", daemon.pid)),
        "{text}"
    );
    assert_eq!(
        repo.ok(&["daemon", "stop"]),
        format!("stopped the daemon (pid {}) with SIGTERM\n", daemon.pid)
    );
    assert!(
        !process_alive(daemon.pid),
        "stop returns only when the process is gone"
    );
    assert!(!socket(&repo).exists(), "the socket is removed");
    assert_no_daemon(&repo);
}

/// Under load (every core busy), `daemon stop` returns only once its
/// daemon has exited: not running, not sleeping, not exiting. (An exited
/// daemon stays in the process table as a zombie, holding nothing, until
/// its parent, init, collects it: ps lists it as <defunct> meanwhile.)
fn stop_returns_only_when_the_daemon_has_exited_under_load() {
    let repo = TestRepo::with_tracker();
    for n in 0..50 {
        repo.new_issue(&[&format!("Issue {n}")]);
    }
    let busy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let spinners: Vec<_> = (0..3)
        .map(|_| {
            let busy = std::sync::Arc::clone(&busy);
            std::thread::spawn(move || {
                let mut x = 0u64;
                while busy.load(std::sync::atomic::Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                }
            })
        })
        .collect();
    for _ in 0..10 {
        let daemon = DaemonGuard::start(&repo, &[]);
        let pid = daemon.pid;
        assert_eq!(repo.ok(&["list", "--format", "ids"]).lines().count(), 50);
        let stopped = repo.ok(&["daemon", "stop"]);
        assert_eq!(
            stopped,
            format!("stopped the daemon (pid {pid}) with SIGTERM\n")
        );
        assert!(
            !process_alive(pid),
            "pid {pid} still runs after `daemon stop`"
        );
        drop(daemon);
    }
    busy.store(false, std::sync::atomic::Ordering::Relaxed);
    for s in spinners {
        s.join().expect("spinner");
    }
}

fn one_daemon_per_worktree() {
    let repo = TestRepo::with_tracker();
    let daemon = DaemonGuard::start(&repo, &[]);
    let second = repo.run(&["daemon", "run", "--idle-timeout", "5"]);
    assert_eq!(second.code, 4, "{}", second.stderr);
    assert!(
        second.stderr.contains(&format!(
            "a daemon already serves this worktree (pid {})",
            daemon.pid
        )),
        "{}",
        second.stderr
    );
    assert!(process_alive(daemon.pid));
}

fn answers_are_exact_right_after_a_hand_write() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Version 0"]);
    let _daemon = DaemonGuard::start(&repo, &[]);
    let path = repo.issues_dir().join(format!("{id}.yaml"));
    let template = std::fs::read_to_string(&path).expect("read");
    // straight to the socket: a query right after the write, with no
    // process start in between to give the daemon time
    let mut client = yit::daemon::Client::connect(
        &yit::daemon::Paths::new(&repo.root().join(".git/yit")),
        repo.root(),
    )
    .expect("the daemon answers");
    let query: yit::query::ListQuery = serde_json::from_value(serde_json::json!({
        "statuses": [], "labels": [], "assignee": null, "priorities": [], "kinds": [], "all": true,
        "sort": "priority", "reverse": false, "limit": null, "details": false
    }))
    .expect("query");
    for n in 1..=1000 {
        let title = format!("Version {n}");
        // alternate in-place writes and editor-style renames
        if n % 2 == 0 {
            std::fs::write(
                &path,
                template.replace("title: Version 0", &format!("title: {title}")),
            )
            .expect("write");
        } else {
            let tmp = repo.issues_dir().join(".save.tmp");
            std::fs::write(
                &tmp,
                template.replace("title: Version 0", &format!("title: {title}")),
            )
            .expect("write");
            std::fs::rename(&tmp, &path).expect("rename");
        }
        let answer = client
            .request(&yit::daemon::protocol::Request::List {
                query: query.clone(),
            })
            .expect("answer");
        let yit::daemon::protocol::Response::List(result) = answer else {
            panic!("unexpected answer {answer:?}")
        };
        assert_eq!(result.records[0].title, title, "write {n} was missed");
    }
}

fn answers_equal_those_without_the_daemon() {
    let repo = TestRepo::with_tracker();
    let _daemon = DaemonGuard::start(&repo, &[]);
    let a = repo.new_issue(&["Alpha", "-l", "x"]);
    let b = repo.new_issue(&["Bravo", "-p", "0"]);
    repo.ok(&["close", &a]);
    repo.ok(&["comment", &b, "hello"]);
    repo.write_issue_file("0000000001.yaml", b"id: 0000000001\ntitle: [broken\n");
    repo.write_issue_file("notes.yaml", b"not an issue\n");
    let tmp = repo.issues_dir().join(".swap");
    std::fs::write(
        &tmp,
        repo.read_issue_file(&b).replace("Bravo", "Bravo edited"),
    )
    .expect("write");
    std::fs::rename(&tmp, repo.issues_dir().join(format!("{b}.yaml"))).expect("rename");
    for args in [
        vec!["list", "--all", "--json"],
        vec!["list", "--all"],
        vec!["list", "--label", "x", "--all", "--format", "jsonl"],
        vec![
            "list",
            "--sort",
            "id",
            "--reverse",
            "--limit",
            "1",
            "--format",
            "ids",
        ],
    ] {
        let through = repo.run(&args);
        let mut plain_args = args.clone();
        plain_args.push("--no-daemon");
        let plain = repo.run(&plain_args);
        assert_eq!(
            (through.code, &through.stdout, &through.stderr),
            (plain.code, &plain.stdout, &plain.stderr),
            "{args:?}"
        );
        assert_eq!(through.code, 3, "the broken files are reported either way");
    }
    // edits print the same short ids with and without it
    let with = repo.ok(&["edit", &a, "--priority", "1"]);
    let without = repo.ok(&["edit", &a, "--priority", "2", "--no-daemon"]);
    assert_eq!(with.replace("edited", ""), without.replace("edited", ""));
    // prefixes resolve through the daemon as they do through a listing
    let with = repo.ok(&["label", "add", &a[..6], "y"]);
    let without = repo.ok(&["label", "rm", &a[..6], "y", "--no-daemon"]);
    let words = |s: &str| {
        s.split_whitespace()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(words(&with), words(&without));
    let with = repo.run(&["close", "zzzzzz"]);
    let without = repo.run(&["close", "zzzzzz", "--no-daemon"]);
    assert_eq!((with.code, with.stderr), (without.code, without.stderr));
}

fn exits_cleanly_on_sigterm() {
    let repo = TestRepo::with_tracker();
    let daemon = DaemonGuard::start(&repo, &[]);
    assert!(common::signal(daemon.pid, rustix::process::Signal::TERM));
    assert!(
        wait_until(PATIENCE, || !process_alive(daemon.pid)),
        "SIGTERM ends it"
    );
    assert!(!socket(&repo).exists(), "socket removed");
    assert_no_daemon(&repo);
    let log = std::fs::read_to_string(repo.root().join(".git/yit/daemon.log")).expect("log");
    assert!(log.contains("exiting: Signal"), "{log}");
}

fn exits_when_idle() {
    let repo = TestRepo::with_tracker();
    let daemon = DaemonGuard::start(&repo, &["--idle-timeout", "0.3"]);
    assert!(
        wait_until(PATIENCE, || !process_alive(daemon.pid)),
        "the idle timeout ends it"
    );
    assert!(!socket(&repo).exists());
}

fn exits_when_the_issues_directory_goes() {
    let repo = TestRepo::with_tracker();
    let daemon = DaemonGuard::start(&repo, &[]);
    std::fs::remove_dir_all(repo.issues_dir()).expect("remove");
    assert!(
        wait_until(PATIENCE, || !process_alive(daemon.pid)),
        "it ends with its worktree"
    );
}

fn exits_with_its_owner_and_its_lifeline() {
    let repo = TestRepo::with_tracker();
    let sleeper = Spawned::new(repo.program("sleep", &["60"]).spawn().expect("sleep"));
    let owner = sleeper.id().to_string();
    let daemon = DaemonGuard::start(&repo, &["--exit-with-pid", &owner]);
    drop(sleeper);
    assert!(
        wait_until(PATIENCE, || !process_alive(daemon.pid)),
        "it ends with its owner"
    );
    drop(daemon);

    let (reader, writer) = std::io::pipe().expect("pipe");
    rustix::io::fcntl_setfd(&reader, rustix::io::FdFlags::empty()).expect("inheritable");
    let mut cmd = repo.cmd(&["daemon", "start"]);
    cmd.env("YIT_LIFELINE_FD", reader.as_raw_fd().to_string());
    let out = cmd.output().expect("start");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(reader);
    let pid = common::yit_processes_in(repo.root())
        .first()
        .map(|(pid, _)| *pid)
        .expect("running");
    drop(writer);
    assert!(
        wait_until(PATIENCE, || !process_alive(pid)),
        "it ends when its lifeline closes"
    );
}

/// One response: its length in bytes on a line, then that many bytes
/// (one line, or a `list`'s head and record lines).
fn read_answer(reader: &mut BufReader<UnixStream>) -> String {
    let mut header = String::new();
    reader.read_line(&mut header).expect("length");
    let len: usize = header.trim_end().parse().expect("a length comes first");
    let mut answer = vec![0; len];
    reader.read_exact(&mut answer).expect("answer");
    let answer = String::from_utf8(answer).expect("UTF-8");
    assert!(answer.ends_with('\n'));
    answer
}

/// A connection to the daemon, and its greeting.
fn connect(repo: &TestRepo) -> (UnixStream, BufReader<UnixStream>, serde_json::Value) {
    let stream = UnixStream::connect(socket(repo)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    let writer = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    let mut hello = String::new();
    reader.read_line(&mut hello).expect("hello");
    let hello = serde_json::from_str(&hello).expect("hello is JSON");
    (writer, reader, hello)
}

/// A `list` of every match is assembled from the rows the daemon keeps; a
/// limited one is encoded from records. Both must be the same bytes, which
/// read as the protocol says: an answer a client could not read would be
/// replaced by a scan, and the tests comparing outputs would still pass.
fn full_list_answers_read_as_the_protocol_says() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&[
        "Alpha \"quoted\" \\ ünïcode",
        "-p",
        "0",
        "-l",
        "x",
        "-l",
        "y",
    ]);
    repo.new_issue(&["Bravo", "-a", "Bob <bob@example.com>"]);
    let c = repo.new_issue(&["Charlie"]);
    repo.ok(&["dep", "add", &a, &c]);
    repo.write_issue_file("0000000001.yaml", b"id: 0000000001\ntitle: [broken\n");
    let _daemon = DaemonGuard::start(&repo, &[]);
    let (mut writer, mut reader, _) = connect(&repo);
    let mut ask = |filter: &str, limit: &str| {
        let request = format!(
            "{{\"op\":\"list\",\"query\":{{\"statuses\":[],\"labels\":[],\"assignee\":null,\
             \"priorities\":[],\"kinds\":[],\"all\":false,\"sort\":\"priority\",\
             \"reverse\":false,\"limit\":{limit},\"details\":false,\"filter\":{filter},\
             \"count\":false}}}}"
        );
        writeln!(writer, "{request}").expect("send");
        read_answer(&mut reader)
    };
    let ready = r#"{"terms":[{"negated":false,"test":{"Is":["Ready"]}}]}"#;
    for (filter, expected) in [("null", 3), (ready, 2)] {
        let full = ask(filter, "null");
        let limited = ask(filter, "1000");
        assert_eq!(full, limited, "the two encodings of the same answer");
        let Ok(yit::daemon::protocol::Response::List(result)) = yit::daemon::parse(full.as_bytes())
        else {
            panic!("not a list answer: {full}");
        };
        assert_eq!(result.records.len(), expected, "{full}");
        assert_eq!(result.broken_files, 1);
        assert_eq!(full.lines().count(), 1 + expected);
    }
}

fn hostile_socket_input_harms_nothing() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Still here"]);
    let daemon = DaemonGuard::start(&repo, &[]);
    let (mut writer, mut reader, hello) = connect(&repo);
    assert_eq!(hello["protocol"], yit::daemon::protocol::PROTOCOL_VERSION);
    assert_eq!(hello["pid"], daemon.pid);
    for garbage in [
        "not json",
        "{\"op\":\"explode\"}",
        "{\"op\":\"list\",\"query\":5}",
        "\u{0}\u{1}\u{2}",
        "[]",
    ] {
        writeln!(writer, "{garbage}").expect("send");
        let answer = read_answer(&mut reader);
        let answer: serde_json::Value = serde_json::from_str(&answer).expect("answer is JSON");
        assert!(
            answer["error"]["message"].is_string(),
            "{garbage:?}: {answer}"
        );
    }
    writeln!(writer, "{{\"op\":\"status\"}}").expect("send");
    let answer = read_answer(&mut reader);
    assert!(answer.contains("\"status\""), "{answer}");
    // an endless line is cut off, not buffered
    let big = vec![b'x'; 2 << 20];
    let _ = writer.write_all(&big);
    drop(writer);
    drop(reader);
    assert!(process_alive(daemon.pid));
    assert_eq!(
        repo.run(&["list", "--format", "ids"])
            .stdout
            .lines()
            .count(),
        1
    );
}

fn a_stale_pidfile_and_socket_are_not_a_daemon() {
    let repo = TestRepo::with_tracker();
    let state = repo.root().join(".git/yit");
    std::fs::create_dir_all(&state).expect("state");
    std::fs::write(state.join("daemon.pid"), "{\"pid\": 999999}\n").expect("pidfile");
    drop(std::os::unix::net::UnixListener::bind(state.join("daemon.sock")).expect("stale socket"));
    assert_no_daemon(&repo);
    assert_eq!(
        repo.ok(&["list", "--format", "ids"]),
        "",
        "a stale socket is no daemon: answered from the files"
    );
    let daemon = DaemonGuard::start(&repo, &[]);
    assert!(process_alive(daemon.pid));
}

fn start_stop_cycles_leave_nothing_behind() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Cycled"]);
    let state = repo.root().join(".git/yit");
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(&state)
            .expect("state")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    drop(DaemonGuard::start(&repo, &[]));
    let processes = || common::yit_processes_in(repo.root()).len();
    assert!(wait_until(PATIENCE, || processes() == 0));
    let (fds, names) = (common::open_fds(), files());
    for n in 0..100 {
        let daemon = DaemonGuard::start(&repo, &[]);
        if n % 10 == 0 {
            assert_eq!(repo.ok(&["list", "--format", "ids"]).lines().count(), 1);
        }
        drop(daemon);
    }
    assert!(
        wait_until(Duration::from_millis(500), || processes() == 0),
        "a daemon outlived its stop"
    );
    assert!(
        wait_until(Duration::from_millis(500), || common::open_fds() == fds),
        "descriptors: {fds} then {}",
        common::open_fds()
    );
    assert_eq!(files(), names, "the state dir holds the same files");
}

fn memory_stays_flat_under_many_events() {
    let repo = TestRepo::with_tracker();
    let ids: Vec<String> = (0..10)
        .map(|n| repo.new_issue(&[&format!("Churn {n}")]))
        .collect();
    let daemon = DaemonGuard::start(&repo, &[]);
    let texts: Vec<(std::path::PathBuf, String)> = ids
        .iter()
        .map(|id| {
            (
                repo.issues_dir().join(format!("{id}.yaml")),
                repo.read_issue_file(id),
            )
        })
        .collect();
    let rss = || {
        repo.run(&["daemon", "status", "--json"]).json()["daemon"]["resident_bytes"]
            .as_u64()
            .expect("rss")
    };
    let churn = |rounds: usize| {
        for round in 0..rounds {
            let (path, text) = &texts[round % texts.len()];
            std::fs::write(
                path,
                text.replace(
                    "priority: 2",
                    if round % 2 == 0 {
                        "priority: 3"
                    } else {
                        "priority: 2"
                    },
                ),
            )
            .expect("write");
        }
        // wait until the daemon has seen everything
        repo.ok(&["list", "--format", "ids"]);
    };
    churn(5_000);
    let warm = rss();
    churn(50_000);
    let after = rss();
    assert!(
        after <= warm + 2 * 1024 * 1024,
        "resident memory grew from {warm} to {after} bytes over 50,000 events"
    );
    assert!(process_alive(daemon.pid));
}

fn works_where_the_socket_path_is_too_long_for_an_address() {
    let repo = TestRepo::new();
    let deep = repo.outside().join("a".repeat(60)).join("b".repeat(60));
    std::fs::create_dir_all(&deep).expect("deep dir");
    let git = |args: &[&str]| {
        let out = repo
            .program("git", args)
            .current_dir(&deep)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    let at = |args: &[&str]| {
        let mut all = vec!["-C", deep.to_str().expect("utf-8")];
        all.extend_from_slice(args);
        repo.run(&all)
    };
    assert_eq!(at(&["init", "-q"]).code, 0);
    assert!(deep.join(".git/yit/daemon.sock").as_os_str().len() > 108);
    let me = std::process::id().to_string();
    let started = at(&["daemon", "start", "--exit-with-pid", &me]);
    assert_eq!(started.code, 0, "{}", started.stderr);
    let id = at(&["new", "Deep", "--json"]).json()["issue"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let status = at(&["daemon", "status", "--json"]).json();
    assert_eq!(status["daemon"]["issues"], 1, "{status}");
    assert_eq!(at(&["list", "--format", "ids"]).stdout, format!("{id}\n"));
    assert_eq!(at(&["daemon", "stop"]).code, 0);
}

fn random_histories_agree_with_and_without_the_daemon() {
    for seed in 0..4u64 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let repo = TestRepo::with_tracker();
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-qm", "init"]);
        let _daemon = DaemonGuard::start(&repo, &[]);
        let mut history = Vec::new();
        for _ in 0..15 {
            let files: Vec<std::path::PathBuf> = std::fs::read_dir(repo.issues_dir())
                .map(|d| {
                    d.map(|e| e.expect("entry").path())
                        .filter(|p| {
                            p.extension().is_some_and(|e| e == "yaml")
                                && !p.ends_with("config.yaml")
                        })
                        .collect()
                })
                .unwrap_or_default();
            let pick = |rng: &mut fastrand::Rng| {
                (!files.is_empty()).then(|| files[rng.usize(..files.len())].clone())
            };
            let step = rng.usize(..12);
            history.push(step);
            let id_of =
                |f: &std::path::Path| f.file_stem().expect("stem").to_string_lossy().into_owned();
            // the issues whose links a step changed, shown after it
            let mut linked: Vec<String> = Vec::new();
            match step {
                0 | 1 => {
                    let _ = repo.run(&["new", &format!("Issue {}", rng.u8(..)), "-l", "x"]);
                }
                2 => {
                    if let Some(f) = pick(&mut rng) {
                        let id = f.file_stem().expect("stem").to_string_lossy().into_owned();
                        let _ = repo.run(&["edit", &id, "--priority", &rng.u8(..5).to_string()]);
                    }
                }
                3 => {
                    if let Some(f) = pick(&mut rng) {
                        let text = std::fs::read_to_string(&f).unwrap_or_default();
                        std::fs::write(&f, text.replacen("Issue", "Isxue", 1)).expect("in place");
                    }
                }
                4 => {
                    if let Some(f) = pick(&mut rng) {
                        let text = std::fs::read_to_string(&f).unwrap_or_default();
                        let tmp = f.with_extension("swp");
                        std::fs::write(&tmp, text + "# by hand\n").expect("write");
                        std::fs::rename(&tmp, &f).expect("rename");
                    }
                }
                5 => {
                    if let Some(f) = pick(&mut rng) {
                        std::fs::remove_file(f).expect("remove");
                    }
                }
                6 => {
                    repo.git(&["add", "-A"]);
                    repo.git(&["commit", "-qm", "step", "--allow-empty"]);
                    let branch = if repo.git(&["branch", "--show-current"]).trim() == "main" {
                        "other"
                    } else {
                        "main"
                    };
                    if repo.git(&["branch", "--list", branch]).trim().is_empty() {
                        repo.git(&["branch", branch, "HEAD~1"]);
                    }
                    repo.git(&["checkout", "-q", branch]);
                }
                7 => {
                    // a twin sharing all but the last character: both need
                    // long short ids, until one goes
                    if let Some(f) = pick(&mut rng) {
                        let id = f.file_stem().expect("stem").to_string_lossy().into_owned();
                        let mut twin = id.clone();
                        twin.pop();
                        twin.push(if id.ends_with('z') { 'y' } else { 'z' });
                        let path = repo.issues_dir().join(format!("{twin}.yaml"));
                        if !path.exists() {
                            let text = std::fs::read_to_string(&f).unwrap_or_default();
                            let text =
                                text.replacen(&format!("id: {id}"), &format!("id: {twin}"), 1);
                            std::fs::write(path, text).expect("twin");
                        }
                    }
                }
                9 => {
                    if let (Some(a), Some(b)) = (pick(&mut rng), pick(&mut rng)) {
                        let _ = repo.run(&["dep", "add", &id_of(&a), &id_of(&b)]);
                        linked.extend([id_of(&a), id_of(&b)]);
                    }
                }
                10 => {
                    if let (Some(a), Some(b)) = (pick(&mut rng), pick(&mut rng)) {
                        let _ = repo.run(&["edit", &id_of(&a), "--parent", &id_of(&b)]);
                        linked.extend([id_of(&a), id_of(&b)]);
                    }
                }
                11 => {
                    // links dropped by hand, in place (the directory does
                    // not change)
                    if let Some(f) = pick(&mut rng) {
                        linked.push(id_of(&f));
                        let text = std::fs::read_to_string(&f).unwrap_or_default();
                        let mut in_deps = false;
                        let kept: Vec<&str> = text
                            .lines()
                            .filter(|l| {
                                in_deps = (in_deps && l.starts_with("  - ")) || *l == "depends_on:";
                                let dependency = in_deps && l.starts_with("  - ");
                                !(l.starts_with("parent:") || dependency)
                            })
                            .map(|l| {
                                if l == "depends_on:" {
                                    "depends_on: []"
                                } else {
                                    l
                                }
                            })
                            .collect();
                        std::fs::write(&f, kept.join("\n") + "\n").expect("in place");
                    }
                }
                _ => {
                    if repo.git(&["stash", "list"]).trim().is_empty() {
                        let _ = repo.program("git", &["stash", "-q", "-u"]).output();
                    } else {
                        let _ = repo.program("git", &["stash", "pop", "-q"]).output();
                    }
                }
            }
            // every order the daemon keeps, each way, with and without a limit
            let queries: [&[&str]; 6] = [
                &["list", "--all", "--json"],
                // (assembled from the rows the daemon keeps, short ids too)
                &["list", "--all"],
                &["list", "--sort", "created", "--format", "jsonl"],
                &[
                    "list",
                    "--all",
                    "--sort",
                    "updated",
                    "--reverse",
                    "--limit",
                    "3",
                ],
                &["list", "--sort", "id", "--reverse", "--format", "ids"],
                &["list", "--all", "--limit", "2", "--format", "ids"],
            ];
            for query in queries {
                let daemon = repo.run(query);
                let index = repo.run(&[query, &["--no-daemon"]].concat());
                let mut others = vec![("index", index)];
                if query == queries[0] {
                    // (tests/index.rs compares the index with the files)
                    others.push(("files", repo.run(&[query, &["--no-index"]].concat())));
                }
                for (name, other) in &others {
                    assert_eq!(
                        (daemon.code, &daemon.stdout, &daemon.stderr),
                        (other.code, &other.stdout, &other.stderr),
                        "seed {seed}: {query:?}: the daemon and the {name} disagree after steps {history:?}"
                    );
                }
            }
            // what is around an issue: from the daemon's reverse edges, the
            // index's, and every file
            linked.extend(files.iter().take(2).map(|f| id_of(f)));
            for id in linked {
                let daemon = repo.run(&["show", &id, "--json"]);
                for way in ["--no-daemon", "--no-index"] {
                    let other = repo.run(&["show", &id, "--json", way]);
                    assert_eq!(
                        (daemon.code, &daemon.stdout, &daemon.stderr),
                        (other.code, &other.stdout, &other.stderr),
                        "seed {seed}: show {id}: the daemon and {way} disagree after steps {history:?}"
                    );
                }
            }
        }
    }
}

fn opening_the_store_ten_thousand_times_leaks_no_descriptor() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Opened"]);
    let open = || {
        let tracker = yit::store::Tracker::open(repo.root()).expect("open");
        let scan = tracker
            .scan(yit::store::ScanMode::Index { details: false })
            .expect("scan");
        assert_eq!(scan.issues.len(), 1);
    };
    open();
    let fds = common::open_fds();
    for _ in 0..10_000 {
        open();
    }
    assert_eq!(common::open_fds(), fds);
}

fn autostart_starts_one_daemon_when_the_clone_asks() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Auto"]);
    assert_eq!(repo.ok(&["list", "--format", "ids"]).lines().count(), 1);
    // nothing starts in a small tracker, nor where the user said no
    assert_no_daemon(&repo);
    repo.git(&["config", "yit.autostart", "true"]);
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = repo.cmd(&["list", "--format", "ids"]);
            cmd.stdout(std::process::Stdio::piped());
            Spawned::new(cmd.spawn().expect("list"))
        })
        .collect();
    for run in runs {
        let out = run.wait_output();
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    }
    // the commands did not wait for it: it serves soon after
    assert!(wait_until(PATIENCE, || repo
        .run(&["daemon", "status", "--json"])
        .json()["daemon"]["worktree"]
        .is_string()));
    let daemons = common::yit_processes_in(repo.root());
    assert_eq!(daemons.len(), 1, "exactly one daemon: {daemons:?}");
    assert_eq!(repo.ok(&["daemon", "stop"]).lines().count(), 1);
}

/// `count` issue files, copies of one made by `yit new` under other ids.
fn many_issues(repo: &TestRepo, count: usize) {
    let first = repo.new_issue(&["Number 0"]);
    let text = repo.read_issue_file(&first);
    const DIGITS: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    for n in 1..count {
        let mut id = String::from("zz");
        let mut rest = n;
        for _ in 0..8 {
            id.insert(2, DIGITS[rest % 32] as char);
            rest /= 32;
        }
        let copy = text
            .replace(&format!("id: {first}"), &format!("id: {id}"))
            .replace("Number 0", &format!("Number {n}"));
        repo.write_issue_file(&format!("{id}.yaml"), copy.as_bytes());
    }
}

fn a_large_tracker_starts_its_daemon_by_itself_and_says_so_once() {
    let repo = TestRepo::with_tracker();
    many_issues(&repo, 5_000);
    // the user's own setting unset: the default holds
    repo.git(&["config", "--global", "--unset", "yit.autostart"]);
    // the first read builds the index, which is what tells the size
    let first = repo.run(&["list", "--limit", "1", "--format", "ids"]);
    assert_eq!((first.code, first.stderr.as_str()), (0, ""));
    assert!(common::yit_processes_in(repo.root()).is_empty());
    // the next starts one, answers without waiting for it, and says so once
    let started = repo.run(&["list", "--limit", "1", "--format", "ids"]);
    assert_eq!(started.code, 0, "{}", started.stderr);
    assert_eq!(started.stdout, first.stdout, "answered from the files");
    assert_eq!(started.stderr.lines().count(), 1, "{}", started.stderr);
    for said in [
        "started a daemon for this worktree (this tracker has 5000 issues)",
        "`yit daemon stop`",
        "`git config yit.autostart false`",
    ] {
        assert!(started.stderr.contains(said), "{}", started.stderr);
    }
    assert_eq!(common::yit_processes_in(repo.root()).len(), 1);
    let status = repo.run(&["daemon", "status", "--json"]).json();
    assert_eq!(status["running"], true, "starting or serving: {status}");
    assert!(wait_until(PATIENCE, || repo
        .run(&["daemon", "status", "--json"])
        .json()["daemon"]["worktree"]
        .is_string()));
    let served = repo.run(&["list", "--limit", "1", "--format", "ids"]);
    assert_eq!(
        (served.stdout, served.stderr),
        (first.stdout.clone(), String::new())
    );
    repo.ok(&["daemon", "stop"]);
    // stopped, it starts again with the next command, said no more
    let again = repo.run(&["list", "--limit", "1", "--format", "ids"]);
    assert_eq!((again.code, again.stderr.as_str()), (0, ""));
    assert!(wait_until(PATIENCE, || common::yit_processes_in(
        repo.root()
    )
    .len()
        == 1));
    repo.ok(&["daemon", "stop"]);
    // the clone's no, the user's no (the clone's word wins over the user's)
    let none_starts = |repo: &TestRepo| {
        let out = repo.run(&["list", "--limit", "1", "--format", "ids"]);
        assert_eq!((out.code, out.stderr.as_str()), (0, ""));
        assert!(common::yit_processes_in(repo.root()).is_empty());
        assert_no_daemon(repo);
    };
    repo.git(&["config", "yit.autostart", "false"]);
    none_starts(&repo);
    repo.git(&["config", "--unset", "yit.autostart"]);
    repo.git(&["config", "--global", "yit.autostart", "false"]);
    none_starts(&repo);
    repo.git(&["config", "yit.autostart", "true"]);
    repo.ok(&["list", "--limit", "1"]);
    assert!(wait_until(PATIENCE, || common::yit_processes_in(
        repo.root()
    )
    .len()
        == 1));
    repo.ok(&["daemon", "stop"]);
    // --no-daemon never starts one
    repo.git(&["config", "--unset", "yit.autostart"]);
    repo.git(&["config", "--global", "--unset", "yit.autostart"]);
    repo.ok(&["list", "--limit", "1", "--no-daemon"]);
    assert!(common::yit_processes_in(repo.root()).is_empty());
    // a linked worktree has its own index and its own daemon, started the
    // same way (its first read builds its index) and said once there too
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    let worktree = repo.worktree_of(repo.root(), "second", "second");
    repo.ok_in(&worktree, &["list", "--limit", "1"]);
    assert!(common::yit_processes_in(&worktree).is_empty());
    let there = repo.run_in(&worktree, &["list", "--limit", "1", "--format", "ids"]);
    assert!(
        there.stderr.contains("started a daemon for this worktree"),
        "{}",
        there.stderr
    );
    assert!(wait_until(PATIENCE, || common::yit_processes_in(&worktree)
        .len()
        == 1));
    assert!(
        common::yit_processes_in(repo.root()).is_empty(),
        "the other worktree's reads start no daemon here"
    );
    repo.ok_in(&worktree, &["daemon", "stop"]);
}

fn a_small_tracker_starts_no_daemon_by_default() {
    let repo = TestRepo::with_tracker();
    many_issues(&repo, 50);
    repo.git(&["config", "--global", "--unset", "yit.autostart"]);
    for _ in 0..3 {
        let out = repo.run(&["list", "--limit", "1", "--format", "ids"]);
        assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    }
    assert!(common::yit_processes_in(repo.root()).is_empty());
    assert_no_daemon(&repo);
}

fn gc_stops_daemons_that_serve_nothing() {
    let repo = TestRepo::with_tracker();
    let daemon = DaemonGuard::start(&repo, &[]);
    let under = repo
        .root()
        .parent()
        .expect("temp dir")
        .to_str()
        .expect("utf-8")
        .to_owned();
    // something that looks like a daemon of this worktree but does not hold its lock
    let mut fake = repo.program(
        "bash",
        &["-c", "exec -a yit tail -f /dev/null daemon run 2>/dev/null"],
    );
    fake.stdout(std::process::Stdio::null());
    let fake = Spawned::new(fake.spawn().expect("fake daemon"));
    let cmdline = format!("/proc/{}/cmdline", fake.id());
    assert!(wait_until(PATIENCE, || std::fs::read(&cmdline)
        .is_ok_and(|c| c.starts_with(b"yit\0"))));
    let out = repo.ok(&["daemon", "gc", "--under", &under]);
    assert!(
        out.contains(&format!(
            "{:<8} stopped (it does not hold its worktree's lock)",
            fake.id()
        )),
        "{out}"
    );
    assert!(out.contains(&format!("{:<8} serving", daemon.pid)), "{out}");
    assert!(process_alive(daemon.pid));
    let out = repo.ok(&["daemon", "gc", "--under", &under, "--all"]);
    assert!(
        out.contains(&format!("{:<8} stopped (--all)", daemon.pid)),
        "{out}"
    );
    assert!(wait_until(PATIENCE, || !process_alive(daemon.pid)));
    drop(fake);
}

fn main() {
    let mut tests: Vec<common::SessionTest> = vec![
        (
            "stop_returns_only_when_the_daemon_has_exited_under_load",
            stop_returns_only_when_the_daemon_has_exited_under_load,
            true,
        ),
        (
            "start_status_stop_say_what_they_did",
            start_status_stop_say_what_they_did,
            false,
        ),
        ("one_daemon_per_worktree", one_daemon_per_worktree, false),
        (
            "answers_are_exact_right_after_a_hand_write",
            answers_are_exact_right_after_a_hand_write,
            false,
        ),
        (
            "answers_equal_those_without_the_daemon",
            answers_equal_those_without_the_daemon,
            false,
        ),
        ("exits_cleanly_on_sigterm", exits_cleanly_on_sigterm, false),
        ("exits_when_idle", exits_when_idle, false),
        (
            "exits_when_the_issues_directory_goes",
            exits_when_the_issues_directory_goes,
            false,
        ),
        (
            "exits_with_its_owner_and_its_lifeline",
            exits_with_its_owner_and_its_lifeline,
            false,
        ),
        (
            "hostile_socket_input_harms_nothing",
            hostile_socket_input_harms_nothing,
            false,
        ),
        (
            "full_list_answers_read_as_the_protocol_says",
            full_list_answers_read_as_the_protocol_says,
            false,
        ),
        (
            "a_stale_pidfile_and_socket_are_not_a_daemon",
            a_stale_pidfile_and_socket_are_not_a_daemon,
            false,
        ),
        (
            "works_where_the_socket_path_is_too_long_for_an_address",
            works_where_the_socket_path_is_too_long_for_an_address,
            false,
        ),
        (
            "random_histories_agree_with_and_without_the_daemon",
            random_histories_agree_with_and_without_the_daemon,
            false,
        ),
        (
            "opening_the_store_ten_thousand_times_leaks_no_descriptor",
            opening_the_store_ten_thousand_times_leaks_no_descriptor,
            true,
        ),
        (
            "autostart_starts_one_daemon_when_the_clone_asks",
            autostart_starts_one_daemon_when_the_clone_asks,
            false,
        ),
        (
            "a_large_tracker_starts_its_daemon_by_itself_and_says_so_once",
            a_large_tracker_starts_its_daemon_by_itself_and_says_so_once,
            false,
        ),
        (
            "a_small_tracker_starts_no_daemon_by_default",
            a_small_tracker_starts_no_daemon_by_default,
            false,
        ),
        (
            "gc_stops_daemons_that_serve_nothing",
            gc_stops_daemons_that_serve_nothing,
            true,
        ),
        (
            "start_stop_cycles_leave_nothing_behind",
            start_stop_cycles_leave_nothing_behind,
            true,
        ),
        (
            "memory_stays_flat_under_many_events",
            memory_stays_flat_under_many_events,
            true,
        ),
    ];
    tests.extend(faults::tests());
    common::run_session("daemon", tests);
}
