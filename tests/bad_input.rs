//! Every kind of bad input gets one clear message naming the file, line and
//! column, a non-zero exit, and leaves the files on disk as they were.

use crate::common;

use common::TestRepo;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A tracker holding one valid issue and each broken fixture, under the
/// file name the fixture's header describes.
fn broken_tracker() -> TestRepo {
    let repo = TestRepo::with_tracker();
    for (name, target) in [
        ("valid-hand-written", "0000000000.yaml"),
        ("yaml-syntax-error", "0000000001.yaml"),
        ("priority-high", "0000000002.yaml"),
        ("unknown-status", "0000000003.yaml"),
        ("missing-title", "0000000004.yaml"),
        ("empty-title", "0000000005.yaml"),
        ("id-mismatch", "0000000006.yaml"),
        ("duplicate-id-a", "0000000007.yaml"),
        ("duplicate-id-b", "0000000008.yaml"),
        ("conflict-markers", "0000000009.yaml"),
        ("empty", "000000000a.yaml"),
        ("non-utf8", "000000000b.yaml"),
        ("alias-bomb", "000000000c.yaml"),
        ("name-not-an-id", "notes.yaml"),
        ("reserved-wrong-type", "000000000e.yaml"),
        ("title-newline", "000000000f.yaml"),
    ] {
        repo.write_issue_file(target, &fixture(&format!("issues/{name}.yaml")));
    }
    // a symlink leading out of the repository
    let secret = repo.outside().join("secret.yaml");
    std::fs::write(
        &secret,
        "id: 000000000h\ntitle: outside\nstatus: open\ncreated: 2026-01-02T03:04:05Z\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(&secret, repo.issues_dir().join("000000000h.yaml"))
        .expect("symlink");
    // a file over the size limit (1 MiB by default)
    let mut big =
        b"id: 000000000j\ntitle: big\nstatus: open\ncreated: 2026-01-02T03:04:05Z\nbody: ".to_vec();
    big.resize(1024 * 1024 + 10, b'x');
    repo.write_issue_file("000000000j.yaml", &big);
    repo
}

fn redact_outside(repo: &TestRepo, text: &str) -> String {
    let outside = std::fs::canonicalize(repo.outside()).expect("outside");
    text.replace(outside.to_str().expect("utf-8"), "<outside>")
}

#[test]
fn doctor_names_file_line_and_column_of_every_problem() {
    let repo = broken_tracker();
    let before = repo.tree();
    let run = repo.fails(&["doctor"], 1);
    insta::assert_snapshot!(redact_outside(&repo, &run.stdout), @r#"
    .issues/0000000001.yaml:3:8: title: expected a single text value
    .issues/0000000002.yaml:5:11: priority must be an integer from 0 (highest) to 4, found "high"
    .issues/0000000003.yaml:4:9: unknown status "shipped" (config.yaml defines open, in_progress, closed)
    .issues/0000000004.yaml:1:1: missing field title
    .issues/0000000005.yaml:3:8: the title is empty
    .issues/0000000006.yaml:2:5: id "00000000zz" does not match the file name (0000000006.yaml)
    .issues/0000000008.yaml:2:5: id "0000000007" does not match the file name (0000000008.yaml)
    .issues/0000000008.yaml:2:5: duplicate id: 0000000007 is also the id of .issues/0000000007.yaml
    .issues/0000000009.yaml:2:1: unresolved git conflict marker; resolve the merge, then run `yit doctor`
    .issues/000000000a.yaml:1:1: empty file
    .issues/000000000b.yaml:3:11: invalid UTF-8 (byte 0xe9)
    .issues/000000000c.yaml:9:45: anchors and aliases expand beyond what yit reads (an alias bomb?); refused
    .issues/000000000e.yaml:6:13: depends_on: expected a list, e.g. [a, b]
    .issues/000000000f.yaml:3:8: the title contains a line break; put longer text in the body
    .issues/000000000h.yaml: is a symlink leading out of the repository (to <outside>/secret.yaml); refused
    .issues/000000000j.yaml: file is 1048586 bytes, over the limit of 1048576 bytes (max_file_size in config.yaml); refused unread
    .issues/notes.yaml: file name is not an issue id (expected <id>.yaml with a lowercase Crockford base32 id)
    "#);
    assert_eq!(run.stderr, "error: 17 problem(s) in 16 file(s)\n");
    let json = repo.fails(&["doctor", "--json"], 1).json();
    let problems = json["problems"].as_array().expect("list");
    assert_eq!(problems.len(), 17);
    assert_eq!(
        problems[1],
        serde_json::json!({
            "path": ".issues/0000000002.yaml",
            "line": 5,
            "column": 11,
            "message": "priority must be an integer from 0 (highest) to 4, found \"high\"",
        })
    );
    assert_eq!(json["checked"], 18);
    assert_eq!(repo.tree(), before, "doctor changes nothing");
}

#[test]
fn list_shows_every_valid_issue_and_warns_once_per_broken_file() {
    let repo = broken_tracker();
    let before = repo.tree();
    let run = repo.fails(&["list", "--format", "ids"], 3);
    assert_eq!(run.stdout, "0000000000\n0000000007\n");
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 16, "{}", run.stderr);
    assert!(warnings.contains(&"warning: .issues/0000000002.yaml:5:11: priority must be an integer from 0 (highest) to 4, found \"high\""));
    assert!(run.stderr.ends_with("error: 16 issue file(s) could not be read; the other issues were listed\nhint: `yit doctor` lists every problem\n"), "{}", run.stderr);
    // with --json the issues are still JSON on stdout, the error JSON on stderr
    let run = repo.fails(&["list", "--json"], 3);
    assert_eq!(run.json()["issues"].as_array().map(Vec::len), Some(2));
    let last = run.stderr.lines().last().expect("error line");
    let err: serde_json::Value = serde_json::from_str(last).expect("json error");
    assert_eq!(err["error"]["exit_code"], 3);
    assert_eq!(err["error"]["problems"].as_array().map(Vec::len), Some(17));
    assert_eq!(repo.tree(), before, "list changes nothing");
}

#[test]
fn show_of_a_broken_file_points_at_the_problem() {
    let repo = broken_tracker();
    let cases = [
        (
            "0000000001",
            "error: .issues/0000000001.yaml:3:8: title: expected a single text value",
        ),
        (
            "0000000004",
            "error: .issues/0000000004.yaml:1:1: missing field title",
        ),
        (
            "0000000009",
            "error: .issues/0000000009.yaml:2:1: unresolved git conflict marker; resolve the merge, then run `yit doctor`",
        ),
        (
            "000000000a",
            "error: .issues/000000000a.yaml:1:1: empty file",
        ),
        (
            "000000000b",
            "error: .issues/000000000b.yaml:3:11: invalid UTF-8 (byte 0xe9)",
        ),
        (
            "000000000c",
            "error: .issues/000000000c.yaml:9:45: anchors and aliases expand beyond what yit reads (an alias bomb?); refused",
        ),
        (
            "000000000e",
            "error: .issues/000000000e.yaml:6:13: depends_on: expected a list, e.g. [a, b]",
        ),
        (
            "000000000j",
            "error: .issues/000000000j.yaml: file is 1048586 bytes, over the limit of 1048576 bytes (max_file_size in config.yaml); refused unread",
        ),
    ];
    for (id, first_line) in cases {
        let run = repo.fails(&["show", id], 1);
        assert_eq!(
            run.stderr.lines().next(),
            Some(first_line),
            "{id}: {}",
            run.stderr
        );
    }
    let run = repo.fails(&["show", "000000000h"], 1);
    assert_eq!(
        redact_outside(&repo, run.stderr.lines().next().expect("line")),
        "error: .issues/000000000h.yaml: is a symlink leading out of the repository (to <outside>/secret.yaml); refused"
    );
    let run = repo.fails(&["show", "000000000h", "--raw"], 1);
    assert!(
        run.stdout.is_empty(),
        "the symlink's target is never printed"
    );
    let run = repo.fails(&["show", "000000000j", "--raw"], 1);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_status_removed_from_config_flags_the_issues_that_use_it() {
    let repo = TestRepo::with_tracker();
    repo.write_issue_file("config.yaml", &fixture("config/with-review.yaml"));
    repo.write_issue_file("000000000g.yaml", &fixture("issues/uses-review.yaml"));
    repo.ok(&["doctor"]);
    repo.write_issue_file("config.yaml", &fixture("config/review-removed.yaml"));
    let run = repo.fails(&["doctor"], 1);
    assert_eq!(
        run.stdout,
        ".issues/000000000g.yaml:4:9: unknown status \"review\" (config.yaml defines open, in_progress, closed)\n"
    );
}

#[test]
fn a_broken_config_stops_every_command_with_its_position() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["exists"]);
    repo.write_issue_file("config.yaml", &fixture("config/broken.yaml"));
    let before = repo.tree();
    let run = repo.fails(&["doctor"], 1);
    insta::assert_snapshot!(run.stdout, @r#"
    .issues/config.yaml:3:3: statuses need exactly one with role active, found 0
    .issues/config.yaml:7:14: type "bug" is listed twice
    .issues/config.yaml:8:19: default_priority must be from 0 to 4, found 9
    .issues/config.yaml:9:16: max_file_size must be at least 1 byte
    "#);
    for args in [vec!["list"], vec!["new", "x"], vec!["config"]] {
        let run = repo.fails(&args, 1);
        assert!(
            run.stderr.starts_with("error: .issues/config.yaml:"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let run = repo.fails(&["list"], 1);
    insta::assert_snapshot!(run.stderr, @r#"
    error: .issues/config.yaml:3:3: statuses need exactly one with role active, found 0
      .issues/config.yaml:7:14: type "bug" is listed twice
      .issues/config.yaml:8:19: default_priority must be from 0 to 4, found 9
      .issues/config.yaml:9:16: max_file_size must be at least 1 byte
    hint: fix .issues/config.yaml; `yit doctor` lists every problem
    "#);
    assert_eq!(repo.tree(), before);
    repo.write_issue_file("config.yaml", b"format_version: 1\nstatuses: [\n");
    let run = repo.fails(&["list"], 1);
    assert!(
        run.stderr
            .starts_with("error: .issues/config.yaml:2:11: unclosed bracket"),
        "{}",
        run.stderr
    );
    repo.write_issue_file("config.yaml", b"format_version: 1\ncolour: red\n");
    let run = repo.fails(&["list"], 1);
    assert!(
        run.stderr
            .starts_with("error: .issues/config.yaml:2:1: unknown field `colour`"),
        "{}",
        run.stderr
    );
}

#[test]
fn planning_commands_report_an_unreadable_file_and_show_the_rest() {
    let repo = TestRepo::with_tracker();
    let good = repo.new_issue(&["Readable", "--body", "a needle here"]);
    let other = repo.new_issue(&["Another"]);
    repo.ok(&["dep", "add", &good, &other]);
    let broken = repo.issues_dir().join(format!("{other}.yaml"));
    std::fs::write(&broken, format!("id: {other}\ntitle: [broken\n")).expect("break");
    let before = repo.tree();
    let name = format!(".issues/{other}.yaml:2:");
    for args in [
        &["search", "needle"][..],
        &["board"],
        &["stats"],
        &["ready"],
        &["blocked"],
        &["list", "is:ready"],
    ] {
        let run = repo.fails(args, 3);
        assert!(
            run.stderr.contains(&name),
            "{args:?} names the file: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("could not be read"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // the readable issue is still shown, and (its blocker unreadable) ready
    assert!(
        repo.fails(&["search", "needle"], 3)
            .stdout
            .contains("Readable")
    );
    assert!(repo.fails(&["ready"], 3).stdout.contains(&good[..4]));
    assert_eq!(repo.tree(), before, "reading changes nothing");
    // a dependency on an unreadable file says so
    let third = repo.new_issue(&["Third"]);
    let before_dep = repo.tree();
    let said = repo.ok(&["dep", "add", &third, &other]);
    assert!(said.contains("(a file yit cannot read)"), "{said}");
    assert_ne!(repo.tree(), before_dep);
    // an export would lose the file: refused
    assert!(
        repo.fails(&["export"], 3)
            .stderr
            .contains("nothing was exported")
    );
    repo.ok(&["dep", "rm", &third, &other]);
}

/// A change that would make an issue file larger than `max_file_size` is
/// refused with the sizes, and nothing is written: the issue stays
/// readable (yit refuses to read a file over the limit).
#[test]
fn a_change_that_would_pass_max_file_size_is_refused_and_writes_nothing() {
    let repo = TestRepo::with_tracker();
    let config = repo.issues_dir().join("config.yaml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        text.replace("max_file_size: 1048576", "max_file_size: 4000"),
    )
    .expect("write");
    let id = repo.new_issue(&["Grows — ünïcode"]);
    let big = "ä long line of Markdown\n".repeat(200);
    let before = repo.tree();
    for args in [
        vec!["edit", id.as_str(), "--body", big.as_str()],
        vec!["comment", id.as_str(), big.as_str()],
    ] {
        let run = repo.fails(&args, 1);
        assert!(
            run.stderr.contains(&format!(".issues/{id}.yaml would be"))
                && run
                    .stderr
                    .contains("over max_file_size (4000 bytes); nothing was written"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(repo.tree(), before, "{args:?} wrote nothing");
    }
    let piped = repo.run_stdin(&["edit", &id, "--body-file", "-"], &big);
    assert_eq!(piped.code, 1, "{}", piped.stderr);
    assert_eq!(repo.tree(), before);
    // the issue is as readable as before
    assert_eq!(repo.ok(&["list", "--format", "ids"]), format!("{id}\n"));
}

/// Output that cannot be written (a full disk: /dev/full) never panics,
/// and a `new` whose id could not be printed says that the issue exists,
/// so that a script does not retry into a duplicate.
#[test]
fn output_that_cannot_be_written_is_said_not_a_panic() {
    let repo = TestRepo::with_tracker();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    for args in [
        vec!["list", "nosuchword"],
        vec!["show", "nosuch"],
        vec!["doctor"],
    ] {
        let out = repo.cmd(&args).stderr(full()).output().expect("yit runs");
        assert_ne!(out.status.code(), Some(101), "{args:?} panicked");
    }
    let out = repo
        .cmd(&["new", "Full disk"])
        .stdout(full())
        .output()
        .expect("yit runs");
    assert_eq!(out.status.code(), Some(70));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ids = repo.ok(&["list", "--format", "ids"]);
    let id = ids.trim();
    assert_eq!(ids.lines().count(), 1, "the issue was created once");
    assert!(
        stderr.contains(&format!(
            "issue {id} was created, but its id could not be printed"
        )),
        "{stderr}"
    );
}

/// A temporary file that a killed write left in `.issues/` is removed by
/// the next command that lists the directory once it is old enough to be
/// no live write's, and `doctor` says so; a fresh one is left alone.
#[test]
fn leftovers_of_killed_writes_are_swept_and_named() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Kept"]);
    let old = repo.issues_dir().join(".yit-tmp-killed1");
    let fresh = repo.issues_dir().join(".yit-tmp-inflight");
    std::fs::write(&old, "half a file").expect("write");
    std::fs::write(&fresh, "a write in flight").expect("write");
    let touched = std::process::Command::new("touch")
        .args(["-d", "2 hours ago"])
        .arg(&old)
        .status()
        .expect("touch");
    assert!(touched.success());
    let doctor = repo.run(&["doctor", "--json"]).json();
    let warnings = doctor["warnings"].to_string();
    assert!(
        warnings.contains(".issues/.yit-tmp-killed1: an interrupted write left it"),
        "{warnings}"
    );
    assert!(!old.exists(), "the old leftover is gone");
    assert!(fresh.exists(), "a fresh one may be a live write's");
}

/// Broken files and values are said as what the person wrote, at the
/// place they wrote it, not in the parser's own terms.
#[test]
fn broken_yaml_is_said_in_the_writers_terms() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Said plainly"]);
    let path = repo.issues_dir().join(format!("{id}.yaml"));
    let good = std::fs::read_to_string(&path).expect("read");
    let lines = good.lines().count();
    for (text, expected) in [
        (
            format!("{good}---\ntitle: second\n"),
            format!(
                "{}:1: a second YAML document starts here (`---`); a file holds one",
                lines + 1
            ),
        ),
        (
            format!("{good}title: again\n"),
            format!("{}:1: the key \"title\" appears twice; keep one", lines + 1),
        ),
        (
            format!("id: {id}\n\ttitle: tabbed\n"),
            "2:1: a tab indents this line; YAML indents with spaces".to_owned(),
        ),
    ] {
        std::fs::write(&path, &text).expect("write");
        let run = repo.fails(&["show", &id], 1);
        assert!(
            run.stderr
                .contains(&format!(".issues/{id}.yaml:{expected}")),
            "{text:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("DuplicateKeyPolicy") && !run.stderr.contains("alias bomb"));
    }
    std::fs::write(&path, &good).expect("write");
    let long = "x".repeat(100_000);
    let run = repo.fails(&["label", "add", &id, &long], 1);
    assert!(
        run.stderr.len() < 300,
        "the label is not echoed whole: {} bytes",
        run.stderr.len()
    );
    assert!(
        run.stderr
            .contains("(100000 characters) is longer than 100 characters"),
        "{}",
        run.stderr
    );
}

/// A clone's config.yaml that links to /dev/zero, or is a FIFO, is refused
/// at once (nothing follows the link, nothing waits on the FIFO); a body
/// piped on standard input is read only up to max_file_size.
#[test]
fn config_links_fifos_and_endless_stdin_are_bounded() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Bounded"]);
    let config = repo.issues_dir().join("config.yaml");
    let kept = std::fs::read(&config).expect("read");
    std::fs::remove_file(&config).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &config).expect("symlink");
    let started = std::time::Instant::now();
    let run = repo.fails(&["list"], 1);
    assert!(run.stderr.contains("config.yaml"), "{}", run.stderr);
    std::fs::remove_file(&config).expect("rm");
    let made = std::process::Command::new("mkfifo")
        .arg(&config)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let run = repo.run(&["list"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("config.yaml"), "{}", run.stderr);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "nothing waited"
    );
    std::fs::remove_file(&config).expect("rm");
    std::fs::write(&config, kept).expect("restore");
    let before = repo.tree();
    let endless = "z".repeat(3 << 20);
    // (yit stops reading past the limit: the writer may see a broken pipe)
    let mut child = repo
        .cmd(&["edit", &id, "--body-file", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(endless.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("standard input is over 1048576 bytes"),
        "{stderr}"
    );
    assert_eq!(repo.tree(), before);
}

/// An issue file that is a FIFO or a link (a clone may bring either) is
/// not waited on or followed by `diff`, nor by `restore` from the trash.
#[test]
fn diff_and_restore_neither_wait_on_fifos_nor_follow_links() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Plain"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    let within = |args: &[&str]| {
        let mut child = repo.cmd(args).spawn().expect("spawn");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("yit {args:?} waited on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    let path = repo.issues_dir().join(format!("{id}.yaml"));
    std::fs::remove_file(&path).expect("rm");
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    within(&["diff", "HEAD"]);
    std::fs::remove_file(&path).expect("rm");
    std::os::unix::fs::symlink("/etc/passwd", &path).expect("symlink");
    let shown = repo.run(&["diff", "HEAD", "--json"]);
    assert!(
        !shown.stdout.contains("root:"),
        "a link was followed: {}",
        shown.stdout
    );
    // a FIFO in the trash is not waited on by restore
    std::fs::remove_file(&path).expect("rm");
    repo.git(&["checkout", "--", "."]);
    repo.ok(&["rm", &id, "--yes"]);
    let trash = repo.root().join(".git/yit/trash");
    let mut trashed: Vec<_> = walk(&trash);
    assert_eq!(trashed.len(), 1, "{trashed:?}");
    let file = trashed.pop().expect("one");
    std::fs::remove_file(&file).expect("rm");
    let made = std::process::Command::new("mkfifo")
        .arg(&file)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    assert!(!within(&["restore", &id]).success());
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// `yit commit` does not commit an issue file that is a link: no reader of
/// yit's would read it in the clones that get it.
#[test]
fn commit_refuses_a_linked_issue_file_and_commits_nothing() {
    let repo = TestRepo::with_tracker();
    let kept = repo.new_issue(&["Kept"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    repo.ok(&["comment", &kept, "a change to commit"]);
    let link = repo.issues_dir().join("0000000000.yaml");
    std::os::unix::fs::symlink("/etc/passwd", &link).expect("symlink");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let run = repo.fails(&["commit"], 1);
    assert!(
        run.stderr
            .contains(".issues/0000000000.yaml is not a regular file"),
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        head,
        "nothing was committed"
    );
    std::fs::remove_file(&link).expect("rm");
    repo.ok(&["commit"]);
    assert_ne!(repo.git(&["rev-parse", "HEAD"]), head);
}

/// `label add ID -- LABEL` with one id, as yit's own hint suggests; a
/// CRLF file keeps CRLF on every line through an edit and a comment.
#[test]
fn one_id_before_dashes_and_crlf_files_keep_their_endings() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Labelled", "--body", "line one\nline two"]);
    repo.ok(&["label", "add", &id, "--", "4k2f-followup"]);
    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(
        shown["issue"]["labels"],
        serde_json::json!(["4k2f-followup"])
    );
    // the file as a Windows editor saves it
    let full = shown["issue"]["id"].as_str().expect("id").to_owned();
    let path = repo.issues_dir().join(format!("{full}.yaml"));
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace('\n', "\r\n")).expect("write");
    repo.ok(&[
        "edit",
        &id,
        "--title",
        "Edited on Windows",
        "--priority",
        "1",
    ]);
    repo.ok(&["comment", &id, "a comment\nover two lines"]);
    repo.ok(&["label", "add", &id, "second"]);
    let after = std::fs::read(&path).expect("read");
    let lone = after
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' && (*i == 0 || after[i - 1] != b'\r'))
        .count();
    assert_eq!(lone, 0, "{}", String::from_utf8_lossy(&after));
    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(shown["issue"]["title"], "Edited on Windows");
    assert_eq!(shown["issue"]["body"], "line one\nline two");
    assert_eq!(
        shown["issue"]["comments"][0]["body"],
        "a comment\nover two lines"
    );
}

/// Ctrl-C while the editor is open reaches yit and the editor both: yit
/// waits for the editor as git does, keeps what the person saved, removes
/// its scratch file, changes nothing and ends of the signal.
#[test]
fn an_interrupted_editor_leaves_no_scratch_file() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Edited"]);
    let before = repo.tree();
    let pidfile = repo.outside().join("editor.pid");
    let editor = repo.editor(
        "slow-editor",
        &format!(
            "printf 'title: Half typed\\n' > \"$1\"\necho $$ > '{}'\nexec sleep 30",
            pidfile.display()
        ),
    );
    let mut cmd = repo.cmd(&["edit", &id]);
    cmd.env("EDITOR", &editor)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = common::Spawned::new(cmd.spawn().expect("yit edit"));
    assert!(
        common::wait_until(std::time::Duration::from_secs(10), || {
            std::fs::read_to_string(&pidfile).is_ok_and(|p| p.trim().parse::<u32>().is_ok())
        }),
        "the editor started"
    );
    let editor_pid: u32 = std::fs::read_to_string(&pidfile)
        .expect("pid")
        .trim()
        .parse()
        .expect("pid");
    // what a terminal's Ctrl-C does: both get SIGINT
    assert!(common::signal(child.id(), rustix::process::Signal::INT));
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert!(common::signal(editor_pid, rustix::process::Signal::INT));
    let out = child.wait_output();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&out.status),
        Some(2),
        "{out:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("interrupted; nothing was changed"),
        "{stderr}"
    );
    let state = repo.root().join(".git/yit");
    let scratch: Vec<_> = std::fs::read_dir(state.join("edit"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(scratch.is_empty(), "{scratch:?}");
    let kept: Vec<_> = std::fs::read_dir(state.join("recovery"))
        .expect("recovery")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).expect("read"))
        .collect();
    assert_eq!(kept, vec!["title: Half typed\n".to_owned()]);
    assert_eq!(repo.tree(), before, "nothing changed");
}

/// Terminal escapes: an assignee with a control character is refused;
/// bodies and comments (which may hold any text) are printed with their
/// control characters made visible, and kept exact in JSON.
#[test]
fn terminal_escapes_in_issue_text_never_reach_the_terminal() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Target"]);
    let before = repo.tree();
    for person in [
        "Ann <ann@example.com>\u{1b}]52;c;cHduZWQ=\u{7}",
        "Ann <ann@example.com>\r",
        "Ann\n<ann@example.com>",
    ] {
        let run = repo.run(&["assign", &id, person]);
        assert_eq!(run.code, 1, "{person:?}: {}", run.stderr);
        assert!(run.stderr.contains("control character"), "{}", run.stderr);
        let run = repo.run(&["new", "Other", "--assignee", person]);
        assert_eq!(run.code, 1, "{person:?}: {}", run.stderr);
    }
    assert_eq!(repo.tree(), before);
    let hostile = "clip\u{1b}]52;c;cHduZWQ=\u{7} clear\u{1b}[2J\u{1b}[H cr\rover \u{9b}31m";
    let id = repo.new_issue(&["Hostile", "--body", hostile]);
    repo.ok(&["comment", &id, hostile]);
    for args in [
        vec!["show", id.as_str()],
        vec!["search", "clip"],
        vec!["list"],
    ] {
        let out = repo.ok(&args);
        assert!(
            !out.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{args:?}: {out:?}"
        );
        if args[0] == "show" {
            assert!(
                out.contains("clip^[]52;c;cHduZWQ=^G clear^[[2J^[[H cr^Mover"),
                "{out}"
            );
        }
    }
    let json = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(json["issue"]["body"], hostile);
    assert_eq!(json["issue"]["comments"][0]["body"], hostile);
}

/// A daemon that cannot start says why through `daemon start`, even when
/// its log cannot be written (a full disk).
#[test]
fn a_daemon_that_cannot_start_says_why() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Served"]);
    let state = repo.root().join(".git/yit");
    std::fs::create_dir_all(&state).expect("state");
    let _ = std::fs::remove_file(state.join("daemon.log"));
    std::os::unix::fs::symlink("/dev/full", state.join("daemon.log")).expect("link");
    std::fs::create_dir(state.join("daemon.pid")).expect("a directory in its way");
    let run = repo.run(&["daemon", "start"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("daemon.pid"), "{}", run.stderr);
    assert!(run.stderr.contains("Is a directory"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}
