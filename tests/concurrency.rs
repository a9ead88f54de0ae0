//! Many writers at once: exclusive creation never loses or overwrites an
//! issue, and readers never see a torn file.

use crate::common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Run, TestRepo};

#[test]
fn eight_writers_create_eight_hundred_issues_while_list_loops() {
    let repo = TestRepo::with_tracker();
    let writing = AtomicBool::new(true);
    let (created, lists) = std::thread::scope(|s| {
        let lister = s.spawn(|| {
            let mut runs = 0;
            let mut last = 0;
            while writing.load(Ordering::Relaxed) {
                let run = repo.run(&["list", "--json"]);
                assert_eq!(run.code, 0, "list failed while writers ran: {}", run.stderr);
                let count = run.json()["issues"].as_array().expect("issues").len();
                assert!(count >= last, "an issue disappeared: {last} -> {count}");
                last = count;
                runs += 1;
            }
            runs
        });
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let repo = &repo;
                s.spawn(move || {
                    (0..100)
                        .map(|n| {
                            let title = format!("writer {w} issue {n}");
                            let out = repo.ok(&["new", &title, "--label", &format!("w{w}")]);
                            out.trim().to_owned()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let created: Vec<String> = writers
            .into_iter()
            .flat_map(|w| w.join().expect("writer"))
            .collect();
        writing.store(false, Ordering::Relaxed);
        (created, lister.join().expect("lister"))
    });
    assert_eq!(created.len(), 800);
    assert!(lists > 0);
    let listed = repo.run(&["list", "--json"]).json();
    let issues = listed["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 800);
    let ids: HashSet<&str> = issues
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 800, "ids are distinct");
    let titles: HashSet<&str> = issues
        .iter()
        .map(|i| i["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles.len(), 800, "no issue was overwritten");
    for short in &created {
        assert!(
            ids.iter().any(|id| id.starts_with(short.as_str())),
            "{short} was printed but is not listed"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(repo.issues_dir())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .filter(|n| n.starts_with(".yit-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    repo.ok(&["doctor"]);
}

/// The labels of each issue, by id, as `list --all --json` reads them
/// (which first finishes any change a killed process left half made).
fn labels_by_id(repo: &TestRepo) -> std::collections::BTreeMap<String, Vec<String>> {
    let listed = repo.run(&["list", "--all", "--json", "--no-daemon"]).json();
    listed["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| {
            let labels = i["labels"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (i["id"].as_str().expect("id").to_owned(), labels)
        })
        .collect()
}

/// `args` run with a crash before the `n`-th file it writes.
fn crashing(repo: &TestRepo, args: &[&str], n: usize) -> Run {
    Run::from_output(
        repo.cmd(args)
            .env("YIT_TEST_CRASH_AFTER_FILES", n.to_string())
            .output()
            .expect("yit runs"),
    )
}

/// A change to several issues interrupted between two files (a crash at
/// a fixed point, then real SIGKILLs at any moment) is finished by the
/// next command: every issue has it, or none does. A file changed after
/// the interruption is never overwritten with the older change.
#[test]
fn a_change_to_several_issues_killed_midway_is_all_or_nothing() {
    let repo = TestRepo::with_tracker();
    let ids: Vec<String> = (0..8)
        .map(|n| repo.new_issue(&[&format!("Issue {n}")]))
        .collect();
    // a crash before the third of eight renames
    let mut args = vec!["label", "add"];
    args.extend(ids.iter().map(String::as_str));
    args.push("crashed");
    let run = crashing(&repo, &args, 2);
    assert_eq!(run.code, 86, "{}", run.stderr);
    let on_disk = ids
        .iter()
        .filter(|id| {
            std::fs::read_dir(repo.issues_dir())
                .expect("dir")
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(id.as_str()))
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("crashed")))
        })
        .count();
    assert_eq!(on_disk, 2, "two files were replaced before the crash");
    // one of the six left behind is changed by hand meanwhile: kept
    // (found by name: a command would finish the change first)
    let last = std::fs::read_dir(repo.issues_dir())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with(ids[7].as_str()))
        .and_then(|name| name.strip_suffix(".yaml").map(str::to_owned))
        .expect("the last issue's file");
    let path = repo.issues_dir().join(format!("{last}.yaml"));
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("Issue 7", "Issue 7 edited by hand")).expect("write");
    let run = repo.run(&["list", "--all", "--no-daemon"]);
    assert!(
        run.stderr
            .contains("completed an interrupted change to several issues: wrote 5 issue file(s)"),
        "{}",
        run.stderr
    );
    let labels = labels_by_id(&repo);
    let with: Vec<&String> = labels
        .iter()
        .filter(|(_, l)| l.contains(&"crashed".to_owned()))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(with.len(), 7, "{labels:?}");
    assert!(!with.contains(&&last), "the later hand edit is kept");
    assert!(
        std::fs::read_to_string(&path)
            .expect("read")
            .contains("edited by hand")
    );
    // `rm` of three, crashed after the first removal: all three go
    let mut rm = vec!["rm", "--yes"];
    rm.extend(ids[..3].iter().map(String::as_str));
    let run = crashing(&repo, &rm, 1);
    assert_eq!(run.code, 86, "{}", run.stderr);
    assert_eq!(labels_by_id(&repo).len(), 5);
    // real SIGKILLs at any moment of an eight-issue change
    let ids: Vec<String> = labels_by_id(&repo).into_keys().collect();
    let mut rng = 0x9e37_79b9_u64;
    for round in 0..60 {
        let label = format!("round{round}");
        let mut args = vec!["label", "add", "--no-daemon"];
        args.extend(ids.iter().map(String::as_str));
        args.push(&label);
        let child = common::Spawned::new(repo.cmd(&args).spawn().expect("yit runs"));
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        std::thread::sleep(std::time::Duration::from_micros(rng % 12_000));
        common::signal(child.id(), rustix::process::Signal::KILL);
        let _ = child.wait();
        let labels = labels_by_id(&repo);
        let have = labels.values().filter(|l| l.contains(&label)).count();
        assert!(
            have == 0 || have == labels.len(),
            "round {round}: {have} of {} issues have {label}",
            labels.len()
        );
    }
}
