//! End-to-end tests of the everyday editing commands: lossless edits,
//! all-or-nothing changes of several issues, the editor flows, the trash,
//! `fmt`, locks and concurrent writers.

use crate::common;

use std::path::PathBuf;

use common::{AUTHOR, TestRepo};

fn show(repo: &TestRepo, id: &str) -> serde_json::Value {
    repo.run(&["show", id, "--json"]).json()["issue"].clone()
}

#[test]
fn edit_flags_are_one_change() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Old title", "-l", "triage"]);
    let mut cmd = repo.cmd(&[
        "edit",
        &id,
        "--title",
        "New title",
        "--status",
        "in_progress",
        "--priority",
        "0",
        "--type",
        "bug",
        "--body",
        "New body\n",
        "--add-label",
        "crash",
        "--rm-label",
        "triage",
        "--assignee",
        "me",
        "--json",
    ]);
    cmd.env("YIT_NOW", "2026-03-01T00:00:00Z");
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let issue = &json["issue"];
    assert_eq!(issue["title"], "New title");
    assert_eq!(issue["status"], "in_progress");
    assert_eq!(issue["priority"], 0);
    assert_eq!(issue["type"], "bug");
    assert_eq!(issue["body"], "New body\n");
    assert_eq!(issue["labels"], serde_json::json!(["crash"]));
    assert_eq!(issue["assignee"], AUTHOR);
    assert_eq!(issue["updated"], "2026-03-01T00:00:00Z");
    assert_eq!(issue["created"], common::NOW);
    assert_eq!(show(&repo, &id), *issue);
    repo.ok(&["fmt", "--check"]);

    let before = repo.tree();
    for (args, message) in [
        (
            vec!["edit", &id, "--status", "shipped", "--title", "x"],
            "error: unknown status \"shipped\" (config.yaml defines open, in_progress, closed)\n",
        ),
        (
            vec!["edit", &id, "--title", "a\nb"],
            "error: the title contains a line break; put longer text in the body\n",
        ),
        (
            vec!["edit", &id, "--add-label", "a,b"],
            "error: label \"a,b\" contains a comma\n",
        ),
        (
            vec!["edit", &id, "--assignee", "nobody"],
            "error: assignee: \"nobody\" is not `Name <email>` or an email address\n",
        ),
    ] {
        let run = repo.fails(&args, 1);
        assert_eq!(run.stderr, message);
    }
    assert_eq!(repo.tree(), before, "refused edits change nothing");
    let run = repo.run(&["edit", &id, "--unassign", "--json"]);
    assert_eq!(run.json()["issue"]["assignee"], serde_json::Value::Null);
}

#[test]
fn a_hand_written_file_keeps_its_comments_and_a_one_field_change_is_one_line() {
    let repo = TestRepo::with_tracker();
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/issues/valid-hand-written.yaml"
    ))
    .expect("fixture");
    repo.write_issue_file("0000000000.yaml", &fixture);
    let id = repo.new_issue(&["Canonical", "--body", "Body\n"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);

    let later = |args: &[&str]| {
        let mut cmd = repo.cmd(args);
        cmd.env("YIT_NOW", "2026-03-01T00:00:00Z");
        let out = cmd.output().expect("runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    later(&["edit", &id, "--priority", "1"]);
    later(&["close", "0000"]);
    let numstat = repo.git(&["diff", "--numstat"]);
    assert_eq!(
        numstat,
        format!("2\t2\t.issues/0000000000.yaml\n2\t2\t.issues/{id}.yaml\n")
    );
    let diff = repo.git(&["diff", "-U0", "--", ".issues/0000000000.yaml"]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert_eq!(
        changed,
        vec![
            "-status: open   # still open",
            "+status: closed   # still open",
            "-updated: 2026-01-03T00:00:00+02:00",
            "+updated: \"2026-03-01T00:00:00Z\"",
        ]
    );
    // comments, blank lines, quoting, flow lists and unknown keys survive
    later(&["label", "add", "0000", "ui"]);
    later(&["comment", "0000", "Fixed in 1.2"]);
    let text = repo.read_issue_file("0000000000");
    for kept in [
        "# hand-written issue: comments, odd quoting and keys yit does not know\n",
        "title: \"A valid issue: written by hand # not a comment\"\n",
        "labels: [crash, \"needs: triage\", ui]\n",
        "estimate: 3d        # a key yit does not know\n",
        "  Steps:\n    1. run it\n\n  Expected: no crash.\n",
    ] {
        assert!(text.contains(kept), "{kept:?} was lost:\n{text}");
    }
    assert!(
        text.contains("    body: Seen it too.\n  - id: "),
        "the new comment comes last: {text}"
    );
    let issue = show(&repo, "0000");
    assert_eq!(issue["comments"][1]["body"], "Fixed in 1.2");
    assert_eq!(issue["extra"], serde_json::json!({"estimate": "3d"}));
    repo.ok(&["doctor"]);
}

#[test]
fn several_ids_change_all_or_none() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["A"]);
    let b = repo.new_issue(&["B"]);
    let before = repo.tree();
    let run = repo.fails(&["close", &a, &b, "zzzzzz"], 1);
    assert_eq!(run.stderr, "error: no issue matches \"zzzzzz\"\n");
    assert_eq!(repo.tree(), before);
    // a broken file among them: nothing changes either
    repo.write_issue_file("0000000001.yaml", b"id: 0000000001\ntitle: [broken\n");
    let before = repo.tree();
    let run = repo.fails(&["label", "add", &a, &b, "0000000001", "--", "x"], 1);
    assert!(
        run.stderr
            .starts_with("error: .issues/0000000001.yaml:2:8: title: "),
        "{}",
        run.stderr
    );
    assert_eq!(repo.tree(), before);

    let run = repo.run(&["close", &a, &b, "--reason", "Done", "--json"]);
    let issues = run.json()["issues"].as_array().expect("list").clone();
    assert_eq!(issues.len(), 2);
    for issue in &issues {
        assert_eq!(issue["status"], "closed");
        assert_eq!(issue["comments"][0]["body"], "Done");
        assert_eq!(issue["comments"][0]["author"], AUTHOR);
    }
    let out = repo.ok(&["close", &a]);
    assert_eq!(out, format!("unchanged  {}  A\n", &a[..4]));
    let run = repo.fails(&["close", &a, "--status", "open"], 1);
    assert_eq!(run.stderr, "error: \"open\" is not a closed status\n");
    let out = repo.ok(&["reopen", &a, &b, "--format", "ids"]);
    assert_eq!(out, format!("{a}\n{b}\n"));
    assert_eq!(show(&repo, &a)["status"], "open");

    repo.ok(&["label", "add", &a, &b, "ui", "perf"]);
    repo.ok(&["label", "rm", &b, "ui"]);
    assert_eq!(show(&repo, &a)["labels"], serde_json::json!(["ui", "perf"]));
    assert_eq!(show(&repo, &b)["labels"], serde_json::json!(["perf"]));
    repo.ok(&["assign", &a, &b, "Bob <bob@example.com>"]);
    repo.ok(&["unassign", &b]);
    assert_eq!(show(&repo, &a)["assignee"], "Bob <bob@example.com>");
    assert_eq!(show(&repo, &b)["assignee"], serde_json::Value::Null);
    repo.ok(&["assign", &b, "me"]);
    assert_eq!(show(&repo, &b)["assignee"], AUTHOR);
    let run = repo.fails(&["label", "add", &a], 2);
    assert!(run.stderr.contains("no labels given"), "{}", run.stderr);
}

#[test]
fn comments_from_text_file_and_stdin_append_in_order() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Commented"]);
    repo.ok(&["comment", &id, "first"]);
    let file = repo.outside().join("c.md");
    std::fs::write(&file, "second\nwith lines\n").expect("write");
    repo.ok(&["comment", &id, "--body-file", file.to_str().expect("utf-8")]);
    let run = repo.run_stdin(&["comment", &id, "--body-file", "-"], "third 🦀");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bodies: Vec<String> = show(&repo, &id)["comments"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| c["body"].as_str().expect("body").to_owned())
        .collect();
    assert_eq!(bodies, vec!["first", "second\nwith lines\n", "third 🦀"]);
    let run = repo.fails(&["comment", &id, "   "], 1);
    assert_eq!(run.stderr, "error: empty comment; nothing was added\n");
    repo.ok(&["fmt", "--check"]);
}

#[test]
fn a_held_lock_times_out_with_exit_5_naming_the_holder() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Locked"]);
    let dir = repo.root().join(".git/yit/locks");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join(format!("{id}.lock")))
        .expect("open");
    file.lock().expect("lock");
    std::io::Write::write_all(&mut file, std::process::id().to_string().as_bytes()).expect("pid");
    let before = repo.tree();
    let run = repo.fails(&["close", &id, "--lock-timeout", "0.3"], 5);
    assert!(
        run.stderr.starts_with(&format!(
            "error: timed out after 0.3s waiting for the lock on issue {id} (held by process {})\n",
            std::process::id()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(repo.tree(), before);
    file.unlock().expect("unlock");
    repo.ok(&["close", &id, "--lock-timeout", "0.3"]);
}

#[test]
fn the_editor_saves_a_valid_change_and_nothing_when_unchanged() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Edit me"]);
    let editor = repo.editor(
        "retitle.sh",
        "sed -i 's/^title: Edit me$/title: Edited in an editor/' \"$1\"",
    );
    let mut cmd = repo.cmd(&["edit", &id]);
    cmd.env("EDITOR", &editor)
        .env("YIT_NOW", "2026-03-01T00:00:00Z");
    let out = cmd.output().expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issue = show(&repo, &id);
    assert_eq!(issue["title"], "Edited in an editor");
    assert_eq!(
        issue["updated"], "2026-03-01T00:00:00Z",
        "updated is set when the person did not set it"
    );

    let before = repo.tree();
    let editor = repo.editor("nothing.sh", "true");
    let run = repo.run_with_editor(&editor, &["edit", &id]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "no changes\n"));
    assert_eq!(repo.tree(), before);
    // VISUAL wins over EDITOR
    let visual = repo.editor("visual.sh", "sed -i 's/^priority: 2$/priority: 4/' \"$1\"");
    let mut cmd = repo.cmd(&["edit", &id]);
    cmd.env("EDITOR", &editor).env("VISUAL", &visual);
    assert!(cmd.output().expect("runs").status.success());
    assert_eq!(show(&repo, &id)["priority"], 4);
    // no editor and no terminal: a clear usage error
    let run = repo.fails(&["edit", &id], 2);
    assert_eq!(
        run.stderr,
        "error: no editor to run: set $VISUAL or $EDITOR, or pass the text as arguments\n"
    );
    let state = repo.root().join(".git/yit/edit");
    assert_eq!(
        std::fs::read_dir(&state).map(|d| d.count()).unwrap_or(0),
        0,
        "no drafts left behind"
    );
}

#[test]
fn invalid_text_reopens_the_editor_with_the_problem_on_top() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Fix me"]);
    let seen = repo.outside().join("seen.txt");
    let script = format!(
        "n=$(cat {count} 2>/dev/null || echo 0); echo $((n+1)) > {count}\n\
         if [ \"$n\" = 0 ]; then sed -i 's/^priority: 2$/priority: high/' \"$1\"; \
         else cp \"$1\" {seen}; sed -i -e '/^# yit: /d' -e 's/^priority: high$/priority: 1/' \"$1\"; fi",
        count = repo.outside().join("count").display(),
        seen = seen.display(),
    );
    let editor = repo.editor("twice.sh", &script);
    let run = repo.run_with_editor(&editor, &["edit", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(show(&repo, &id)["priority"], 1);
    let second_view = std::fs::read_to_string(&seen).expect("editor ran twice");
    let notes: Vec<&str> = second_view
        .lines()
        .take_while(|l| l.starts_with("# yit: "))
        .collect();
    assert_eq!(
        notes,
        vec![
            "# yit: This text was not saved. Fix the problems below, then save and quit.",
            "# yit: To give up, save it unchanged or empty; it will be kept for you.",
            "# yit: line 7, column 11: priority must be an integer from 0 (highest) to 4, found \"high\"",
        ]
    );
    assert_eq!(
        second_view.lines().nth(6),
        Some("priority: high"),
        "line numbers count the notes"
    );
}

#[test]
fn giving_up_on_invalid_text_keeps_it_in_a_recovery_file() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Stubborn"]);
    let editor = repo.editor(
        "stubborn.sh",
        "sed -i -e '/^# yit: /d' -e 's/^priority: 2$/priority: high/' \"$1\"",
    );
    let before = repo.tree();
    let run = repo.run_with_editor(&editor, &["edit", &id]);
    assert_eq!(run.code, 1);
    let kept = run
        .stderr
        .trim()
        .strip_prefix("error: edit abandoned; nothing was changed; your text is kept in ")
        .expect(&run.stderr);
    assert!(
        std::fs::read_to_string(kept)
            .expect("recovery file")
            .contains("priority: high\n")
    );
    assert_eq!(repo.tree(), before);
}

#[test]
fn a_change_while_the_editor_is_open_is_merged_unless_it_clashes() {
    let repo = TestRepo::with_tracker();
    // by hand, with a comment of the person's
    let id = repo.new_issue(&["Raced"]);
    let file = repo.issues_dir().join(format!("{id}.yaml"));
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replace("status: open\n", "status: open  # triaged\n"),
    )
    .expect("write");
    // another command closes it while the editor has it open; the editor
    // rewrites the title: different fields, both kept
    let script = format!(
        "\"$YIT_BIN\" close {id} >/dev/null\nsed -i 's/^title: Raced$/title: My careful rewrite/' \"$1\""
    );
    let editor = repo.editor("race.sh", &script);
    let run = repo.run_with_editor(&editor, &["edit", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("changed while you edited it, in other fields: both changes were kept"),
        "{}",
        run.stderr
    );
    let issue = show(&repo, &id);
    assert_eq!(
        (issue["title"].as_str(), issue["status"].as_str()),
        (Some("My careful rewrite"), Some("closed")),
        "both changes stand"
    );
    assert!(
        std::fs::read_to_string(&file)
            .expect("read")
            .contains("# triaged"),
        "the person's comment stays"
    );
    // the same field changed both ways: refused, the person's text kept
    let script = format!(
        "\"$YIT_BIN\" edit {id} --title 'Their title' >/dev/null\nsed -i 's/^title: .*$/title: My second rewrite/' \"$1\""
    );
    let editor = repo.editor("clash.sh", &script);
    let run = repo.run_with_editor(&editor, &["edit", &id]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: issue {id} changed on disk while you were editing it, in the same field(s) as your edit: title; your edit was not saved\nhint: your text is kept in "
        )),
        "{}",
        run.stderr
    );
    let kept = run
        .stderr
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("hint: your text is kept in "))
        .expect("path");
    assert!(
        std::fs::read_to_string(kept)
            .expect("recovery")
            .contains("title: My second rewrite\n")
    );
    assert_eq!(
        show(&repo, &id)["title"],
        "Their title",
        "the other change stands"
    );
}

#[test]
fn new_without_a_title_opens_a_template() {
    let repo = TestRepo::with_tracker();
    let editor = repo.editor("fill.sh",
        "sed -i -e 's/^title: $/title: From the template/' -e 's/^labels: \\[\\]$/labels: [ui]/' -e 's/^  $/  Body typed in the editor./' \"$1\"",
    );
    let run = repo.run_with_editor(&editor, &["new", "--json", "--priority", "1"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let issue = &run.json()["issue"];
    assert_eq!(issue["title"], "From the template");
    assert_eq!(issue["labels"], serde_json::json!(["ui"]));
    assert_eq!(issue["priority"], 1);
    assert_eq!(issue["body"], "Body typed in the editor.\n");
    let before = repo.tree();
    let untouched = repo.editor("keep.sh", "true");
    let run = repo.run_with_editor(&untouched, &["new"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "error: no title; nothing was created\n")
    );
    assert_eq!(repo.tree(), before);
}

#[test]
fn comment_without_text_opens_the_editor() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Discuss"]);
    let editor = repo.editor(
        "say.sh",
        "printf 'Typed in the editor\\n%s' \"$(cat \"$1\")\" > \"$1\"",
    );
    let run = repo.run_with_editor(&editor, &["comment", &id]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        show(&repo, &id)["comments"][0]["body"],
        "Typed in the editor"
    );
    let nothing = repo.editor("quiet.sh", "true");
    let run = repo.run_with_editor(&nothing, &["comment", &id]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "error: empty comment; nothing was added\n")
    );
}

#[test]
fn rm_asks_on_a_terminal_and_restore_brings_the_issue_back() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Doomed"]);
    let before = repo.tree();
    let run = repo.fails(&["rm", &id], 2);
    assert_eq!(
        run.stderr,
        "error: yit rm asks on a terminal only; pass --yes (or --force, which also drops references to the issues)\n"
    );
    let run = repo.run_on_terminal(&["rm", &id], &[("NO_COLOR", "1")], "n\n");
    assert!(
        run.stdout
            .contains("Remove 1 issue(s)? They can be restored with `yit restore`. [y/N]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("nothing was removed"), "{}", run.stdout);
    assert_eq!(repo.tree(), before);
    let run = repo.run_on_terminal(&["rm", &id[..4]], &[("NO_COLOR", "1")], "y\n");
    assert!(
        run.stdout.contains(&format!("removed    {}", &id[..4])),
        "{}",
        run.stdout
    );
    assert!(!repo.issues_dir().join(format!("{id}.yaml")).exists());
    let listed = repo.ok(&["restore"]);
    assert!(listed.starts_with("ID          REMOVED\n"), "{listed}");
    assert!(listed.contains(&id));
    let out = repo.ok(&["restore", &id[..4]]);
    assert_eq!(out, format!("restored   {}  Doomed\n", &id[..4]));
    assert_eq!(repo.tree(), before, "restored byte for byte");
    // restoring over an issue that exists again is refused
    repo.ok(&["rm", "--force", &id]);
    let original = &before[&PathBuf::from(format!(".issues/{id}.yaml"))];
    repo.write_issue_file(&format!("{id}.yaml"), original);
    let run = repo.fails(&["restore", &id], 4);
    assert_eq!(
        run.stderr,
        format!("error: issue {id} exists; it was not restored\n")
    );
    let run = repo.fails(&["restore", "zzzz"], 1);
    assert_eq!(
        run.stderr,
        "error: no removed issue matches \"zzzz\" in the trash\n"
    );
    let run = repo.fails(&["rm", "--force", &id, "nope"], 1);
    assert_eq!(run.stderr, "error: no issue matches \"nope\"\n");
}

#[test]
fn fmt_rewrites_to_canonical_form_keeping_unknown_keys() {
    let repo = TestRepo::with_tracker();
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/issues/valid-hand-written.yaml"
    ))
    .expect("fixture");
    repo.write_issue_file("0000000000.yaml", &fixture);
    let id = repo.new_issue(&["Already canonical"]);
    let run = repo.fails(&["fmt", "--check"], 1);
    assert_eq!(run.stdout, "unformatted 0000\n");
    assert_eq!(
        run.stderr,
        "error: 1 issue file(s) are not in canonical form; run `yit fmt`\n"
    );
    let before = show(&repo, "0000");
    assert_eq!(repo.ok(&["fmt"]), "formatted   0000\n");
    assert_eq!(show(&repo, "0000"), before, "the issue means the same");
    let text = repo.read_issue_file("0000000000");
    insta::assert_snapshot!(text, @r#"
    # hand-written issue: comments, odd quoting and keys yit does not know
    id: "0000000000"
    title: "A valid issue: written by hand # not a comment"
    # still open
    status: open
    priority: 1
    type: bug
    labels:
      - crash
      - "needs: triage"
    assignee: Bob <bob@example.com>
    author: Ann Lee <ann@example.com>
    created: "2026-01-02T03:04:05Z"
    updated: "2026-01-02T22:00:00Z"
    body: |
      Steps:
        1. run it

      Expected: no crash.
    comments:
      - id: c0mment001
        author: Bob <bob@example.com>
        created: "2026-01-02T04:00:00Z"
        body: |-
          Seen it too.
    estimate: 3d        # a key yit does not know
    "#);
    repo.ok(&["fmt", "--check"]);
    let run = repo.run(&["fmt", &id]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "1 issue file(s) already in canonical form\n")
    );
}

#[test]
fn eight_writers_add_four_hundred_comments_to_one_issue() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Busy issue"]);
    let writing = AtomicBool::new(true);
    std::thread::scope(|s| {
        let lister = s.spawn(|| {
            let mut runs = 0;
            while writing.load(Ordering::Relaxed) {
                let run = repo.run(&["list", "--json"]);
                assert_eq!(run.code, 0, "list saw a torn file: {}", run.stderr);
                assert_eq!(run.json()["issues"].as_array().map(Vec::len), Some(1));
                runs += 1;
            }
            runs
        });
        let writers: Vec<_> = (0..8)
            .map(|w| {
                let repo = &repo;
                let id = &id;
                s.spawn(move || {
                    for n in 0..50 {
                        // eight writers on two cores in a debug build can
                        // wait longer than the default 10 s behind an
                        // unfair flock; what is tested is that no comment
                        // is lost or torn
                        repo.ok(&[
                            "comment",
                            "--lock-timeout",
                            "120",
                            id,
                            &format!("writer {w} comment {n}"),
                        ]);
                    }
                })
            })
            .collect();
        let joined: Vec<_> = writers.into_iter().map(|w| w.join()).collect();
        // the lister stops even when a writer failed
        writing.store(false, Ordering::Relaxed);
        for w in joined {
            w.expect("writer");
        }
        assert!(lister.join().expect("lister") > 0);
    });
    let comments = show(&repo, &id)["comments"]
        .as_array()
        .expect("list")
        .clone();
    assert_eq!(comments.len(), 400);
    let bodies: std::collections::HashSet<&str> = comments
        .iter()
        .map(|c| c["body"].as_str().expect("body"))
        .collect();
    assert_eq!(bodies.len(), 400, "no comment lost or duplicated");
    for w in 0..8 {
        let mine: Vec<usize> = comments
            .iter()
            .filter_map(|c| {
                c["body"]
                    .as_str()?
                    .strip_prefix(&format!("writer {w} comment "))
                    .map(|n| n.parse().expect("n"))
            })
            .collect();
        assert_eq!(
            mine,
            (0..50).collect::<Vec<_>>(),
            "each writer's comments in its order"
        );
    }
    repo.ok(&["doctor"]);
    repo.ok(&["fmt", "--check"]);
}

#[test]
fn a_label_shorter_than_any_id_is_never_taken_for_one() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Labelled"]);
    // the label is the id's first character: it still is a label
    let label = &id[..1];
    repo.ok(&["label", "add", &id, label]);
    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(shown["issue"]["labels"], serde_json::json!([label]));
}

/// `rm` asks before it takes the dependency-graph lock (no lock waits on a
/// person), and checks the references again once it holds it.
#[test]
fn rm_asks_before_it_locks_and_checks_again_after() {
    use std::io::{Read, Write};
    let repo = TestRepo::with_tracker();
    let doomed = repo.new_issue(&["Doomed"]);
    let other = repo.new_issue(&["Other"]);
    let line = format!("{} rm {doomed}", common::yit_bin());
    let mut cmd = repo.program("script", &["-qec", &line, "/dev/null"]);
    cmd.env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut rm = common::Spawned::new(cmd.spawn().expect("script"));
    let mut out = rm.stdout();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let reader = {
        let seen = std::sync::Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.lock().expect("seen").extend_from_slice(&buf[..n]);
            }
        })
    };
    let asked = || String::from_utf8_lossy(&seen.lock().expect("seen")).contains("[y/N]");
    assert!(
        common::wait_until(std::time::Duration::from_secs(10), asked),
        "rm asks"
    );
    // while the question waits, the graph lock is free
    repo.ok(&["dep", "add", &other, &doomed, "--lock-timeout", "1"]);
    rm.stdin().write_all(b"y\n").expect("answer");
    let refused = || {
        String::from_utf8_lossy(&seen.lock().expect("seen")).contains("other issues refer to it")
    };
    assert!(
        common::wait_until(std::time::Duration::from_secs(10), refused),
        "rm answers"
    );
    rm.close_stdin();
    let status = rm.wait();
    reader.join().expect("reader");
    let shown = String::from_utf8_lossy(&seen.lock().expect("seen")).into_owned();
    assert!(!status.success(), "{shown}");
    assert!(shown.contains("other issues refer to it"), "{shown}");
    assert!(repo.issues_dir().join(format!("{doomed}.yaml")).exists());
}

#[test]
fn what_yit_writes_passes_fmt_check() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["A"]);
    let b = repo.new_issue(&["B"]);
    let steps: Vec<Vec<&str>> = vec![
        vec!["dep", "add", &a, &b],
        vec!["dep", "rm", &a, &b],
        vec!["label", "add", &a, "x", "y"],
        vec!["label", "rm", &a, "x", "y"],
        vec!["assign", &a, "me"],
        vec!["unassign", &a],
        vec!["edit", &a, "--parent", &b],
        vec!["edit", &a, "--no-parent"],
        vec!["close", &a, "--reason", "done"],
        vec!["reopen", &a],
        vec!["comment", &a, "hi"],
        vec!["edit", &a, "--body", "text"],
        vec!["edit", &a, "--body", ""],
        vec!["claim", &a],
        vec!["edit", &a, "--title", "a: b # c"],
        vec!["rm", "--force", &b],
        vec!["restore", &b],
    ];
    for step in steps {
        repo.ok(&step);
        let check = repo.run(&["fmt", "--check"]);
        assert_eq!(
            check.code, 0,
            "after {step:?}: {}{}",
            check.stdout, check.stderr
        );
    }
    // a file a person laid out keeps its layout (and is not made canonical)
    let hand = "id: handmade01\ntitle: Hand\nstatus: open\ncreated: 2026-01-02T03:04:05Z\n# mine\nlabels: [a]\n";
    repo.write_issue_file("handmade01.yaml", hand.as_bytes());
    repo.ok(&["label", "rm", "handmade01", "a"]);
    let text = repo.read_issue_file("handmade01");
    assert!(
        text.starts_with("id: handmade01\ntitle: Hand\nstatus: open\n")
            && text.contains("# mine\n"),
        "{text}"
    );
}

#[test]
fn rm_yes_skips_the_question_but_keeps_the_references_rule() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Needed"]);
    let b = repo.new_issue(&["Needs it"]);
    let c = repo.new_issue(&["Alone"]);
    repo.ok(&["dep", "add", &b, &a]);
    let before = repo.tree();
    let refused = repo.fails(&["rm", "--yes", &a], 4);
    assert!(refused.stderr.contains(&b[..4]), "{}", refused.stderr);
    assert_eq!(repo.tree(), before);
    repo.ok(&["rm", "-y", &c]);
    assert!(!repo.issues_dir().join(format!("{c}.yaml")).exists());
    assert!(repo.read_issue_file(&b).contains(&a), "the reference stays");
}

#[test]
fn a_comment_is_edited_and_removed_in_place() {
    let repo = TestRepo::with_tracker();
    // by hand: a YAML comment, a field order and quoting of its own
    let text = "\
# triage notes stay
id: 0000000c0m
title: Comments by hand
status: open
created: 2026-01-02T03:04:05Z
comments:
  - id: aaaa000001
    author: Ann Lee <ann@example.com>
    created: 2026-01-02T03:04:05Z
    body: 'first, by hand'
  # a note between comments
  - id: bbbb000002
    author: Bob <bob@example.com>
    created: 2026-01-02T04:04:05Z
    body: second
";
    repo.write_issue_file("0000000c0m.yaml", text.as_bytes());
    let run = repo.run(&["comment", "edit", "0000", "aaaa", "first, edited", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["issue"]["comments"][0]["body"], "first, edited");
    let after = repo.read_issue_file("0000000c0m");
    let changed: Vec<&str> = after.lines().filter(|l| !text.contains(*l)).collect();
    assert_eq!(changed.len(), 2, "the body and `updated` only: {after}");
    assert!(after.starts_with("# triage notes stay\n"), "{after}");
    assert!(after.contains("  # a note between comments\n"), "{after}");
    assert!(after.contains("first, edited"), "{after}");

    // a prefix that names nothing, several, or no text: refused, unchanged
    let run = repo.fails(&["comment", "rm", "0000", "cccc"], 1);
    assert!(
        run.stderr.contains("aaaa000001, bbbb000002"),
        "{}",
        run.stderr
    );
    repo.write_issue_file(
        "0000000c0m.yaml",
        after.replace("bbbb000002", "aaaa000002").as_bytes(),
    );
    let ambiguous = repo.fails(&["comment", "rm", "0000", "aaaa", "--json"], 1);
    assert_eq!(ambiguous.stderr_json()["error"]["kind"], "ambiguous");
    repo.fails(&["comment", "edit", "0000", "aaaa000001", "  "], 1);
    let before = repo.read_issue_file("0000000c0m");

    repo.ok(&["comment", "rm", "0000", "aaaa000002"]);
    let removed = repo.read_issue_file("0000000c0m");
    assert!(
        !removed.contains("aaaa000002") && !removed.contains("Bob"),
        "{removed}"
    );
    assert!(removed.contains("# triage notes stay\n"), "{removed}");
    let kept: Vec<&str> = before.lines().filter(|l| !removed.contains(*l)).collect();
    assert!(
        kept.iter().all(|l| l.contains("aaaa000002")
            || l.contains("Bob")
            || l.contains("04:04:05")
            || l.contains("body: second")
            || l.starts_with("updated")),
        "only the comment (and `updated`) went: {kept:?}"
    );
    assert_eq!(
        show(&repo, "0000")["comments"].as_array().map(Vec::len),
        Some(1)
    );
    repo.ok(&["doctor"]);
}

#[test]
fn a_comment_saved_unchanged_in_the_editor_changes_nothing_and_says_so() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Edit a comment"]);
    repo.ok(&["comment", &id, "Seen on 1.2 too"]);
    let shown = repo.run(&["show", &id, "--json"]).json();
    let comment = shown["issue"]["comments"][0]["id"]
        .as_str()
        .expect("comment id")
        .to_owned();
    let before = repo.tree();
    // the editor sees the comment to edit, then saves it as it was
    let seen = repo.outside().join("seen.txt");
    let editor = repo.editor("keep", &format!("cp \"$1\" {}", seen.display()));
    let run = repo.run_with_editor(&editor, &["comment", "edit", &id, &comment[..4]]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "no changes\n");
    assert_eq!(repo.tree(), before, "nothing written");
    let template = std::fs::read_to_string(&seen).expect("the editor's file");
    assert!(template.starts_with("Seen on 1.2 too\n"), "{template}");
    assert!(
        template.contains(&format!(
            "You are editing comment {comment} on {id} by Ann Lee"
        )),
        "{template}"
    );
    assert!(!template.contains("Write your comment"), "{template}");
    // an edit in the editor is saved
    let editor = repo.editor("change", "printf 'Seen on 1.3 as well\\n' > \"$1\"");
    let run = repo.run_with_editor(&editor, &["comment", "edit", &id, &comment[..4]]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(shown["issue"]["comments"][0]["body"], "Seen on 1.3 as well");
}

#[test]
fn the_verb_column_holds_however_long_the_verb() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Aligned"]);
    repo.ok(&["comment", &id, "one"]);
    let comment = repo.run(&["show", &id, "--json"]).json()["issue"]["comments"][0]["id"]
        .as_str()
        .expect("comment id")
        .to_owned();
    let short = &id[..4];
    // "uncommented" is longer than the column others fit in
    assert_eq!(
        repo.ok(&["comment", "rm", &id, &comment]),
        format!("uncommented  {short}  Aligned\n")
    );
    assert_eq!(
        repo.ok(&["close", &id]),
        format!("closed     {short}  Aligned\n")
    );
    assert_eq!(
        repo.ok(&["close", &id]),
        format!("unchanged  {short}  Aligned\n")
    );
}

#[test]
fn an_editor_that_keeps_saving_invalid_text_is_stopped_off_a_terminal() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Bounded"]);
    let before = repo.tree();
    // a different invalid file on every round, for ever
    let rounds = repo.outside().join("rounds");
    let editor = repo.editor(
        "broken",
        &format!(
            "echo x >> {r}\nprintf 'title: [unclosed %s\\n' \"$(wc -l < {r})\" > \"$1\"",
            r = rounds.display()
        ),
    );
    let run = repo.run_with_editor(&editor, &["edit", &id]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("the editor saved invalid text 3 times")
            && run.stderr.contains("standard input is not a terminal")
            && run.stderr.contains("your text is kept in"),
        "{}",
        run.stderr
    );
    let opened = std::fs::read_to_string(&rounds)
        .expect("rounds")
        .lines()
        .count();
    assert_eq!(opened, 3, "the editor was opened three times");
    // nothing changed in the worktree (the text is kept in .git/yit)
    assert_eq!(repo.tree(), before);
}

#[test]
fn fmt_keeps_the_comments_a_person_wrote() {
    let repo = TestRepo::with_tracker();
    let text = "\
# triage notes: keep this
title: Comments everywhere   # why the title
id: 0000000f0m
status: open
created: 2026-01-02T03:04:05Z
body: |
  # A heading, not a comment
  Text.
# about the labels
labels: [a, b]  # two of them
comments:
  - id: aaaa000001
    created: 2026-01-02T03:04:05Z
    # a note inside the list
    body: first
estimate: 3d   # kept with its key
# the end
";
    repo.write_issue_file("0000000f0m.yaml", text.as_bytes());
    repo.ok(&["fmt"]);
    let after = repo.read_issue_file("0000000f0m");
    for comment in [
        "# triage notes: keep this",
        "# why the title",
        "# about the labels",
        "# two of them",
        "# a note inside the list",
        "estimate: 3d   # kept with its key",
        "# the end",
    ] {
        assert_eq!(
            after.matches(comment).count(),
            1,
            "{comment:?} in:\n{after}"
        );
    }
    assert!(after.contains("  # A heading, not a comment\n"), "{after}");
    assert!(after.starts_with("# triage notes: keep this\nid: 0000000f0m\n# why the title\ntitle: Comments everywhere\n"), "{after}");
    // the same issue, and canonical: a second fmt changes nothing
    assert_eq!(repo.fails(&["fmt", "--check"], 0).code, 0);
    let before = repo.tree();
    repo.ok(&["fmt"]);
    assert_eq!(repo.tree(), before);
    let shown = repo.run(&["show", "0000000f0m", "--json"]).json();
    assert_eq!(
        shown["issue"]["body"],
        "# A heading, not a comment\nText.\n"
    );
    assert_eq!(shown["issue"]["extra"]["estimate"], "3d");
}
