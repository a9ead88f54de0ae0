//! The query language of `list` (docs/query.md), end to end.

mod common;

use common::TestRepo;

fn ids(repo: &TestRepo, query: &[&str]) -> Vec<String> {
    let mut args = vec!["list", "--format", "ids", "--sort", "id"];
    args.extend_from_slice(query);
    let mut out: Vec<String> = repo.ok(&args).lines().map(str::to_owned).collect();
    out.sort();
    out
}

#[test]
fn queries_filter_like_their_terms_say() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&[
        "Crash on start",
        "-l",
        "bug",
        "-p",
        "0",
        "--body",
        "The parser panics",
    ]);
    let b = repo.new_issue(&["Slow list", "-l", "perf", "-p", "3"]);
    let c = repo.new_issue(&["Docs for the parser", "-l", "docs", "-l", "bug"]);
    repo.ok(&["comment", &b, "Seen with an empty repo too"]);
    repo.ok(&["assign", &c, "me"]);
    repo.ok(&["close", &c]);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(ids(&repo, &["label:bug priority:<=1"]), vec![a.clone()]);
    assert_eq!(
        ids(&repo, &["label:bug,perf"]),
        sorted(vec![a.clone(), b.clone()])
    );
    assert_eq!(
        ids(&repo, &["status:closed"]),
        vec![c.clone()],
        "status: lifts the default"
    );
    assert_eq!(ids(&repo, &["is:open -label:perf"]), vec![a.clone()]);
    // a query word that starts with `-` comes after `--`
    assert_eq!(
        ids(&repo, &["--", "-label:perf", "is:open"]),
        vec![a.clone()]
    );
    assert_eq!(ids(&repo, &["assignee:me", "--all"]), vec![c.clone()]);
    assert_eq!(
        ids(&repo, &["\"empty repo\""]),
        vec![b.clone()],
        "comments are searched"
    );
    assert_eq!(
        ids(&repo, &["parser"]),
        vec![a.clone()],
        "closed ones stay out"
    );
    assert_eq!(ids(&repo, &["pars"]), Vec::<String>::new(), "whole words");
    assert_eq!(
        ids(&repo, &["has:comments", "updated:<7d"]),
        vec![b.clone()]
    );
    assert_eq!(
        ids(&repo, &["label:bug", "--priority", "0"]),
        vec![a.clone()],
        "flags AND"
    );
    let bad = repo.fails(&["list", "label:bug priority:high"], 1);
    assert!(bad.stderr.contains("column 20"), "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("label:bug priority:high\n                     ^"),
        "{}",
        bad.stderr
    );
    assert!(
        repo.fails(&["list", "status:nope"], 1)
            .stderr
            .contains("unknown status")
    );

    // the daemon answers the same
    let _daemon = common::DaemonGuard::start(&repo, &[]);
    for q in [
        "label:bug priority:<=1",
        "\"empty repo\"",
        "status:closed",
        "-label:perf is:open",
    ] {
        let through = repo.ok(&["list", "--json", q]);
        let plain = repo.ok(&["list", "--json", "--no-daemon", q]);
        assert_eq!(through, plain, "{q}");
    }
}
