//! End-to-end tests of the core commands: init, new, list, show, doctor,
//! config, and the output conventions they share.

use crate::common;

use common::{AUTHOR, DaemonGuard, NOW, Run, TestRepo};

#[test]
fn init_creates_config_once_and_says_so_when_there() {
    let repo = TestRepo::new();
    let first = repo.ok(&["init"]);
    assert_eq!(
        first,
        format!(
            "Initialized a yit tracker in {}\n\
             Registered the merge driver for issue files (git config merge.yit.*, .gitattributes)\n\
             Commit .issues and .gitattributes (`yit commit`) so that clones get the tracker and its merge driver\n",
            repo.issues_dir().display()
        )
    );
    let config =
        std::fs::read_to_string(repo.issues_dir().join("config.yaml")).expect("config written");
    assert!(config.contains("format_version: 1\n"), "{config}");
    let before = repo.tree();
    let second = repo.ok(&["init"]);
    assert_eq!(
        second,
        format!(
            "A yit tracker is already initialized in {}; nothing changed\n",
            repo.issues_dir().display()
        )
    );
    assert_eq!(repo.tree(), before, "a second init changes nothing");
    let json = repo.run(&["init", "--json"]).json();
    assert_eq!(json["init"]["created"], false);
}

#[test]
fn outside_a_repository_and_without_a_tracker_errors_point_the_way() {
    let repo = TestRepo::new();
    let outside = repo.outside();
    let run = repo.fails(&["-C", outside.to_str().expect("utf-8 path"), "list"], 1);
    insta::assert_snapshot!(run.stderr, @"
    error: not inside a git repository
    hint: run `git init` first, or use -C <dir> to point at a repository
    ");
    let run = repo.fails(&["list"], 1);
    insta::assert_snapshot!(run.stderr.replace(repo.root().to_str().expect("utf-8"), "<repo>"), @"
    error: no yit tracker in <repo>
    hint: run `yit init` to create a tracker in this repository
    ");
    let run = repo.fails(&["list", "--json"], 1);
    let err = run.stderr_json();
    assert_eq!(err["schema_version"], 1);
    assert_eq!(err["error"]["exit_code"], 1);
    assert_eq!(
        err["error"]["hints"][0],
        "run `yit init` to create a tracker in this repository"
    );
}

#[test]
fn new_writes_a_canonical_file_and_prints_the_short_id() {
    let repo = TestRepo::with_tracker();
    let short = repo.ok(&[
        "new",
        "Crash on empty repo",
        "--type",
        "bug",
        "-l",
        "crash",
        "-l",
        "ui",
        "-p",
        "1",
        "--body",
        "It crashes.\n\nEvery time.\n",
    ]);
    let short = short.trim();
    assert_eq!(short.len(), 4, "{short}");
    let files: Vec<_> = std::fs::read_dir(repo.issues_dir())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .filter(|n| n != "config.yaml" && n != ".gitignore")
        .collect();
    assert_eq!(files.len(), 1);
    let id = files[0].strip_suffix(".yaml").expect("yaml");
    assert!(id.starts_with(short));
    assert_eq!(id.len(), 10);
    let text = repo.read_issue_file(id);
    insta::assert_snapshot!(text, @r#"
    id: jacznvy8e0
    title: Crash on empty repo
    status: open
    priority: 1
    type: bug
    labels:
      - crash
      - ui
    assignee: null
    author: Ann Lee <ann@example.com>
    created: "2026-01-02T03:04:05Z"
    updated: "2026-01-02T03:04:05Z"
    body: |
      It crashes.

      Every time.
    comments: []
    "#);
}

#[test]
fn new_json_carries_every_field() {
    let repo = TestRepo::with_tracker();
    let run = repo.run(&[
        "new",
        "Title",
        "--json",
        "--assignee",
        "me",
        "--status",
        "in_progress",
        "--type",
        "feature",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["schema_version"], 1);
    let issue = &json["issue"];
    let id = issue["id"].as_str().expect("id");
    assert_eq!(issue["short_id"].as_str(), Some(&id[..4]));
    assert_eq!(issue["title"], "Title");
    assert_eq!(issue["status"], "in_progress");
    assert_eq!(issue["priority"], 2);
    assert_eq!(issue["type"], "feature");
    assert_eq!(issue["labels"], serde_json::json!([]));
    assert_eq!(issue["assignee"], AUTHOR);
    assert_eq!(issue["author"], AUTHOR);
    assert_eq!(issue["created"], NOW);
    assert_eq!(issue["updated"], NOW);
    assert_eq!(issue["body"], "");
    assert_eq!(issue["comments"], serde_json::json!([]));
    assert_eq!(issue["extra"], serde_json::json!({}));
}

#[test]
fn body_comes_from_a_file_or_standard_input() {
    let repo = TestRepo::with_tracker();
    let path = repo.outside().join("body.md");
    std::fs::write(&path, "from a file\n").expect("write");
    let id = repo.new_issue(&["From file", "--body-file", path.to_str().expect("utf-8")]);
    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(shown["issue"]["body"], "from a file\n");
    let run = repo.run_stdin(
        &["new", "From stdin", "--body-file", "-", "--json"],
        "piped\r\nbody  ",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["issue"]["body"], "piped\r\nbody  ");
    let run = repo.fails(&["new", "x", "--body-file", "/nonexistent/file"], 1);
    // the io error is kept as the cause
    assert_eq!(
        run.stderr,
        "error: cannot read /nonexistent/file\n  caused by: No such file or directory (os error 2)\n"
    );
}

#[test]
fn text_round_trips_exactly() {
    let repo = TestRepo::with_tracker();
    let title = "Crash: on # empty 'repo' \"x\" 😀 שלום  ";
    let body =
        "emoji 🦀 and עברית\r\ntrailing spaces   \n\tindented\n  two spaces\nno final newline";
    let id = repo.new_issue(&[title, "--body", body]);
    let issue = &repo.run(&["show", &id, "--json"]).json()["issue"];
    // (a title keeps no spaces around it; everything else as typed)
    assert_eq!(issue["title"], title.trim());
    assert_eq!(issue["body"], body);
    let listed = repo.run(&["list", "--json"]).json();
    assert_eq!(listed["issues"][0]["title"], title.trim());
    repo.ok(&["doctor"]);
}

#[test]
fn bad_titles_and_fields_are_refused_with_nothing_written() {
    let repo = TestRepo::with_tracker();
    let before = repo.tree();
    for (args, code, message) in [
        (vec!["new", ""], 1, "error: the title is empty\n"),
        (vec!["new", "   "], 1, "error: the title is empty\n"),
        (
            vec!["new", "two\nlines"],
            1,
            "error: the title contains a line break; put longer text in the body\n",
        ),
        (
            vec!["new", "cr\rhere"],
            1,
            "error: the title contains a line break; put longer text in the body\n",
        ),
        (
            vec!["new", "x", "--status", "shipped"],
            1,
            "error: unknown status \"shipped\" (config.yaml defines open, in_progress, closed)\n",
        ),
        (
            vec!["new", "x", "--type", "epic"],
            1,
            "error: unknown type \"epic\" (config.yaml defines bug, feature, task, chore)\n",
        ),
        (
            vec!["new", "x", "--label", "a,b"],
            1,
            "error: label \"a,b\" contains a comma\n",
        ),
        (
            vec!["new", "x", "--label", " "],
            1,
            "error: a label cannot be empty\n",
        ),
        (
            vec!["new", "x", "--assignee", "bob"],
            1,
            "error: assignee: \"bob\" is not `Name <email>` or an email address\n",
        ),
        (
            vec!["new"],
            2,
            "error: no editor to run: set $VISUAL or $EDITOR, or pass the text as arguments\n",
        ),
    ] {
        let run = repo.fails(&args, code);
        assert_eq!(run.stderr, message, "{args:?}");
        assert_eq!(run.stdout, "", "{args:?}");
    }
    let run = repo.fails(&["new", "x", "--priority", "5"], 2);
    insta::assert_snapshot!(run.stderr, @"
    error: invalid value '5' for '--priority <PRIORITY>': a priority is a number from 0 (most urgent) to 4, or P0 to P4

    For more information, try '--help'.
    ");
    assert_eq!(repo.tree(), before, "nothing was written");
}

#[test]
fn without_a_git_identity_new_fails_with_a_hint() {
    let repo = TestRepo::with_tracker();
    let mut cmd = repo.cmd(&["new", "x"]);
    cmd.env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL");
    let out = cmd.output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stderr), @r#"
    error: no author identity: git has no user.name and user.email for this repository
    hint: tell git who you are: git config user.name "Your Name" && git config user.email you@example.com
    "#);
}

#[test]
fn list_filters_sorts_and_limits() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Alpha", "-p", "3", "-l", "ui"]);
    let b = repo.new_issue(&[
        "Bravo", "-p", "0", "-l", "ui", "-l", "crash", "--type", "bug",
    ]);
    let c = repo.new_issue(&["Charlie", "-p", "3", "--assignee", "Bob <BOB@example.com>"]);
    let d = repo.new_issue(&["Delta", "--status", "closed"]);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--format", "ids"];
        all.extend_from_slice(args);
        repo.ok(&all).lines().map(str::to_owned).collect()
    };
    // same priority and creation time: the id breaks the tie
    let (first3, second3) = if a < c { (&a, &c) } else { (&c, &a) };
    assert_eq!(ids(&[]), vec![b.clone(), first3.clone(), second3.clone()]);
    assert_eq!(ids(&["--all"]).len(), 4);
    assert_eq!(ids(&["--status", "closed"]), vec![d.clone()]);
    assert_eq!(ids(&["--label", "ui"]), vec![b.clone(), a.clone()]);
    assert_eq!(ids(&["--label", "ui", "--label", "crash"]), vec![b.clone()]);
    assert_eq!(ids(&["--assignee", "bob@example.com"]), vec![c.clone()]);
    assert_eq!(
        ids(&["--assignee", "none", "--priority", "3"]),
        vec![a.clone()]
    );
    assert_eq!(ids(&["--type", "bug"]), vec![b.clone()]);
    assert_eq!(ids(&["--priority", "0", "--priority", "3"]).len(), 3);
    assert_eq!(ids(&["--limit", "1"]), vec![b.clone()]);
    assert_eq!(ids(&["--reverse", "--limit", "1"]), vec![second3.clone()]);
    let mut sorted = vec![a.clone(), b.clone(), c.clone()];
    sorted.sort();
    assert_eq!(ids(&["--sort", "id"]), sorted);
    assert_eq!(ids(&["--assignee", "me"]), Vec::<String>::new());
    let run = repo.fails(&["list", "--status", "shipped"], 1);
    insta::assert_snapshot!(run.stderr, @r#"error: unknown status "shipped" (config.yaml defines open, in_progress, closed)"#);

    let json = repo.run(&["list", "--json", "--label", "crash"]).json();
    assert_eq!(json["schema_version"], 1);
    let issues = json["issues"].as_array().expect("list");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["id"], b.as_str());
    assert_eq!(issues[0]["short_id"], &b[..4]);
    let jsonl = repo.ok(&["list", "--format", "jsonl"]);
    assert_eq!(jsonl.lines().count(), 3);

    // a and c tie on priority and time, so their ids (fixed by YIT_SEED)
    // order them
    let table = repo.ok(&["list", "--all", "--assignee", "none"]);
    insta::assert_snapshot!(table, @"
    ID    PRI  STATUS  TYPE  ASSIGNEE  TITLE  LABELS
    3pws  P0   open    bug   -         Bravo  ui,crash
    pp1w  P2   closed  task  -         Delta
    jacz  P3   open    task  -         Alpha  ui
    ");
    let table = repo.ok(&["list", "--assignee", "bob@example.com"]);
    insta::assert_snapshot!(table, @"
    ID    PRI  STATUS  TYPE  ASSIGNEE  TITLE    LABELS
    57h8  P3   open    task  Bob       Charlie
    ");
}

#[test]
fn list_off_a_terminal_never_truncates_and_has_no_colour() {
    let repo = TestRepo::with_tracker();
    let long = "A very long title that goes on and on well past any terminal width you might have, really it does, on and on";
    repo.new_issue(&[long]);
    let mut cmd = repo.cmd(&["list"]);
    cmd.env("COLUMNS", "40");
    let out = cmd.output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(long), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour off a terminal");
    let coloured = repo.ok(&["list", "--color", "always"]);
    assert!(coloured.contains("\u{1b}["), "{coloured}");
}

#[test]
fn list_on_a_terminal_fits_the_width() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&[
        "A very long title that goes on and on well past any terminal width you might have",
    ]);
    let run = repo.run_on_terminal(&["list"], &[("COLUMNS", "50"), ("NO_COLOR", "1")], "");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    for line in &lines {
        assert!(unicode_width(line) <= 50, "{line:?} is wider than 50");
    }
    assert!(lines[1].contains('…'), "{}", run.stdout);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "NO_COLOR turns colour off: {:?}",
        run.stdout
    );
    let run = repo.run_on_terminal(&["list"], &[("COLUMNS", "50")], "");
    assert!(
        run.stdout.contains("\u{1b}[33m"),
        "ids are yellow on a terminal: {:?}",
        run.stdout
    );
    let run = repo.run_on_terminal(&["list", "--color", "never"], &[("COLUMNS", "50")], "");
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    let run = repo.run_on_terminal(&["list"], &[("COLUMNS", "200")], "");
    assert!(
        run.stdout.contains("terminal width you might have"),
        "a wide terminal cuts nothing: {:?}",
        run.stdout
    );
}

#[test]
fn labels_are_cut_like_titles_on_a_narrow_terminal() {
    let repo = TestRepo::with_tracker();
    let labels = [
        "performance",
        "needs-design",
        "good-first-issue",
        "documentation",
    ];
    let mut args = vec!["Short title here"];
    for l in &labels {
        args.extend(["-l", l]);
    }
    repo.new_issue(&args);
    let run = repo.run_on_terminal(&["list", "--color", "never"], &[("COLUMNS", "90")], "");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    for line in &lines {
        assert!(unicode_width(line) <= 90, "{line:?} is wider than 90");
    }
    let row = lines[1];
    assert!(
        row.contains("Short title here"),
        "the title stays whole: {row}"
    );
    assert!(row.contains("performance,needs-design"), "{row}");
    assert!(row.ends_with('…'), "the labels are cut: {row}");
    let wide = repo.run_on_terminal(&["list", "--color", "never"], &[("COLUMNS", "200")], "");
    assert!(
        wide.stdout.contains("good-first-issue,documentation"),
        "{}",
        wide.stdout
    );
}

/// Display width of the ASCII-and-ellipsis lines the test prints.
fn unicode_width(s: &str) -> usize {
    s.chars().count()
}

#[test]
fn show_renders_for_people_json_and_raw() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&[
        "Crash on empty repo",
        "--type",
        "bug",
        "-l",
        "crash",
        "-p",
        "1",
        "--assignee",
        "me",
        "--body",
        "Steps:\n  1. run\n",
    ]);
    let text = repo.ok(&["show", &id[..4]]);
    insta::assert_snapshot!(text, @"
    jacz  Crash on empty repo
    id        jacznvy8e0
    status    open
    priority  P1
    type      bug
    labels    crash
    assignee  Ann Lee <ann@example.com>
    author    Ann Lee <ann@example.com>
    created   2026-01-02 03:04:05 +00:00
    updated   2026-01-02 03:04:05 +00:00

    Steps:
      1. run
    ");
    let raw = repo.ok(&["show", &id, "--raw"]);
    assert_eq!(raw, repo.read_issue_file(&id));
    let json = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(json["issue"]["id"], id.as_str());
    assert_eq!(json["issue"]["labels"], serde_json::json!(["crash"]));
}

#[test]
fn show_lists_the_issues_around_it_with_titles_and_statuses() {
    let repo = TestRepo::with_tracker();
    let epic = repo.new_issue(&["Epic"]);
    let dep = repo.new_issue(&["Schema first", "--status", "in_progress"]);
    let gone = "zzzzzzzzzz";
    let id = repo.new_issue(&["The middle", "--parent", &epic, "-d", &dep]);
    repo.new_issue(&["A child", "--parent", &id]);
    let waiter = repo.new_issue(&["Waits for it", "-d", &id, "-p", "0"]);
    // a dependency on an issue that no longer exists, by hand
    let path = repo.issues_dir().join(format!("{id}.yaml"));
    let text = std::fs::read_to_string(&path).expect("read");
    let line = text
        .lines()
        .find(|l| l.trim_start() == format!("- {dep}"))
        .expect("the dependency's line");
    let both = format!("{line}\n{}", line.replace(&dep, gone));
    std::fs::write(&path, text.replace(line, &both)).expect("write");
    // from the files (through the index), and from a daemon; the ids are
    // the same on every run (each command has its own YIT_SEED)
    let text = repo.ok(&["show", &id]);
    insta::assert_snapshot!(text, @"
    57h8  The middle
    id          57h8t0txvb
    status      open
    priority    P2
    type        task
    assignee    -
    author      Ann Lee <ann@example.com>
    created     2026-01-02 03:04:05 +00:00
    updated     2026-01-02 03:04:05 +00:00
    parent      jacz  open         Epic
    depends on  3pws  in_progress  Schema first
                zzzz  -            (no valid issue has this id)
    blocks      r7pf  open         Waits for it
    children    pp1w  open         A child
    ");
    assert_eq!(repo.ok(&["show", &id, "--no-index"]), text);
    {
        let _daemon = DaemonGuard::start(&repo, &[]);
        assert_eq!(repo.ok(&["show", &id]), text);
        let json = repo.run(&["show", &id, "--json"]).json();
        assert_eq!(json["related"]["blocks"][0]["id"], waiter.as_str());
        assert_eq!(json["related"]["blocks"][0]["priority"], 0);
        assert_eq!(json["related"]["depends_on"][1]["id"], gone);
        assert_eq!(
            json["related"]["depends_on"][1]["title"],
            serde_json::Value::Null
        );
        assert_eq!(json["related"]["children"][0]["title"], "A child");
        assert_eq!(json["related"]["parent"]["status"], "open");
    }
    let json = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(json["related"]["blocks"][0]["short_id"], &waiter[..4]);
    // times: local, and on a terminal how long ago
    let text = repo.ok(&["show", &id]);
    assert!(
        text.contains("created     2026-01-02 03:04:05 +00:00\n"),
        "{text}"
    );
    let run = repo.run_on_terminal(
        &["show", &id, "--color", "never"],
        &[("TZ", "Asia/Kolkata"), ("YIT_NOW", "2026-01-02T05:05:05Z")],
        "",
    );
    assert!(
        run.stdout
            .contains("created     2026-01-02 08:34 +05:30 (2 h ago)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn ids_resolve_by_prefix_case_and_crockford_aliases() {
    let repo = TestRepo::with_tracker();
    let template = "title: T\nstatus: open\ncreated: 2026-01-02T03:04:05Z\n";
    for id in ["0111aaaa00", "0111aaab00", "zz00000000"] {
        repo.write_issue_file(
            &format!("{id}.yaml"),
            format!("id: {id}\n{template}").as_bytes(),
        );
    }
    let id_of = |input: &str| {
        repo.run(&["show", input, "--json"]).json()["issue"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    assert_eq!(id_of("ZZ"), "zz00000000");
    assert_eq!(id_of("OIL1AAAA"), "0111aaaa00", "o→0, i/l→1, any case");
    assert_eq!(id_of("0111aaab00"), "0111aaab00");
    let run = repo.fails(&["show", "0111"], 1);
    insta::assert_snapshot!(run.stderr, @r#"
    error: "0111" matches 2 issues: 0111aaaa00, 0111aaab00
    hint: type more characters of the id
    "#);
    let run = repo.fails(&["show", "../x"], 1);
    insta::assert_snapshot!(run.stderr, @r#"error: "../x" is not a valid issue id (ids use the letters 0-9 and a-z without i, l, o, u)"#);
    let run = repo.fails(&["show", "abcd"], 1);
    insta::assert_snapshot!(run.stderr, @r#"error: no issue matches "abcd""#);
    // short ids are unique among all files, at least 4 characters
    let listed = repo.run(&["list", "--json"]).json();
    let shorts: Vec<&str> = listed["issues"]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["short_id"].as_str().expect("short"))
        .collect();
    assert_eq!(shorts, vec!["0111aaaa", "0111aaab", "zz00"]);
}

#[test]
fn a_hand_written_file_is_read_with_its_extra_keys() {
    let repo = TestRepo::with_tracker();
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/issues/valid-hand-written.yaml"
    ))
    .expect("fixture");
    repo.write_issue_file("0000000000.yaml", &fixture);
    let json = repo.run(&["show", "0000", "--json"]).json();
    let issue = &json["issue"];
    assert_eq!(
        issue["title"],
        "A valid issue: written by hand # not a comment"
    );
    assert_eq!(
        issue["labels"],
        serde_json::json!(["crash", "needs: triage"])
    );
    assert_eq!(
        issue["updated"], "2026-01-02T22:00:00Z",
        "offsets are normalized to UTC"
    );
    assert_eq!(issue["extra"], serde_json::json!({"estimate": "3d"}));
    assert_eq!(issue["comments"][0]["id"], "c0mment001");
    assert_eq!(
        issue["body"],
        "Steps:\n  1. run it\n\nExpected: no crash.\n"
    );
    let text = repo.ok(&["show", "0000"]);
    insta::assert_snapshot!(text, @"
    0000  A valid issue: written by hand # not a comment
    id        0000000000
    status    open
    priority  P1
    type      bug
    labels    crash, needs: triage
    assignee  Bob <bob@example.com>
    author    Ann Lee <ann@example.com>
    created   2026-01-02 03:04:05 +00:00
    updated   2026-01-02 22:00:00 +00:00
    estimate  3d

    Steps:
      1. run it

    Expected: no crash.

    ── comment c0mment001 by Bob <bob@example.com>, 2026-01-02 04:00:00 +00:00 ──
    Seen it too.
    ");
    repo.ok(&["doctor"]);
}

#[test]
fn commands_work_from_a_subdirectory() {
    let repo = TestRepo::with_tracker();
    let sub = repo.root().join("src/deep");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let mut cmd = repo.cmd(&["new", "From below"]);
    cmd.current_dir(&sub);
    assert!(cmd.output().expect("runs").status.success());
    let out = repo.ok(&["-C", "src/deep", "list", "--format", "ids"]);
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn doctor_reports_a_clean_tracker_and_json() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Fine"]);
    let run = repo.run(&["doctor"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "checked 1 issue file(s): no problems\n")
    );
    let json = repo.run(&["doctor", "--json"]).json();
    assert_eq!(
        json,
        serde_json::json!({"schema_version": 1, "checked": 1, "problems": [], "warnings": []})
    );
}

#[test]
fn config_prints_the_effective_configuration() {
    let repo = TestRepo::with_tracker();
    insta::assert_snapshot!(repo.ok(&["config"]), @"
    format_version: 1
    statuses:
      - name: open
        role: initial
      - name: in_progress
        role: active
      - name: closed
        role: closed
    default_priority: 2
    types:
      - bug
      - feature
      - task
      - chore
    default_type: task
    labels: []
    strict_labels: false
    max_file_size: 1048576
    claim_ttl: 7200
    ");
    let json = repo.run(&["config", "--json"]).json();
    assert_eq!(
        json["config"]["statuses"][1],
        serde_json::json!({"name": "in_progress", "role": "active"})
    );
    assert_eq!(json["config"]["max_file_size"], 1048576);
}

#[test]
fn formats_are_checked_per_command() {
    let repo = TestRepo::with_tracker();
    let run = repo.fails(&["show", "x", "--format", "csv"], 2);
    assert_eq!(
        run.stderr,
        "error: `yit show` does not support --format csv; it accepts table, json\n"
    );
    let run = repo.fails(&["list", "--format", "table", "--json"], 2);
    assert_eq!(
        run.stderr_json()["error"]["message"],
        "--json and --format disagree; use one of them"
    );
    let run = repo.fails(&["list", "--bogus"], 2);
    assert!(
        run.stderr
            .starts_with("error: unexpected argument '--bogus'"),
        "{}",
        run.stderr
    );
    let run = repo.fails(&["show", "zzzz", "--json"], 1);
    let err = run.stderr_json();
    assert_eq!(err["error"]["message"], "no issue matches \"zzzz\"");
    assert_eq!(err["error"]["kind"], "not_found");
}

#[test]
fn json_errors_name_their_kind_usage_errors_included() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["One"]);
    let kind = |args: &[&str], code: i32| {
        let run = repo.fails(args, code);
        let err = run.stderr_json();
        assert_eq!(err["error"]["exit_code"], code, "{args:?}");
        err["error"]["kind"].as_str().expect("kind").to_owned()
    };
    assert_eq!(kind(&["--json", "lst"], 2), "usage");
    assert_eq!(kind(&["list", "--bogus", "--format", "json"], 2), "usage");
    assert_eq!(kind(&["show", "--json"], 2), "usage");
    assert_eq!(kind(&["show", "zzzz", "--json"], 1), "not_found");
    assert_eq!(
        kind(&["edit", &a, "--type", "epic", "--json"], 1),
        "invalid"
    );
    assert_eq!(kind(&["list", "--at", "nowhere", "--json"], 1), "not_found");
    for n in 1..=2 {
        repo.write_issue_file(
            &format!("abcd00000{n}.yaml"),
            format!("title: Twin {n}\nstatus: open\ncreated: {NOW}\n").as_bytes(),
        );
    }
    assert_eq!(kind(&["show", "abcd", "--json"], 1), "ambiguous");
    let outside = repo.outside();
    let run = repo.run(&["-C", outside.to_str().expect("utf-8"), "list", "--json"]);
    assert_eq!(run.stderr_json()["error"]["kind"], "not_initialized");
    // YIT_FORMAT=json asks for JSON errors too
    let run = Run::from_output(
        repo.cmd(&["lst"])
            .env("YIT_FORMAT", "json")
            .output()
            .expect("runs"),
    );
    assert_eq!(run.stderr_json()["error"]["kind"], "usage");
    let hints = run.stderr_json()["error"]["hints"].to_string();
    assert!(hints.contains("'list'"), "{hints}");
}

#[test]
fn values_people_type_get_one_clear_line() {
    let repo = TestRepo::with_tracker();
    let run = repo.fails(&["new", "Urgent", "--priority", "high"], 2);
    assert!(
        run.stderr
            .contains("a priority is a number from 0 (most urgent) to 4"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("invalid digit"), "{}", run.stderr);
    // P1, as tables print it, is a priority
    let a = repo.new_issue(&["Urgent", "--priority", "P1", "--type", "Bug"]);
    let shown = repo.ok(&["show", &a, "--json"]);
    assert!(shown.contains("\"priority\": 1"), "{shown}");
    assert!(shown.contains("\"type\": \"bug\""), "{shown}");
    repo.ok(&["edit", &a, "--status", "In_Progress"]);
    assert!(repo.read_issue_file(&a).contains("status: in_progress\n"));
    let unchanged = repo.read_issue_file(&a);
    let run = repo.fails(&["edit", &a, "--type", "Epic"], 1);
    assert_eq!(repo.read_issue_file(&a), unchanged);
    assert_eq!(
        run.stderr,
        "error: unknown type \"Epic\" (config.yaml defines bug, feature, task, chore)\n"
    );
    let run = repo.fails(&["list", "status:Closed"], 1);
    insta::assert_snapshot!(run.stderr, @r#"
    error: query, column 8: unknown status "Closed" (config.yaml defines open, in_progress, closed; did you mean "closed"?)
      status:Closed
             ^
    "#);
    // a revision that names nothing: no parser internals
    let before = repo.tree();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    let run = repo.fails(&["list", "--at", "nowhere"], 1);
    assert_eq!(
        run.stderr.lines().next(),
        Some("error: no commit, branch or tag is named \"nowhere\"")
    );
    assert!(run.stderr.contains("hint: "), "{}", run.stderr);
    assert_eq!(repo.tree(), before, "nothing changed on disk");
}

#[test]
fn yit_format_is_a_default_a_command_may_not_take() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["One"]);
    let with_env = |args: &[&str], format: &str| {
        Run::from_output(
            repo.cmd(args)
                .env("YIT_FORMAT", format)
                .output()
                .expect("runs"),
        )
    };
    // show prints no csv: its own default instead
    let run = with_env(&["show", &a], "csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("One"), "{}", run.stdout);
    let run = with_env(&["list"], "csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    // a command that takes it uses it; the flag still wins
    let run = with_env(&["list"], "ids");
    assert_eq!(run.stdout, format!("{a}\n"));
    let run = with_env(&["list", "--json"], "ids");
    assert!(run.stdout.contains("\"schema_version\""), "{}", run.stdout);
    // asked for by flag, it is still an error
    repo.fails(&["show", &a, "--format", "csv"], 2);
    let run = with_env(&["list"], "yml");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("YIT_FORMAT=\"yml\""), "{}", run.stderr);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let repo = TestRepo::with_tracker();
    let template = "status: open\ncreated: 2026-01-02T03:04:05Z\n";
    for n in 0..2000 {
        let id = format!("{n:010}");
        let title =
            format!("title: Issue number {n} with a title long enough to fill the pipe quickly\n");
        repo.write_issue_file(
            &format!("{id}.yaml"),
            format!("id: {id}\n{title}{template}").as_bytes(),
        );
    }
    let mut cmd = repo.cmd(&["list"]);
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = common::Spawned::new(cmd.spawn().expect("starts"));
    let mut stdout = child.stdout();
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("some output");
    drop(stdout);
    let out = child.wait_output();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line() {
    let repo = TestRepo::new();
    let bash = repo.ok(&["completions", "bash"]);
    assert!(
        bash.contains("merge-file") && bash.contains("branches"),
        "every command is there"
    );
    let checked = repo
        .program("bash", &["-n"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(bash.as_bytes())?;
            child.wait()
        })
        .expect("bash runs");
    assert!(checked.success(), "the bash script parses");
    for shell in ["zsh", "fish", "powershell"] {
        assert!(repo.ok(&["completions", shell]).contains("yit"), "{shell}");
    }
    repo.fails(&["completions", "tcsh"], 2);
    let man = repo.ok(&["man"]);
    assert!(man.contains(".TH yit 1"), "{man}");
    assert!(man.contains("issue tracker"));
    // a command's own page, with its options
    let new = repo.ok(&["man", "new"]);
    assert!(new.contains(".TH yit-new 1"), "{new}");
    assert!(new.contains("\\-\\-parent"), "{new}");
    assert!(
        repo.ok(&["man", "dep", "add"])
            .contains(".TH yit-dep-add 1")
    );
    let run = repo.fails(&["man", "dep", "nope"], 2);
    insta::assert_snapshot!(run.stderr, @"
    error: `yit dep` has no command \"nope\"
    hint: its commands: add, rm, tree
    ");
    // every page: each page that another names is there
    let dir = repo.outside().join("man1");
    let written = repo.ok(&["man", "--dir", dir.to_str().expect("utf-8")]);
    assert!(written.lines().count() > 40, "{written}");
    let pages: Vec<String> = std::fs::read_dir(&dir)
        .expect("pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(pages.contains(&"yit-dep-tree.1".to_owned()), "{pages:?}");
    for page in &pages {
        let text = std::fs::read_to_string(dir.join(page)).expect("page");
        for named in text.split("yit\\-").skip(1) {
            let Some((name, _)) = named.split_once("(1)") else {
                continue;
            };
            let file = format!("yit-{}.1", name.replace("\\-", "-"));
            assert!(
                pages.contains(&file),
                "{page} names {file}, which is not there"
            );
        }
    }
}

#[test]
fn bash_completes_issue_ids_and_labels_from_the_tracker() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["First", "-l", "crash"]);
    let b = repo.new_issue(&["Second"]);
    let script = repo.root().join("yit.bash");
    std::fs::write(&script, repo.ok(&["completions", "bash"])).expect("script");
    let complete = |words: &str, cword: usize| -> Vec<String> {
        let line = format!(
            "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE=\"${{COMP_WORDS[*]}}\"; COMP_POINT=${{#COMP_LINE}}; _yit_with_ids yit \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = repo
            .program("bash", &["-c", &line])
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        got.sort();
        got
    };
    let mut both = vec![a[..4].to_owned(), b[..4].to_owned()];
    both.sort();
    assert_eq!(complete("yit show ''", 2), both);
    assert_eq!(
        complete(&format!("yit close {}", &a[..2]), 2),
        vec![a[..4].to_owned()]
    );
    assert!(complete(&format!("yit label add {} ''", &a[..4]), 4).contains(&"crash".to_owned()));
    // subcommands and flags still come from the command line's definitions
    assert!(complete("yit dep ''", 2).contains(&"add".to_owned()));
    assert!(complete("yit show --", 2).contains(&"--raw".to_owned()));
    // option values come from the tracker's config, not ids or file names
    let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        complete(&format!("yit edit {} --type ''", &a[..4]), 4),
        words(&["bug", "chore", "feature", "task"])
    );
    assert_eq!(
        complete("yit list --status ''", 3),
        words(&["closed", "in_progress", "open"])
    );
    assert_eq!(complete("yit list -s cl", 3), words(&["closed"]));
    assert_eq!(
        complete("yit close x --status ''", 4),
        words(&["closed", "in_progress", "open"])
    );
    assert_eq!(complete("yit list -l ''", 3), words(&["crash"]));
    assert_eq!(
        complete("yit new x --priority ''", 4),
        words(&["0", "1", "2", "3", "4"])
    );
    repo.ok(&["assign", &b, "Bob Smith <Bob@Example.com>"]);
    assert_eq!(
        complete("yit list --assignee ''", 3),
        words(&["bob@example.com", "me", "none"])
    );
    // outside a tracker: no candidates, no error
    let outside = std::process::Command::new(common::yit_bin())
        .args(["__complete", "ids"])
        .current_dir(repo.outside())
        .output()
        .expect("yit runs");
    assert_eq!(outside.status.code(), Some(0));
    assert!(outside.stdout.is_empty() && outside.stderr.is_empty());
}

#[test]
fn long_output_goes_through_the_pager_on_a_terminal_only() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Paged"]);
    let pager = [("YIT_PAGER", "sed 's/^/paged: /'"), ("TERM", "xterm")];
    let shown = repo.run_on_terminal(&["list", "--color", "never"], &pager, "");
    assert!(shown.stdout.contains("paged: ID"), "{}", shown.stdout);
    let plain = repo.run_on_terminal(&["list", "--no-pager", "--color", "never"], &pager, "");
    assert!(!plain.stdout.contains("paged:"), "{}", plain.stdout);
    let off = repo.run_on_terminal(&["list"], &[("YIT_PAGER", ""), ("TERM", "xterm")], "");
    assert!(off.stdout.contains("Paged") && !off.stdout.contains("paged:"));
    // off a terminal: never
    let mut cmd = repo.cmd(&["list"]);
    cmd.env("YIT_PAGER", "sed 's/^/paged: /'");
    let out = cmd.output().expect("yit runs");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("paged:"));
}

#[test]
fn the_zsh_script_loads_and_describes_issue_ids() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Colon: in the title"]);
    let described = repo.ok(&["__complete", "ids", "--describe"]);
    assert_eq!(described, format!("{}:Colon\\: in the title\n", &a[..4]));
    assert!(
        std::process::Command::new("zsh")
            .arg("--version")
            .output()
            .is_ok(),
        "this test loads the zsh script in zsh, which is not installed: `scripts/test` installs it"
    );
    let script = repo.root().join("_yit");
    std::fs::write(&script, repo.ok(&["completions", "zsh"])).expect("script");
    let line = format!(
        "autoload -U compinit && compinit -u -D && source {} && whence -w _yit_with_ids",
        script.display()
    );
    let out = repo
        .program("zsh", &["-f", "-c", &line])
        .output()
        .expect("zsh runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "_yit_with_ids: function\n"
    );
}

#[test]
fn search_on_a_terminal_highlights_and_fits_the_snippet() {
    let repo = TestRepo::with_tracker();
    let body = format!(
        "{} the needle is here {}",
        "words before ".repeat(4),
        "and words after ".repeat(10)
    );
    repo.new_issue(&["Haystack", "--body", &body]);
    let run = repo.run_on_terminal(
        &["search", "needle"],
        &[("COLUMNS", "60"), ("NO_COLOR", "1")],
        "",
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        unicode_width(lines[1]) <= 60,
        "{:?} is wider than 60",
        lines[1]
    );
    assert!(
        lines[1].contains("needle") && lines[1].ends_with('…'),
        "{}",
        run.stdout
    );
    let painted = repo.run_on_terminal(&["search", "needle"], &[("COLUMNS", "60")], "");
    assert!(
        painted
            .stdout
            .contains("\u{1b}[1m\u{1b}[31mneedle\u{1b}[0m"),
        "the match is painted: {:?}",
        painted.stdout
    );
}

#[test]
fn issue_files_have_the_permissions_of_any_file_the_user_makes() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Readable by the group"]);
    let plain = repo.root().join("plain.txt");
    std::fs::write(&plain, "x").expect("write");
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let file = repo.issues_dir().join(format!("{id}.yaml"));
    assert_eq!(mode(&file), mode(&plain), "created");
    repo.ok(&["edit", &id, "--priority", "1"]);
    assert_eq!(mode(&file), mode(&plain), "replaced");
}

#[test]
fn close_says_what_it_could_not_do_and_what_was_meant() {
    let repo = TestRepo::with_tracker();
    std::fs::write(
        repo.issues_dir().join("config.yaml"),
        "format_version: 1\nstatuses:\n  - {name: open, role: initial}\n  - {name: in_progress, role: active}\n  - {name: done, role: closed}\n  - {name: wontfix, role: closed}\n",
    )
    .expect("config");
    let id = repo.new_issue(&["Close me"]);
    let short = &id[..4];
    let before = repo.tree();
    // a closed status named by its start, or misspelt: did you mean
    let run = repo.fails(&["close", &id, "--status", "won"], 1);
    assert_eq!(
        run.stderr,
        "error: unknown closed status \"won\" (config.yaml defines done, wontfix; did you mean \"wontfix\"?)\n"
    );
    let run = repo.fails(&["close", &id, "--status", "wnotfix"], 1);
    assert!(
        run.stderr.contains("did you mean \"wontfix\"?"),
        "{}",
        run.stderr
    );
    let run = repo.fails(&["close", &id, "--status", "open"], 1);
    assert!(
        run.stderr.contains("\"open\" is not a closed status"),
        "{}",
        run.stderr
    );
    assert_eq!(repo.tree(), before);
    repo.ok(&[
        "close",
        &id,
        "--status",
        "wontfix",
        "--reason",
        "Not planned",
    ]);
    // closed again with a reason: the reason is not dropped in silence
    let run = repo.run(&[
        "close",
        &id,
        "--status",
        "wontfix",
        "--reason",
        "Still not planned",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, format!("unchanged  {short}  Close me\n"));
    assert_eq!(
        run.stderr,
        format!(
            "warning: {short} was already wontfix: the reason was not added (`yit comment {short} TEXT` adds it)\n"
        )
    );
    let comments = repo.run(&["show", &id, "--json"]).json()["issue"]["comments"].clone();
    assert_eq!(comments.as_array().map(Vec::len), Some(1), "{comments}");
}

#[test]
fn blocked_prints_the_formats_list_prints() {
    let repo = TestRepo::with_tracker();
    let waiting = repo.new_issue(&["Waits"]);
    let blocker = repo.new_issue(&["Blocker"]);
    repo.new_issue(&["Free"]);
    repo.ok(&["dep", "add", &waiting, &blocker]);
    assert_eq!(
        repo.ok(&["blocked", "--format", "ids"]),
        format!("{waiting}\n")
    );
    let csv = repo.ok(&["blocked", "--format", "csv"]);
    let mut rows = csv.lines();
    assert!(rows.next().expect("header").starts_with("id,"), "{csv}");
    assert!(
        rows.next()
            .expect("a row")
            .starts_with(&format!("{waiting},")),
        "{csv}"
    );
    assert_eq!(rows.next(), None, "{csv}");
    let md = repo.ok(&["blocked", "--format", "markdown"]);
    assert!(md.contains("Waits") && !md.contains("Free"), "{md}");
    let jsonl = repo.ok(&["blocked", "--format", "jsonl"]);
    assert_eq!(jsonl.lines().count(), 1, "{jsonl}");
    repo.fails(&["blocked", "--format", "yaml"], 2);
}

#[test]
fn titles_keep_no_spaces_around_them() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["  Padded title \t"]);
    assert!(
        repo.read_issue_file(&id)
            .contains("\ntitle: Padded title\n")
    );
    repo.ok(&["edit", &id, "--title", "   Edited  "]);
    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(shown["issue"]["title"], "Edited");
    assert!(repo.read_issue_file(&id).contains("\ntitle: Edited\n"));
}

#[test]
fn help_topics_and_their_pages_come_with_the_binary() {
    let repo = TestRepo::new();
    let query = repo.ok(&["help", "query"]);
    assert_eq!(
        query,
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/query.md"))
            .expect("docs/query.md")
    );
    let format = repo.ok(&["help", "format"]);
    assert!(
        format.starts_with("# The yit file format"),
        "{}",
        &format[..80]
    );
    // a command's help, as --help prints it
    assert_eq!(
        repo.ok(&["help", "dep", "add"]),
        repo.ok(&["dep", "add", "--help"])
    );
    let top = repo.ok(&["help"]);
    assert!(
        top.contains("Help topics (`yit help TOPIC`):\n  query "),
        "{top}"
    );
    let run = repo.fails(&["help", "queries"], 2);
    assert!(
        run.stderr.contains("hint: topics: query, format"),
        "{}",
        run.stderr
    );
    // man pages: yit-query(7), yit-format(5)
    let page = repo.ok(&["man", "query"]);
    assert!(page.starts_with(".TH YIT-QUERY 7 "), "{page}");
    assert!(page.contains("\n.nf\n# The query language\n"), "{page}");
    let dir = repo.outside().join("man");
    let written = repo.ok(&["man", "--dir", dir.to_str().expect("utf-8")]);
    for name in ["yit-query.7", "yit-format.5", "yit.1", "yit-help.1"] {
        assert!(written.contains(name), "{name}: {written}");
        assert!(dir.join(name).exists(), "{name}");
    }
}

#[test]
fn agents_get_their_instructions_printed_or_kept_in_a_file() {
    let repo = TestRepo::with_tracker();
    let text = repo.ok(&["agents"]);
    // well under 1,500 tokens (about four bytes each)
    assert!(text.len() < 3_000, "{} bytes", text.len());
    for needed in [
        "yit ready --json",
        "yit claim ID",
        "yit comment ID",
        "Fixes: ID",
        "--json",
    ] {
        assert!(text.contains(needed), "{needed}: {text}");
    }
    // the commands it names run as written
    let id = repo.new_issue(&["Work"]);
    let ready = repo.run(&["ready", "--json"]).json();
    assert_eq!(ready["issues"][0]["id"], id.as_str());
    repo.ok(&["claim", &id]);
    repo.ok(&["comment", &id, "what you found"]);
    repo.ok(&["close", &id, "--reason", "done"]);
    repo.ok(&["new", "Title", "--type", "bug"]);

    // kept between markers: added, then replaced in place, idempotently
    let agents = repo.root().join("AGENTS.md");
    std::fs::write(&agents, "# Our agents\n\nRun the tests first.\n").expect("write");
    assert!(repo.ok(&["agents", "--write"]).starts_with("updated"));
    let once = std::fs::read_to_string(&agents).expect("read");
    assert!(
        once.starts_with("# Our agents\n\nRun the tests first.\n\n<!-- yit:begin"),
        "{once}"
    );
    assert!(once.contains(&text), "{once}");
    assert!(repo.ok(&["agents", "--write"]).starts_with("unchanged"));
    assert_eq!(std::fs::read_to_string(&agents).expect("read"), once);
    std::fs::write(
        &agents,
        once.replace("Run the tests first.", "Run the tests first!") + "More of ours.\n",
    )
    .expect("write");
    let json = repo.run(&["agents", "--write", "--json"]).json();
    assert_eq!(json["agents"]["written"], "unchanged");
    let theirs = std::fs::read_to_string(&agents).expect("read");
    assert!(
        theirs.ends_with("<!-- yit:end -->\nMore of ours.\n"),
        "{theirs}"
    );
    // CLAUDE.md too, from a subdirectory: the top of the worktree
    std::fs::create_dir_all(repo.root().join("src")).expect("dir");
    let run = repo.run(&["-C", "src", "agents", "--write", "CLAUDE.md"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(repo.root().join("CLAUDE.md").exists());
    // a symlink, or broken markers: refused, nothing written
    let before = repo.tree();
    std::os::unix::fs::symlink("/etc/hostname", repo.root().join("LINK.md")).expect("symlink");
    let before_link = repo.tree();
    let run = repo.fails(&["agents", "--write", "LINK.md"], 1);
    assert!(run.stderr.contains("is a symbolic link"), "{}", run.stderr);
    assert_eq!(repo.tree(), before_link);
    std::fs::remove_file(repo.root().join("LINK.md")).expect("rm");
    std::fs::write(&agents, "<!-- yit:begin -->\nhalf\n").expect("write");
    let run = repo.fails(&["agents", "--write"], 1);
    assert!(
        run.stderr
            .contains("AGENTS.md:1: yit's begin marker has no end marker"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&agents).expect("read"),
        "<!-- yit:begin -->\nhalf\n"
    );
    drop(before);
}
