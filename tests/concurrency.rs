//! Many writers at once: exclusive creation never loses or overwrites an
//! issue, and readers never see a torn file.

use crate::common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use common::TestRepo;

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
