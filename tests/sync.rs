//! `yit sync` between clones of one bare remote, with real git: changes to
//! different fields of the same issues all arrive, two edits of the same
//! field are recorded as conflicts on both sides, two syncs at once both
//! end pushed, and a remote that cannot be reached changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::TestRepo;

/// A tracker of `n` committed issues and clones `a` and `b` of its bare
/// remote.
fn two_clones(n: usize) -> (TestRepo, Vec<String>, PathBuf, PathBuf) {
    let repo = TestRepo::with_tracker();
    let ids: Vec<String> = (0..n)
        .map(|i| {
            repo.new_issue(&[
                &format!("Issue {i}: ünïcode and a body"),
                "--body",
                "Some **Markdown**\n\n- a list\n",
            ])
        })
        .collect();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    let clones = repo.clones_of_bare(&["a", "b"]);
    let (a, b) = (clones[0].clone(), clones[1].clone());
    (repo, ids, a, b)
}

/// Every file of `.issues/` in `dir`.
fn issue_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir.join(".issues"))
        .expect("issues dir")
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

fn sync(repo: &TestRepo, dir: &Path) -> serde_json::Value {
    let out = repo
        .cmd(&["sync", "--json"])
        .current_dir(dir)
        .output()
        .expect("yit runs");
    assert!(
        out.status.success(),
        "sync in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn two_clones_converge_keeping_every_field_and_recording_the_clashes() {
    let (repo, ids, a, b) = two_clones(22);
    let (fields, clashes) = ids.split_at(20);
    for id in fields {
        repo.ok_in(&a, &["edit", id, "--priority", "0"]);
    }
    let mut label = vec!["label", "add"];
    label.extend(fields.iter().map(String::as_str));
    label.push("synced");
    repo.ok_in(&b, &label);
    for id in clashes {
        repo.ok_in(&a, &["edit", id, "--title", "Title from a"]);
        repo.ok_in(&b, &["edit", id, "--title", "Title from b"]);
    }
    let first = sync(&repo, &a);
    assert!(first["committed"].is_string(), "{first}");
    assert_eq!(first["conflicts"], serde_json::json!([]));
    let second = sync(&repo, &b);
    assert_eq!(second["integrated"], "merge", "{second}");
    let mut expected: Vec<&str> = clashes.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(second["conflicts"], serde_json::json!(expected), "{second}");
    sync(&repo, &a);
    let last = sync(&repo, &b);
    assert_eq!(
        last["integrated"],
        serde_json::Value::Null,
        "nothing new: {last}"
    );
    assert_eq!(
        issue_files(&a),
        issue_files(&b),
        "the clones hold the same files"
    );
    for id in fields {
        let shown = repo.run_in(&a, &["show", id, "--json"]).json();
        assert_eq!(shown["issue"]["priority"], 0, "{id}");
        assert_eq!(
            shown["issue"]["labels"],
            serde_json::json!(["synced"]),
            "{id}"
        );
    }
    for id in clashes {
        let shown = repo.run_in(&b, &["show", id, "--json"]).json();
        let conflicts = shown["issue"]["conflicts"].as_array().expect("conflicts");
        assert_eq!(conflicts.len(), 1, "{shown}");
        let both = conflicts[0].to_string();
        assert!(
            both.contains("Title from a") && both.contains("Title from b"),
            "{both}"
        );
    }
    let conflicted = repo.run_in(&a, &["list", "is:conflicted", "--format", "ids"]);
    assert_eq!(
        conflicted.stdout.lines().count(),
        2,
        "{}",
        conflicted.stdout
    );
    // only issue files were committed by sync: the clone is clean
    assert_eq!(repo.git_in(&a, &["status", "--porcelain"]), "");
}

#[test]
fn two_syncs_at_once_both_end_pushed() {
    let (repo, ids, a, b) = two_clones(4);
    for round in 0..3 {
        repo.ok_in(&a, &["comment", &ids[0], &format!("from a, round {round}")]);
        repo.ok_in(&b, &["comment", &ids[1], &format!("from b, round {round}")]);
        let outs: Vec<_> = std::thread::scope(|s| {
            let runs: Vec<_> = [&a, &b]
                .into_iter()
                .map(|dir| {
                    let repo = &repo;
                    s.spawn(move || repo.cmd(&["sync", "--json"]).current_dir(dir).output())
                })
                .collect();
            runs.into_iter()
                .map(|r| r.join().expect("thread").expect("yit runs"))
                .collect()
        });
        for out in &outs {
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    sync(&repo, &a);
    sync(&repo, &b);
    assert_eq!(issue_files(&a), issue_files(&b));
    let comments = |dir: &Path, id: &str| {
        repo.run_in(dir, &["show", id, "--json"]).json()["issue"]["comments"]
            .as_array()
            .map(Vec::len)
    };
    assert_eq!(comments(&a, &ids[0]), Some(3));
    assert_eq!(comments(&a, &ids[1]), Some(3));
}

#[test]
fn a_remote_that_cannot_be_reached_changes_nothing() {
    let (repo, ids, a, _) = two_clones(2);
    repo.ok_in(&a, &["edit", &ids[0], "--priority", "1"]);
    repo.git_in(
        &a,
        &["remote", "set-url", "origin", "/nonexistent/origin.git"],
    );
    let head = repo.git_in(&a, &["rev-parse", "HEAD"]);
    let status = repo.git_in(&a, &["status", "--porcelain"]);
    let before = issue_files(&a);
    let out = repo
        .cmd(&["sync"])
        .current_dir(&a)
        .output()
        .expect("yit runs");
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not fetch from \"origin\"")
            && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert_eq!(repo.git_in(&a, &["rev-parse", "HEAD"]), head);
    assert_eq!(repo.git_in(&a, &["status", "--porcelain"]), status);
    assert_eq!(issue_files(&a), before);
    // a branch without an upstream is told how to get one
    repo.git_in(&a, &["checkout", "-q", "-b", "alone"]);
    let out = repo
        .cmd(&["sync"])
        .current_dir(&a)
        .output()
        .expect("yit runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git push -u origin alone"));
}

#[test]
fn watch_remote_tells_an_idle_agent_of_new_work_and_claims() {
    use std::io::BufRead;
    let (repo, ids, a, b) = two_clones(3);
    let mut cmd = repo.cmd(&["watch", "--remote", "--interval", "1", "--count", "2"]);
    cmd.current_dir(&a).stdout(std::process::Stdio::piped());
    let mut watch = crate::common::Spawned::new(cmd.spawn().expect("spawn yit watch"));
    let (tx, lines) = std::sync::mpsc::channel();
    let stdout = watch.stdout();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let next = || -> serde_json::Value {
        let line = lines
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("a line from yit watch --remote");
        serde_json::from_str(&line).expect("json line")
    };
    assert_eq!(next()["event"], "ready");
    // another clone changes an issue and syncs: this one hears of it
    repo.ok_in(&b, &["edit", &ids[0], "--priority", "0"]);
    repo.ok_in(&b, &["sync"]);
    let line = next();
    assert_eq!(line["event"], "remote", "{line}");
    assert_eq!(line["issues"], serde_json::json!([ids[0]]), "{line}");
    assert_eq!(line["claims"], serde_json::json!([]), "{line}");
    // ...and of a claim taken there
    repo.ok_in(&b, &["claim", &ids[1]]);
    let line = next();
    assert_eq!(line["claims"], serde_json::json!([ids[1]]), "{line}");
    assert!(watch.wait().success(), "ends after --count lines");
    // what it fetched is here: the claim is seen in this clone
    let shown = repo.run_in(&a, &["show", &ids[1], "--json"]).json();
    assert_eq!(shown["lease"]["holder"], "Ann Lee <ann@example.com>");
}
