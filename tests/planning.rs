//! Dependencies, ready work, claims and parents, end to end.

use crate::common;

use common::{Spawned, TestRepo};

fn ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "ids"]);
    repo.ok(&all).lines().map(str::to_owned).collect()
}

/// Three issues: `a` waits for `b`, which waits for `c`.
fn chain(repo: &TestRepo) -> (String, String, String) {
    let a = repo.new_issue(&["Ship the release", "-p", "1"]);
    let b = repo.new_issue(&["Fix the build", "-p", "2"]);
    let c = repo.new_issue(&["Pin the toolchain", "-p", "3"]);
    repo.ok(&["dep", "add", &a, &b]);
    repo.ok(&["dep", "add", &b, &c]);
    (a, b, c)
}

#[test]
fn dependencies_decide_what_is_ready_and_what_is_blocked() {
    let repo = TestRepo::with_tracker();
    let (a, b, c) = chain(&repo);
    assert_eq!(ids(&repo, &["ready"]), vec![c.clone()]);
    let blocked = repo.ok(&["blocked", "--json"]);
    let blocked: serde_json::Value = serde_json::from_str(&blocked).expect("json");
    let pairs: Vec<(String, Vec<String>)> = blocked["blocked"]
        .as_array()
        .expect("list")
        .iter()
        .map(|row| {
            let waits = row["waits_for"].as_array().expect("list");
            (
                row["issue"]["id"].as_str().expect("id").to_owned(),
                waits
                    .iter()
                    .map(|w| w["id"].as_str().expect("id").to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![(a.clone(), vec![b.clone()]), (b.clone(), vec![c.clone()])]
    );

    // starting c takes it out of ready; closing it frees b
    repo.ok(&["claim", &c]);
    assert_eq!(ids(&repo, &["ready"]), Vec::<String>::new());
    repo.ok(&["close", &c]);
    assert_eq!(ids(&repo, &["ready"]), vec![b.clone()]);
    assert_eq!(ids(&repo, &["list", "is:blocked"]), vec![a.clone()]);

    // the daemon gives the same answers, and sees a blocker's status change
    let _daemon = common::DaemonGuard::start(&repo, &[]);
    for q in [
        &["ready"][..],
        &["list", "is:blocked"],
        &["list", "is:open -is:ready"],
    ] {
        let mut through = q.to_vec();
        through.push("--json");
        let mut plain = through.clone();
        plain.push("--no-daemon");
        assert_eq!(repo.ok(&through), repo.ok(&plain), "{q:?}");
    }
    repo.ok(&["close", &b]);
    assert_eq!(ids(&repo, &["ready"]), vec![a.clone()]);
    repo.ok(&["reopen", &c]);
    assert_eq!(ids(&repo, &["ready"]), vec![a.clone(), c.clone()]);
    // reopening b blocks it again, and a behind it
    repo.ok(&["reopen", &b]);
    assert_eq!(ids(&repo, &["ready"]), vec![c.clone()]);
    assert_eq!(ids(&repo, &["ready", "--no-daemon"]), vec![c]);
}

#[test]
fn a_dependency_that_closes_a_cycle_is_refused_with_the_cycle() {
    let repo = TestRepo::with_tracker();
    let (a, b, c) = chain(&repo);
    let before = repo.tree();
    let refused = repo.fails(&["dep", "add", &c, &a], 4);
    let short = |id: &str| id[..4].to_owned();
    assert!(
        refused.stderr.contains(&format!(
            "{} → {} → {} → {}",
            short(&c),
            short(&a),
            short(&b),
            short(&c)
        )),
        "{}",
        refused.stderr
    );
    let itself = repo.fails(&["dep", "add", &a, &a], 4);
    assert!(
        itself.stderr.contains("cannot wait for itself"),
        "{}",
        itself.stderr
    );
    assert!(
        repo.fails(&["dep", "add", &a, "zzzzzzzz"], 1)
            .stderr
            .contains("no issue")
    );
    assert_eq!(repo.tree(), before, "nothing written");

    // removing the link allows the other direction
    repo.ok(&["dep", "rm", &b, &c]);
    repo.ok(&["dep", "add", &c, &a]);
    let rm_again = repo.fails(&["dep", "rm", &b, &c], 1);
    assert!(
        rm_again.stderr.contains("does not wait for"),
        "{}",
        rm_again.stderr
    );
    repo.ok(&["doctor"]);
}

#[test]
fn concurrent_opposite_dependencies_never_both_land() {
    let repo = TestRepo::with_tracker();
    for round in 0..6 {
        let a = repo.new_issue(&[&format!("A {round}")]);
        let b = repo.new_issue(&[&format!("B {round}")]);
        let spawn = |x: &str, y: &str| {
            let mut cmd = repo.cmd(&["dep", "add", x, y]);
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            Spawned::new(cmd.spawn().expect("yit starts"))
        };
        let (one, two) = (spawn(&a, &b), spawn(&b, &a));
        let codes = [one.wait().code(), two.wait().code()];
        let landed = codes.iter().filter(|c| **c == Some(0)).count();
        assert_eq!(landed, 1, "round {round}: {codes:?}");
        assert!(codes.contains(&Some(4)), "round {round}: {codes:?}");
    }
    repo.ok(&["doctor"]);
}

#[test]
fn dep_tree_draws_both_directions() {
    let repo = TestRepo::with_tracker();
    let (a, b, c) = chain(&repo);
    insta::assert_snapshot!(repo.ok(&["dep", "tree", &b]), @"
    3pws  open  Fix the build
    ├─ waits for
    │  └─ 57h8  open  Pin the toolchain
    └─ blocks
       └─ jacz  open  Ship the release
    ");
    let json = repo.run(&["dep", "tree", &a, "--json"]).json();
    assert_eq!(json["depends_on"][0]["id"], b.as_str());
    assert_eq!(json["depends_on"][0]["next"][0]["id"], c.as_str());
    assert_eq!(json["blocks"], serde_json::json!([]));
}

#[test]
fn claim_takes_an_issue_once() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Claim me"]);
    let as_bob = |args: &[&str]| {
        let mut cmd = repo.cmd(args);
        cmd.env("GIT_AUTHOR_NAME", "Bob Stone")
            .env("GIT_AUTHOR_EMAIL", "bob@example.com");
        common::Run::from_output(cmd.output().expect("yit runs"))
    };
    let claimed = repo.run(&["claim", &id, "--json"]).json();
    assert_eq!(claimed["issue"]["status"], "in_progress");
    assert_eq!(claimed["issue"]["assignee"], "Ann Lee <ann@example.com>");
    let before = repo.tree();
    let refused = as_bob(&["claim", &id]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    // named by its short id, as everything else yit prints names it, with
    // where the claim was taken and until when
    assert!(
        refused.stderr.starts_with(&format!(
            "error: issue {} is claimed by Ann Lee <ann@example.com> (from ",
            &id[..4]
        )) && refused
            .stderr
            .ends_with(", token 1) until 2026-01-02T05:04:05Z\n"),
        "{}",
        refused.stderr
    );
    assert_eq!(repo.tree(), before);
    // claiming your own issue again changes nothing
    repo.ok(&["claim", &id]);
    repo.ok(&["close", &id]);
    let closed = repo.fails(&["claim", &id], 4);
    assert!(
        closed
            .stderr
            .starts_with(&format!("error: issue {} is closed;", &id[..4])),
        "{}",
        closed.stderr
    );
    // a strict claim names what it waits for by short ids too
    let waiting = repo.new_issue(&["Waits"]);
    let blocker = repo.new_issue(&["Blocker"]);
    repo.ok(&["dep", "add", &waiting, &blocker]);
    let strict = repo.fails(&["claim", "--strict", &waiting], 4);
    assert!(
        !strict.stderr.contains(&waiting) && !strict.stderr.contains(&blocker),
        "{}",
        strict.stderr
    );
    assert!(
        strict.stderr.contains(&format!(
            "{} waits for {} \"Blocker\"",
            &waiting[..4],
            &blocker[..4]
        )),
        "{}",
        strict.stderr
    );

    // many claimers at once: exactly one gets it
    let open = repo.new_issue(&["Contended"]);
    let claimers: Vec<Spawned> = (0..6)
        .map(|n| {
            let mut cmd = repo.cmd(&["claim", &open]);
            cmd.env("GIT_AUTHOR_NAME", format!("Agent {n}"))
                .env("GIT_AUTHOR_EMAIL", format!("agent{n}@example.com"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            Spawned::new(cmd.spawn().expect("yit starts"))
        })
        .collect();
    let codes: Vec<Option<i32>> = claimers.into_iter().map(|c| c.wait().code()).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == Some(0)).count(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| **c == Some(4)).count(),
        5,
        "{codes:?}"
    );
}

#[test]
fn rm_keeps_what_others_need_unless_forced() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Waits"]);
    let b = repo.new_issue(&["Needed"]);
    let child = repo.new_issue(&["Child", "--parent", &b]);
    // a hand-written flow list with a comment
    let path = repo.issues_dir().join(format!("{a}.yaml"));
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}depends_on: [{b}]  # the blocker\n")).expect("write");
    let before = repo.tree();
    let refused = repo.fails(&["rm", &b], 4);
    for (who, how) in [(&a, "waits for"), (&child, "is a child of")] {
        let said = format!("{} {how} {}", &who[..4], &b[..4]);
        assert!(refused.stderr.contains(&said), "{said}: {}", refused.stderr);
    }
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(repo.tree(), before, "nothing removed or changed");

    repo.ok(&["rm", "--force", &b]);
    let waits = repo.read_issue_file(&a);
    assert!(waits.contains("# the blocker"), "{waits}");
    assert!(!waits.contains(&b), "{waits}");
    assert!(!repo.read_issue_file(&child).contains(&b));
    repo.ok(&["doctor"]);
    assert_eq!(ids(&repo, &["children", &a]), Vec::<String>::new());
}

#[test]
fn parents_and_children() {
    let repo = TestRepo::with_tracker();
    let epic = repo.new_issue(&["Epic"]);
    let one = repo.new_issue(&["One", "--parent", &epic[..6]]);
    let two = repo.new_issue(&["Two", "--parent", &epic, "--depends-on", &one]);
    repo.ok(&["close", &one]);
    let mut kids = ids(&repo, &["children", &epic]);
    kids.sort();
    let mut want = vec![one.clone(), two.clone()];
    want.sort();
    assert_eq!(kids, want, "closed children included");
    assert_eq!(
        ids(&repo, &["children", &epic, "is:open"]),
        vec![two.clone()]
    );
    assert_eq!(
        ids(&repo, &["list", &format!("parent:{}", &epic[..5])]),
        vec![two.clone()]
    );
    let show = repo.run(&["show", &one, "--json"]).json();
    assert_eq!(show["issue"]["parent"], epic.as_str());

    // a parent that would close a cycle is refused; --no-parent removes one
    let before = repo.tree();
    let cycle = repo.fails(&["edit", &epic, "--parent", &two], 4);
    assert!(
        cycle
            .stderr
            .contains(&format!("{} → {} → {}", &epic[..4], &two[..4], &epic[..4])),
        "{}",
        cycle.stderr
    );
    repo.fails(&["edit", &epic, "--parent", &epic], 4);
    assert_eq!(repo.tree(), before);
    repo.ok(&["edit", &one, "--no-parent"]);
    assert_eq!(ids(&repo, &["children", &epic]), vec![two.clone()]);
    repo.ok(&["edit", &one, "--parent", &epic]);

    // a parent's blocker blocks its children (and theirs)
    let blocker = repo.new_issue(&["Blocker"]);
    repo.ok(&["dep", "add", &epic, &blocker]);
    let grandchild = repo.new_issue(&["Grandchild", "--parent", &two]);
    let ready = ids(&repo, &["ready"]);
    assert_eq!(ready, vec![blocker.clone()], "only the blocker is ready");
    let blocked = repo.run(&["blocked", "--json"]).json();
    let row = blocked["blocked"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["issue"]["id"] == grandchild.as_str())
        .expect("the grandchild is blocked")
        .clone();
    assert_eq!(row["parent_waits"]["id"], epic.as_str());
    insta::assert_snapshot!(repo.ok(&["blocked"]), @"
    ID                STATUS  TITLE
    57h8              open    Two
      under jacz      open    Epic (a parent that waits)
    e5dm              open    Grandchild
      under jacz      open    Epic (a parent that waits)
    jacz              open    Epic
      waits for v8bh  open    Blocker
    ");
    repo.ok(&["close", &blocker]);
    assert!(ids(&repo, &["ready"]).contains(&grandchild));

    let before = repo.tree();
    let bad = repo.fails(&["new", "Orphan", "--parent", "zzzzzzzz"], 1);
    assert!(bad.stderr.contains("no issue"), "{}", bad.stderr);
    repo.fails(&["new", "Orphan", "--depends-on", "not-an-id"], 1);
    assert_eq!(repo.tree(), before, "nothing created");
}

#[test]
fn doctor_reports_cycles_and_dangling_references_from_hand_edits() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["A"]);
    let b = repo.new_issue(&["B"]);
    let append = |id: &str, line: &str| {
        let path = repo.issues_dir().join(format!("{id}.yaml"));
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("{text}{line}\n")).expect("write");
    };
    append(&a, &format!("depends_on: [{b}, 9999999999]"));
    append(&b, &format!("depends_on:\n  - {a}"));
    let run = repo.fails(&["doctor"], 1);
    insta::assert_snapshot!(run.stdout, @"
    .issues/3pws4hfczw.yaml:13:1: depends_on cycle: 3pws → jacz → 3pws; remove one link (`yit dep rm`)
    .issues/jacznvy8e0.yaml:13:1: depends_on: 9999999999 names no issue; `yit dep rm jacz 9999999999` or edit the file
    ");
    let line_of = |id: &str| {
        repo.read_issue_file(id)
            .lines()
            .position(|l| l.starts_with("depends_on:"))
            .expect("key")
            + 1
    };
    let dangling = format!(
        ".issues/{a}.yaml:{}:1: depends_on: 9999999999 names no issue",
        line_of(&a)
    );
    assert!(run.stdout.contains(&dangling), "{dangling}\n{}", run.stdout);
    let (first, second) = if a < b { (&a, &b) } else { (&b, &a) };
    let cycle = format!(
        ".issues/{first}.yaml:{}:1: depends_on cycle: {} → {} → {}",
        line_of(first),
        &first[..4],
        &second[..4],
        &first[..4]
    );
    assert!(run.stdout.contains(&cycle), "{cycle}\n{}", run.stdout);
    // both are blocked by each other: neither is ready
    assert_eq!(ids(&repo, &["ready"]), Vec::<String>::new());
    repo.ok(&["dep", "rm", &a, "9999999999"]);
}

#[test]
fn a_plan_creates_linked_issues_all_or_nothing() {
    let repo = TestRepo::with_tracker();
    let existing = repo.new_issue(&["Existing"]);
    let plan = format!(
        "# the search epic\n- key: epic\n  title: Ship search\n  type: feature\n- key: index\n  title: Build the index\n  parent: epic\n  depends_on: [{}]\n- title: Rank hits\n  parent: epic\n  depends_on: [index, epic]\n  labels: [search]\n  assignee: me\n",
        &existing[..6]
    );
    std::fs::write(repo.root().join("plan.yaml"), &plan).expect("plan");
    let made = repo
        .run(&["new", "--from-file", "plan.yaml", "--json"])
        .json();
    let issues = made["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 3);
    let (epic, index) = (
        made["keys"]["epic"].as_str().expect("epic"),
        made["keys"]["index"].as_str().expect("index"),
    );
    assert_eq!(issues[1]["parent"], epic);
    assert_eq!(issues[1]["depends_on"], serde_json::json!([existing]));
    assert_eq!(issues[2]["depends_on"], serde_json::json!([index, epic]));
    assert_eq!(issues[2]["assignee"], "Ann Lee <ann@example.com>");
    assert_eq!(issues[0]["type"], "feature");
    assert_eq!(ids(&repo, &["children", epic]).len(), 2);
    repo.ok(&["doctor"]);

    // each bad plan: every problem with its line, exit 1, nothing written
    std::fs::remove_file(repo.root().join("plan.yaml")).expect("rm");
    let before = repo.tree();
    for (bad, says) in [
        (
            "- title: A\n  bogus: 1\n",
            "plan.yaml:2:3: unknown field `bogus`",
        ),
        (
            "- key: a\n  title: A\n  depends_on: [b]\n- key: b\n  title: B\n  depends_on: [a]\n",
            "plan.yaml:1:3: depends_on cycle: a → b → a",
        ),
        (
            "- key: a\n  title: A\n- key: a\n  title: B\n",
            "plan.yaml:3:8: key: \"a\" is used twice",
        ),
        (
            "- title: A\n  parent: zzzzzzzz\n",
            "plan.yaml:2:11: parent: \"zzzzzzzz\" is neither a key in this plan nor an issue",
        ),
        ("- title: A\n  status: nope\n", "unknown status \"nope\""),
        (
            "- body: no title\n",
            "plan.yaml:1:3: an issue needs a title",
        ),
        ("[]\n", "the plan has no issues"),
        ("- title: [unclosed\n", "plan.yaml:"),
    ] {
        std::fs::write(repo.root().join("plan.yaml"), bad).expect("plan");
        let run = repo.fails(&["new", "--from-file", "plan.yaml"], 1);
        assert!(run.stderr.contains(says), "{bad}: {}", run.stderr);
        std::fs::remove_file(repo.root().join("plan.yaml")).expect("rm");
        assert_eq!(repo.tree(), before, "{bad}");
    }
    // from standard input
    let run = repo.run_stdin(
        &["new", "--from-file", "-", "--format", "ids"],
        "- title: One\n- title: Two\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2);
}

#[test]
fn a_plan_interrupted_midway_is_completed_by_the_next_command() {
    let repo = TestRepo::with_tracker();
    std::fs::write(
        repo.root().join("plan.yaml"),
        "- key: a\n  title: First\n- title: Second\n  depends_on: [a]\n- title: Third\n  depends_on: [a]\n",
    )
    .expect("plan");
    let mut cmd = repo.cmd(&["new", "--from-file", "plan.yaml"]);
    cmd.env("YIT_TEST_CRASH_AFTER_FILES", "1");
    let crashed = common::Run::from_output(cmd.output().expect("yit runs"));
    assert_eq!(crashed.code, 86, "the hook stops it: {}", crashed.stderr);
    let files = || {
        std::fs::read_dir(repo.issues_dir())
            .expect("dir")
            .flatten()
            .filter(|e| {
                e.file_name() != "config.yaml" && e.path().extension().is_some_and(|x| x == "yaml")
            })
            .count()
    };
    assert_eq!(files(), 1, "one of three files was created");
    // any command completes it
    let run = repo.run(&["list", "--format", "ids"]);
    assert!(
        run.stderr.contains("created 2 issue file(s)"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert_eq!(files(), 3);
    repo.ok(&["doctor"]);
    assert_eq!(
        ids(&repo, &["ready"]).len(),
        1,
        "the two others wait for the first"
    );
    assert!(
        !repo.run(&["list"]).stderr.contains("interrupted"),
        "once only"
    );
}

#[test]
fn board_has_a_column_per_status_in_config_order() {
    let repo = TestRepo::with_tracker();
    let long = "A title long enough to be cut to fit a column of the board ".repeat(3);
    let a = repo.new_issue(&[long.trim(), "-p", "1", "-l", "ui"]);
    let b = repo.new_issue(&["Second", "-p", "3"]);
    let c = repo.new_issue(&["Started", "-l", "ui"]);
    let d = repo.new_issue(&["Done"]);
    repo.ok(&["claim", &c]);
    repo.ok(&["close", &d]);
    let board = repo.run(&["board", "--json"]).json();
    let columns = board["columns"].as_array().expect("columns");
    let shape: Vec<(String, u64, Vec<String>)> = columns
        .iter()
        .map(|c| {
            (
                c["status"].as_str().expect("status").to_owned(),
                c["count"].as_u64().expect("count"),
                c["cards"]
                    .as_array()
                    .expect("cards")
                    .iter()
                    .map(|card| card["id"].as_str().expect("id").to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("open".to_owned(), 2, vec![a.clone(), b.clone()]),
            ("in_progress".to_owned(), 1, vec![c.clone()]),
            ("closed".to_owned(), 1, vec![d.clone()]),
        ]
    );
    // a query chooses the cards; -n cuts each column and says so
    let ui = repo.run(&["board", "label:ui", "--json"]).json();
    assert_eq!(ui["columns"][0]["count"], 1);
    assert_eq!(ui["columns"][2]["count"], 0);
    let table = repo.ok(&["board", "-n", "1"]);
    insta::assert_snapshot!(table, @"
    OPEN (2)                                IN_PROGRESS (1)                         CLOSED (1)
    jacz P1 A title long enough to be cut…  57h8 P2 Started                         pp1w P2 Done
    +1 more
    ");
    assert!(
        table.lines().all(|l| l.chars().count() <= 120),
        "fits 120 columns off a terminal: {table}"
    );
    // the daemon answers the same
    let plain = repo.ok(&["board", "--json", "--no-daemon"]);
    let _daemon = common::DaemonGuard::start(&repo, &[]);
    assert_eq!(repo.ok(&["board", "--json"]), plain);
    assert_eq!(repo.ok(&["board", "-n", "1"]), table);
}

#[test]
fn stats_count_by_field_and_week() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["One", "-l", "bug", "-t", "bug"]);
    repo.new_issue(&["Two", "-l", "bug", "-l", "ui"]);
    let c = repo.new_issue(&["Three", "-a", "me"]);
    repo.ok(&["close", &c]);
    repo.ok(&["claim", &a]);
    let stats = repo.run(&["stats", "--json", "--weeks", "2"]).json();
    assert_eq!(stats["total"], 3);
    assert_eq!(stats["closed"], 1);
    assert_eq!(
        stats["by_status"],
        serde_json::json!({"open": 1, "in_progress": 1, "closed": 1})
    );
    assert_eq!(stats["by_type"]["bug"], 1);
    assert_eq!(stats["by_type"]["task"], 2);
    assert_eq!(stats["by_label"], serde_json::json!({"bug": 2, "ui": 1}));
    assert_eq!(stats["by_assignee"]["Ann Lee <ann@example.com>"], 2);
    let weeks = stats["weeks"].as_array().expect("weeks");
    assert_eq!(weeks.len(), 2);
    // the test clock (YIT_NOW) is in the last week shown
    assert_eq!(weeks[1]["opened"], 3);
    assert_eq!(weeks[1]["closed"], 1);
    let narrowed = repo.run(&["stats", "label:ui", "--json"]).json();
    assert_eq!(narrowed["total"], 1);
    insta::assert_snapshot!(repo.ok(&["stats", "--weeks", "2"]), @"
    3 issues: 2 not closed, 1 closed

    STATUS       COUNT
    open             1
    in_progress      1
    closed           1

    TYPE     COUNT
    bug          1
    feature      0
    task         2
    chore        0

    LABEL  COUNT
    bug        2
    ui         1

    ASSIGNEE                   COUNT
    Ann Lee <ann@example.com>      2
    (nobody)                       1

    WEEK OF     OPENED  CLOSED
    2025-12-22       0       0
    2025-12-29       3       1
    ");
}

#[test]
fn a_person_is_one_person_however_written() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["One", "-a", "bob@example.com"]);
    let b = repo.new_issue(&["Two", "-a", "Bob Smith <Bob@Example.com>"]);
    repo.new_issue(&["Three", "-a", "carol@example.com"]);
    let stats = repo.run(&["stats", "--json"]).json();
    assert_eq!(
        stats["by_assignee"],
        serde_json::json!({"Bob Smith <Bob@Example.com>": 2, "carol@example.com": 1})
    );
    let listed = repo.ok(&["list", "--assignee", "BOB@example.com", "--format", "ids"]);
    let mut expected = vec![a, b];
    expected.sort();
    let mut got: Vec<&str> = listed.lines().collect();
    got.sort();
    assert_eq!(got, expected);
}

#[test]
fn blocked_reads_forwards_and_claim_warns_of_what_waits() {
    let repo = TestRepo::with_tracker();
    let (a, b, c) = chain(&repo);
    insta::assert_snapshot!(repo.ok(&["blocked"]), @"
    ID                STATUS  TITLE
    jacz              open    Ship the release
      waits for 3pws  open    Fix the build
    3pws              open    Fix the build
      waits for 57h8  open    Pin the toolchain
    ");
    // a blocked issue is claimed with a warning, or refused with --strict
    let before = repo.tree();
    let refused = repo.fails(&["claim", "--strict", &a], 4);
    assert!(
        refused.stderr.contains(&format!(
            "issue {} is not ready: {} waits for {} \"Fix the build\" (open)",
            &a[..4],
            &a[..4],
            &b[..4]
        )),
        "{}",
        refused.stderr
    );
    assert_eq!(repo.tree(), before, "a refused claim changes nothing");
    let run = repo.run(&["claim", &a]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr, @r#"warning: claimed, but jacz waits for 3pws "Fix the build" (open); `yit claim --strict` refuses this"#);
    // through a parent
    let child = repo.new_issue(&["Part of it", "--parent", &b]);
    let run = repo.run(&["claim", &child]);
    insta::assert_snapshot!(run.stderr, @r#"warning: claimed, but wdg0's parent 3pws waits for 57h8 "Pin the toolchain" (open); `yit claim --strict` refuses this"#);
    // what is ready is claimed without a word
    let run = repo.run(&["claim", &c]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    repo.ok(&["claim", "--strict", &c]);
}
