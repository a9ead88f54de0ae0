//! Between clones nothing is lost: two clones of one bare remote change the
//! same issue, and the second brings the first's change in by `git pull`
//! (a merge), `git pull --rebase`, or `git cherry-pick`. For every way and
//! every kind of change, no side's change disappears without a trace: it is
//! merged, or recorded where `show`, `list is:conflicted` and `doctor` find
//! it, and `yit resolve` takes each side exactly.

use crate::common;

use std::path::{Path, PathBuf};

use common::TestRepo;
use serde_json::Value;

/// How the second clone brings in the first's change.
#[derive(Clone, Copy, Debug)]
enum Way {
    Merge,
    Rebase,
    CherryPick,
}

const WAYS: [Way; 3] = [Way::Merge, Way::Rebase, Way::CherryPick];

/// A bare remote with one committed issue, and two clones of it (`a`
/// pushes first, `b` integrates), each set up with `yit init`.
struct Clones {
    repo: TestRepo,
    a: PathBuf,
    b: PathBuf,
    id: String,
}

impl Clones {
    fn new() -> Clones {
        let repo = TestRepo::with_tracker();
        let id = repo.new_issue(&["Crash on start", "--body", "It crashes."]);
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-qm", "Track the crash"]);
        let clones = repo.clones_of_bare(&["a", "b"]);
        let (a, b) = (clones[0].clone(), clones[1].clone());
        Clones { repo, a, b, id }
    }

    /// Runs yit in `dir` at `when` (so that the sides' times differ);
    /// its stdout.
    #[track_caller]
    fn yit_at(&self, dir: &Path, when: &str, args: &[&str]) -> String {
        let out = self
            .repo
            .cmd(args)
            .current_dir(dir)
            .env("YIT_NOW", when)
            .output()
            .expect("yit");
        assert!(
            out.status.success(),
            "yit {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[track_caller]
    fn yit(&self, dir: &Path, args: &[&str]) -> String {
        self.yit_at(dir, common::NOW, args)
    }

    /// Runs yit in `dir`: (exit code, stdout, stderr).
    fn run(&self, dir: &Path, args: &[&str]) -> (i32, String, String) {
        let out = self.repo.cmd(args).current_dir(dir).output().expect("yit");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs git in `dir`; whether it succeeded.
    fn git_ok(&self, dir: &Path, args: &[&str], path: Option<&str>) -> bool {
        let mut cmd = self.repo.program("git", args);
        cmd.current_dir(dir);
        if let Some(path) = path {
            cmd.env("PATH", path);
        }
        cmd.output().expect("git").status.success()
    }

    #[track_caller]
    fn git(&self, dir: &Path, args: &[&str]) -> String {
        self.repo.git_in(dir, args)
    }

    fn commit(&self, dir: &Path, message: &str) {
        self.git(dir, &["add", "-A"]);
        self.git(dir, &["commit", "-qm", message]);
    }

    /// The issue as `yit show --json` reads it in `dir`.
    fn issue(&self, dir: &Path) -> Value {
        let (code, out, err) = self.run(dir, &["show", &self.id, "--json"]);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(&out).expect("json")["issue"].clone()
    }

    /// `a` changes and pushes, `b` changes and commits, then `b` brings
    /// `a`'s change in `way` (git's PATH being `path`); whether git
    /// stopped on a conflict.
    fn race(
        &self,
        way: Way,
        in_a: &dyn Fn(&Path),
        in_b: &dyn Fn(&Path),
        path: Option<&str>,
    ) -> bool {
        in_a(&self.a);
        self.commit(&self.a, "Change in a");
        self.git(&self.a, &["push", "-q", "origin", "main"]);
        in_b(&self.b);
        self.commit(&self.b, "Change in b");
        let args: &[&str] = match way {
            Way::Merge => &["pull", "-q", "--no-rebase", "--no-edit"],
            Way::Rebase => &["pull", "-q", "--rebase"],
            Way::CherryPick => {
                self.git(&self.b, &["fetch", "-q"]);
                &["cherry-pick", "origin/main"]
            }
        };
        !self.git_ok(&self.b, args, path)
    }

    /// Finishes what `way` stopped on, once the files are settled.
    fn finish(&self, way: Way) {
        self.git(&self.b, &["add", "-A"]);
        let args: &[&str] = match way {
            Way::Merge => &["commit", "-q", "--no-edit"],
            Way::Rebase => &["-c", "core.editor=true", "rebase", "--continue"],
            Way::CherryPick => &["-c", "core.editor=true", "cherry-pick", "--continue"],
        };
        // a pick that the settled files leave empty (a deletion not taken)
        // is skipped, as git says to
        if !self.git_ok(&self.b, args, None) {
            self.git(&self.b, &["cherry-pick", "--skip"]);
        }
        assert_eq!(self.git(&self.b, &["status", "--porcelain"]), "");
    }

    fn conflicted(&self) -> String {
        self.yit(&self.b, &["list", "is:conflicted", "--format", "ids"])
    }
}

#[test]
fn changes_to_different_fields_merge_every_way() {
    for way in WAYS {
        let c = Clones::new();
        let id = c.id.clone();
        let stopped = c.race(
            way,
            &|a| {
                c.yit_at(a, "2026-03-01T10:00:00Z", &["edit", &id, "--priority", "0"]);
            },
            &|b| {
                c.yit_at(
                    b,
                    "2026-03-02T10:00:00Z",
                    &["edit", &id, "--title", "Crash when started"],
                );
            },
            None,
        );
        assert!(!stopped, "{way:?}");
        let issue = c.issue(&c.b);
        assert_eq!(issue["priority"], 0, "{way:?}: a's change");
        assert_eq!(issue["title"], "Crash when started", "{way:?}: b's change");
        assert_eq!(issue["conflicts"], serde_json::json!([]), "{way:?}");
        assert_eq!(c.conflicted(), "", "{way:?}");
    }
}

#[test]
fn the_same_field_changed_both_ways_is_recorded_and_each_side_can_be_taken() {
    for way in WAYS {
        for take in ["ours", "theirs"] {
            let c = Clones::new();
            let id = c.id.clone();
            let long = format!(
                "## Steps\n\n{}",
                "Start it with an empty config. ".repeat(80)
            );
            let stopped = c.race(
                way,
                &|a| {
                    c.yit_at(a, "2026-03-01T10:00:00Z", &["edit", &id, "--body", &long]);
                },
                &|b| {
                    c.yit_at(
                        b,
                        "2026-03-02T10:00:00Z",
                        &["edit", &id, "--body", "B's note"],
                    );
                },
                None,
            );
            assert!(stopped, "{way:?}: git reports the conflict");
            let issue = c.issue(&c.b);
            let conflict = &issue["conflicts"][0];
            assert_eq!(conflict["field"], "body", "{way:?}");
            // both sides are there, whichever git calls ours
            let mut sides = [
                conflict["ours"].as_str().expect("ours").to_owned(),
                conflict["theirs"].as_str().expect("theirs").to_owned(),
            ];
            sides.sort();
            let mut want = [long.clone(), "B's note".to_owned()];
            want.sort();
            assert_eq!(sides, want, "{way:?}");
            assert_eq!(conflict["base"], "It crashes.");
            assert!(conflict["from"]["ours"].is_string(), "{way:?}: {conflict}");
            // found by every reader
            assert_eq!(c.conflicted(), format!("{id}\n"), "{way:?}");
            let (code, shown, _) = c.run(&c.b, &["show", &id]);
            assert_eq!(code, 0);
            assert!(
                shown
                    .lines()
                    .nth(1)
                    .is_some_and(|l| l.starts_with("merge conflict on body")),
                "{shown}"
            );
            let (code, doctor, _) = c.run(&c.b, &["doctor"]);
            assert_eq!(code, 1, "{way:?}");
            assert!(
                doctor.contains("unresolved merge conflict on body"),
                "{doctor}"
            );
            // the side taken is exactly that side's value
            let wanted = conflict[take].as_str().expect("side").to_owned();
            c.yit(&c.b, &["resolve", &id, "--take", &format!("body={take}")]);
            assert_eq!(c.issue(&c.b)["body"], wanted.as_str(), "{way:?} {take}");
            assert_eq!(c.conflicted(), "");
            c.finish(way);
            assert_eq!(
                c.issue(&c.b)["body"],
                wanted.as_str(),
                "{way:?} {take}: committed"
            );
        }
    }
}

#[test]
fn comments_added_on_both_sides_are_both_kept_and_the_same_one_once() {
    for way in WAYS {
        let c = Clones::new();
        let id = c.id.clone();
        let stopped = c.race(
            way,
            &|a| {
                c.yit_at(a, "2026-03-01T10:00:00Z", &["comment", &id, "Seen in a"]);
                c.yit_at(a, "2026-03-01T11:00:00Z", &["comment", &id, "Same words"]);
            },
            &|b| {
                c.yit_at(b, "2026-03-02T10:00:00Z", &["comment", &id, "Seen in b"]);
                c.yit_at(b, "2026-03-02T11:00:00Z", &["comment", &id, "Same words"]);
            },
            None,
        );
        assert!(!stopped, "{way:?}");
        let issue = c.issue(&c.b);
        let bodies: Vec<&str> = issue["comments"]
            .as_array()
            .expect("comments")
            .iter()
            .map(|c| c["body"].as_str().expect("body"))
            .collect();
        assert!(
            bodies.contains(&"Seen in a") && bodies.contains(&"Seen in b"),
            "{way:?}: {bodies:?}"
        );
        assert_eq!(
            bodies.iter().filter(|b| **b == "Same words").count(),
            1,
            "{way:?}: {bodies:?}"
        );
        assert_eq!(issue["conflicts"], serde_json::json!([]));
    }
}

#[test]
fn a_change_against_a_deletion_stops_and_is_named() {
    for way in WAYS {
        let c = Clones::new();
        let id = c.id.clone();
        let stopped = c.race(
            way,
            &|a| {
                c.yit_at(a, "2026-03-01T10:00:00Z", &["rm", &id, "--yes"]);
            },
            &|b| {
                c.yit_at(b, "2026-03-02T10:00:00Z", &["edit", &id, "--priority", "0"]);
            },
            None,
        );
        assert!(stopped, "{way:?}: git stops");
        // the changed side is in the worktree, and doctor names both ways out
        let (code, doctor, _) = c.run(&c.b, &["doctor"]);
        assert_eq!(code, 1, "{way:?}");
        let path = format!(".issues/{id}.yaml");
        assert!(
            doctor.contains(&format!("git add {path}"))
                && doctor.contains(&format!("git rm {path}")),
            "{way:?}: {doctor}"
        );
        let (_, _, warned) = c.run(&c.b, &["list"]);
        assert!(warned.contains("unmerged"), "{way:?}: {warned}");
        assert_eq!(c.issue(&c.b)["priority"], 0, "{way:?}: b's change is there");
        c.finish(way);
        assert_eq!(c.issue(&c.b)["priority"], 0, "{way:?}: kept");
        // the log's newest entry says how the issue is: there
        let log: Value = serde_json::from_str(&c.yit(&c.b, &["log", &id, "--json"])).expect("json");
        assert_ne!(
            log["commits"][0]["changes"],
            serde_json::json!(["removed"]),
            "{way:?}: {log}"
        );
    }
}

#[test]
fn without_the_driver_on_path_the_file_is_named_and_merged_after() {
    for way in WAYS {
        let c = Clones::new();
        let id = c.id.clone();
        // a driver found on PATH only, and none there: a GUI's git
        c.git(
            &c.b,
            &["config", "merge.yit.driver", "yit merge-file %O %A %B %P"],
        );
        let stopped = c.race(
            way,
            &|a| {
                c.yit_at(a, "2026-03-01T10:00:00Z", &["edit", &id, "--priority", "0"]);
            },
            &|b| {
                c.yit_at(
                    b,
                    "2026-03-02T10:00:00Z",
                    &["edit", &id, "--title", "Crash when started"],
                );
            },
            Some(common::PATH_WITHOUT_YIT),
        );
        assert!(stopped, "{way:?}: git could not run the driver");
        let path = format!(".issues/{id}.yaml");
        let (code, doctor, _) = c.run(&c.b, &["doctor"]);
        assert_eq!(code, 1, "{way:?}: {doctor}");
        assert!(
            doctor.contains("merge driver did not run")
                && doctor.contains(&format!("git checkout -m {path}")),
            "{way:?}: {doctor}"
        );
        // the way back doctor gives: both changes, field by field
        c.yit(&c.b, &["init", "-q"]);
        assert!(
            c.git_ok(
                &c.b,
                &["checkout", "-m", "--", &path],
                Some(common::PATH_WITHOUT_YIT)
            ),
            "{way:?}"
        );
        let issue = c.issue(&c.b);
        assert_eq!(issue["priority"], 0, "{way:?}: a's change");
        assert_eq!(issue["title"], "Crash when started", "{way:?}: b's change");
        c.finish(way);
    }
}

#[test]
fn an_unmerged_file_in_one_worktree_is_that_worktree_s_alone() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Crash on start"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "Track the crash"]);
    let wt = repo.worktree_of(repo.root(), "wt", "w");
    // the driver found on PATH only (config is shared by every worktree)
    repo.git(&["config", "merge.yit.driver", "yit merge-file %O %A %B %P"]);
    let at = |dir: &Path, when: &str, args: &[&str]| {
        let out = repo
            .cmd(args)
            .current_dir(dir)
            .env("YIT_NOW", when)
            .output()
            .expect("yit");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    at(
        repo.root(),
        "2026-03-01T10:00:00Z",
        &["edit", &id, "--priority", "0"],
    );
    repo.git(&["commit", "-qam", "main: priority"]);
    at(
        &wt,
        "2026-03-02T10:00:00Z",
        &["edit", &id, "--title", "Crash when started"],
    );
    repo.git_in(&wt, &["commit", "-qam", "w: title"]);
    let merged = repo
        .program("git", &["merge", "-q", "--no-edit", "main"])
        .current_dir(&wt)
        .env("PATH", common::PATH_WITHOUT_YIT)
        .output()
        .expect("git");
    assert!(!merged.status.success(), "git could not run the driver");
    let run_in = |dir: &Path, args: &[&str]| {
        let out = repo.cmd(args).current_dir(dir).output().expect("yit");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // the worktree that merges hears of it; the other does not
    let (_, _, warned) = run_in(&wt, &["list"]);
    assert!(
        warned.contains("git holds an issue file unmerged"),
        "{warned}"
    );
    let (_, _, quiet) = run_in(repo.root(), &["list"]);
    assert!(!quiet.contains("unmerged"), "{quiet}");
    let (code, doctor, _) = run_in(&wt, &["doctor"]);
    assert_eq!(code, Some(1), "{doctor}");
    assert!(doctor.contains("merge driver did not run"), "{doctor}");
    let (code, doctor, _) = run_in(repo.root(), &["doctor"]);
    assert_eq!(code, Some(0), "{doctor}");
    // the way back, in the worktree: both changes
    repo.ok_in(&wt, &["init", "-q"]);
    let path = format!(".issues/{id}.yaml");
    let back = repo
        .program("git", &["checkout", "-m", "--", &path])
        .current_dir(&wt)
        .env("PATH", common::PATH_WITHOUT_YIT)
        .output()
        .expect("git");
    assert!(
        back.status.success(),
        "{}",
        String::from_utf8_lossy(&back.stderr)
    );
    let shown: Value =
        serde_json::from_str(&repo.ok_in(&wt, &["show", &id, "--json"])).expect("json");
    assert_eq!(shown["issue"]["priority"], 0);
    assert_eq!(shown["issue"]["title"], "Crash when started");
}
