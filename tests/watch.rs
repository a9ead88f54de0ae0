//! `yit watch`: a long-running yit process, so these tests run under a
//! session teardown (`harness = false`): every process they start carries a
//! session marker and inherits a lifeline pipe; after all tests, any process
//! still carrying the marker is killed and the run FAILS, naming it.

mod common;

use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::process::Stdio;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use common::{Spawned, TestRepo, wait_until};

const PATIENCE: Duration = Duration::from_secs(10);

/// A running `yit watch` and the lines it printed.
struct Watching {
    child: Option<Spawned>,
    lines: Receiver<String>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Watching {
    fn start(repo: &TestRepo, args: &[&str], env: &[(&str, String)]) -> Watching {
        let mut all = vec!["watch"];
        all.extend_from_slice(args);
        let mut cmd = repo.cmd(&all);
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = Spawned::new(cmd.spawn().expect("yit watch starts"));
        let stdout = child.stdout();
        let (tx, lines) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let watching = Watching {
            child: Some(child),
            lines,
            reader: Some(reader),
        };
        let ready = watching.next();
        assert_eq!(ready["event"], "ready", "{ready}");
        watching
    }

    /// The next event, waiting up to PATIENCE.
    fn next(&self) -> serde_json::Value {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => {
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
            }
            Err(RecvTimeoutError::Timeout) => panic!("no event within {PATIENCE:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("yit watch ended"),
        }
    }

    /// Waits for the process to exit by itself; its exit code.
    fn wait_exit(mut self) -> Option<i32> {
        let child = self.child.take().expect("running");
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            let _ = tx.send(status.code());
        });
        let code = rx.recv_timeout(PATIENCE).ok().flatten();
        // if it did not exit, the waiter's guard kills it when the test
        // fails below; the thread ends with the process
        assert!(code.is_some(), "yit watch did not exit within {PATIENCE:?}");
        waiter.join().expect("waiter");
        code
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        drop(self.child.take()); // kills and reaps
        if let Some(reader) = self.reader.take() {
            let _ = reader.join(); // ends when the pipe closes
        }
    }
}

fn reports_each_kind_of_change() {
    let repo = TestRepo::with_tracker();
    let first = repo.new_issue(&["Before watching"]);
    let watch = Watching::start(&repo, &[], &[]);

    let id = repo.new_issue(&["Watched"]);
    let event = watch.next();
    assert_eq!(
        (event["event"].as_str(), event["id"].as_str()),
        (Some("created"), Some(id.as_str()))
    );
    assert_eq!(event["issue"]["title"], "Watched");
    assert_eq!(event["short_id"], &id[..4]);

    repo.ok(&["close", &id]);
    let event = watch.next();
    assert_eq!(
        (event["event"].as_str(), event["issue"]["status"].as_str()),
        (Some("changed"), Some("closed"))
    );

    // an editor's save: write elsewhere, rename over
    let path = repo.issues_dir().join(format!("{id}.yaml"));
    let text = std::fs::read_to_string(&path).expect("read");
    let tmp = repo.issues_dir().join(".edit.tmp");
    std::fs::write(
        &tmp,
        text.replace("title: Watched", "title: Saved by an editor"),
    )
    .expect("write");
    std::fs::rename(&tmp, &path).expect("rename");
    let event = watch.next();
    assert_eq!(
        (event["event"].as_str(), event["issue"]["title"].as_str()),
        (Some("changed"), Some("Saved by an editor"))
    );

    std::fs::write(&path, "id: [broken\n").expect("break");
    let event = watch.next();
    assert_eq!(event["event"], "broken", "{event}");
    assert_eq!(event["problems"][0]["path"], format!(".issues/{id}.yaml"));

    repo.ok(&["rm", "--force", &first]);
    let event = watch.next();
    assert_eq!(
        (event["event"].as_str(), event["id"].as_str()),
        (Some("removed"), Some(first.as_str()))
    );
}

fn ends_when_the_issues_directory_disappears() {
    let repo = TestRepo::with_tracker();
    let watch = Watching::start(&repo, &[], &[]);
    std::fs::remove_dir_all(repo.issues_dir()).expect("remove");
    assert_eq!(watch.wait_exit(), Some(0));
}

fn ends_when_its_lifeline_closes() {
    let repo = TestRepo::with_tracker();
    let (reader, writer) = std::io::pipe().expect("pipe");
    rustix::io::fcntl_setfd(&reader, rustix::io::FdFlags::empty()).expect("inheritable");
    let watch = Watching::start(
        &repo,
        &[],
        &[("YIT_LIFELINE_FD", reader.as_raw_fd().to_string())],
    );
    drop(reader);
    drop(writer);
    assert_eq!(watch.wait_exit(), Some(0));
}

fn ends_with_the_process_it_lives_for() {
    let repo = TestRepo::with_tracker();
    let sleeper = Spawned::new(
        repo.program("sleep", &["60"])
            .spawn()
            .expect("sleep starts"),
    );
    let pid = sleeper.id().to_string();
    let watch = Watching::start(&repo, &["--exit-with-pid", &pid], &[]);
    drop(sleeper); // killed and reaped
    assert_eq!(watch.wait_exit(), Some(0));
}

fn start_stop_cycles_leave_nothing_behind() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Cycled"]);
    drop(Watching::start(&repo, &[], &[]));
    let processes = || common::yit_processes_in(repo.root()).len();
    assert!(wait_until(Duration::from_secs(5), || processes() == 0));
    let fds = common::open_fds();
    for _ in 0..20 {
        let watch = Watching::start(&repo, &[], &[]);
        repo.new_issue(&["More"]);
        assert_eq!(watch.next()["event"], "created");
        drop(watch);
    }
    assert!(
        wait_until(Duration::from_secs(5), || processes() == 0),
        "a yit process outlived its guard"
    );
    assert!(
        wait_until(Duration::from_millis(500), || common::open_fds() == fds),
        "descriptors: {} after the first cycle, {} after 21",
        fds,
        common::open_fds()
    );
}

fn the_session_sweep_finds_marked_processes() {
    let repo = TestRepo::with_tracker();
    let marker = format!("sweep-check-{}", std::process::id());
    let mut cmd = repo.program("sleep", &["60"]);
    cmd.env("YIT_TEST_SESSION", &marker);
    let sleeper = Spawned::new(cmd.spawn().expect("sleep starts"));
    let found = common::sweep_session(&marker);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, sleeper.id());
    let status = sleeper.wait();
    assert!(!status.success(), "the sweep killed it");
}

fn main() {
    common::run_session(
        "watch",
        vec![
            (
                "reports_each_kind_of_change",
                reports_each_kind_of_change,
                false,
            ),
            (
                "ends_when_the_issues_directory_disappears",
                ends_when_the_issues_directory_disappears,
                false,
            ),
            (
                "ends_when_its_lifeline_closes",
                ends_when_its_lifeline_closes,
                false,
            ),
            (
                "ends_with_the_process_it_lives_for",
                ends_with_the_process_it_lives_for,
                false,
            ),
            (
                "start_stop_cycles_leave_nothing_behind",
                start_stop_cycles_leave_nothing_behind,
                true,
            ),
            (
                "the_session_sweep_finds_marked_processes",
                the_session_sweep_finds_marked_processes,
                false,
            ),
        ],
    );
}
