//! The query language of `list` (docs/query.md), end to end.

use crate::common;

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

#[test]
fn a_search_needs_words_and_takes_at_most_sixty_four() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Crash on empty repo"]);
    let run = repo.fails(&["search", "label:bug"], 2);
    insta::assert_snapshot!(run.stderr, @"error: the query has no words to search for; `yit list QUERY` filters without them");
    let many: Vec<String> = (0..65).map(|n| format!("word{n}")).collect();
    let mut args = vec!["search"];
    args.extend(many.iter().map(String::as_str));
    let run = repo.fails(&args, 2);
    insta::assert_snapshot!(run.stderr, @"error: a search takes at most 64 different words");
}

#[test]
fn search_ranks_title_matches_first_with_snippets() {
    let repo = TestRepo::with_tracker();
    let filler = "Some words about other things. ".repeat(8);
    let body_hit = repo.new_issue(&[
        "Slow startup",
        "--body",
        &format!("{filler}The INDEX is rebuilt on every start.\n{filler}"),
    ]);
    let title_hit = repo.new_issue(&["Index rebuilt too often", "-l", "perf"]);
    let comment_hit = repo.new_issue(&["Quiet", "--body", "nothing"]);
    repo.ok(&["comment", &comment_hit, "Seen: the index, again."]);
    let closed = repo.new_issue(&["Old index bug"]);
    repo.ok(&["close", &closed]);
    repo.new_issue(&["Reindexing is not a match", "--body", "indexes neither"]);

    let json = repo.run(&["search", "index", "--json"]).json();
    let hits = json["hits"].as_array().expect("hits");
    let order: Vec<&str> = hits.iter().map(|h| h["id"].as_str().expect("id")).collect();
    assert_eq!(order[0], title_hit, "the title match first");
    assert_eq!(json["matched"], 3, "closed issues only with --all");
    assert!(order.contains(&body_hit.as_str()) && order.contains(&comment_hit.as_str()));
    let body = hits
        .iter()
        .find(|h| h["id"] == body_hit.as_str())
        .expect("body hit");
    let snippet = &body["snippet"];
    assert_eq!(snippet["field"], "body");
    let text = snippet["text"].as_str().expect("text");
    let (start, end) = (
        snippet["highlights"][0][0].as_u64().expect("start") as usize,
        snippet["highlights"][0][1].as_u64().expect("end") as usize,
    );
    assert_eq!(&text[start..end], "INDEX");
    assert!(text.starts_with('…') && !text.contains('\n'), "{text}");
    assert_eq!(hits[0]["title_highlights"], serde_json::json!([[0, 5]]));
    let comment = hits
        .iter()
        .find(|h| h["id"] == comment_hit.as_str())
        .expect("comment hit");
    assert_eq!(comment["snippet"]["field"], "comment");

    // query terms narrow; --all and status: widen
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["search", "--format", "ids"];
        all.extend_from_slice(args);
        repo.ok(&all).lines().map(str::to_owned).collect()
    };
    assert_eq!(ids(&["index label:perf"]), vec![title_hit.clone()]);
    assert_eq!(
        ids(&["index", "rebuilt", "-n", "1"]),
        vec![title_hit.clone()]
    );
    assert!(ids(&["index", "--all"]).contains(&closed));
    assert_eq!(ids(&["index status:closed"]), vec![closed.clone()]);
    assert_eq!(ids(&["\"index rebuilt\""]), vec![title_hit.clone()]);
    // no match: exit 1 and nothing on stdout, as rg does
    let none = repo.fails(&["search", "nowhere", "--format", "ids"], 1);
    assert_eq!((none.stdout.as_str(), none.stderr.as_str()), ("", ""));
    let none = repo.fails(&["search", "nowhere", "--json"], 1);
    assert_eq!(none.json()["hits"], serde_json::json!([]));

    // the table shows the snippet under the title
    let table = repo.ok(&["search", "startup"]);
    assert!(table.contains("Slow startup"), "{table}");
    let no_words = repo.fails(&["search", "label:perf"], 2);
    assert!(no_words.stderr.contains("no words"), "{}", no_words.stderr);
    repo.fails(&["search", "--", "--"], 1);
    let many: Vec<String> = (0..65).map(|n| format!("w{n}")).collect();
    let mut args = vec!["search"];
    args.extend(many.iter().map(String::as_str));
    assert!(repo.fails(&args, 2).stderr.contains("at most 64"));

    // the daemon ranks and cuts the same
    let plain = repo.ok(&["search", "index", "--all", "--json", "--no-daemon"]);
    let _daemon = common::DaemonGuard::start(&repo, &[]);
    assert_eq!(repo.ok(&["search", "index", "--all", "--json"]), plain);
    repo.ok(&["comment", &closed, "index index index"]);
    let after = repo.run(&["search", "index", "--all", "--json"]).json();
    assert_eq!(
        after["hits"][0]["id"],
        closed.as_str(),
        "the daemon sees the new comment"
    );
}

#[test]
fn words_match_whole_words_in_any_case_and_script() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Été: crash", "--body", "Ünïcode BODY"]);
    repo.new_issue(&["Crashed", "--body", "nothing"]);
    let ids = |q: &str| -> Vec<String> {
        repo.ok(&["search", q, "--format", "ids"])
            .lines()
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(ids("été"), vec![a.clone()]);
    assert_eq!(ids("ÜNÏCODE"), vec![a.clone()]);
    assert_eq!(ids("CRASH"), vec![a.clone()]);
    assert_eq!(ids("body"), vec![a]);
}

#[test]
fn negated_terms_and_comma_labels_reach_the_query() {
    let repo = TestRepo::with_tracker();
    let cli = repo.new_issue(&["Flags", "-l", "cli"]);
    let docs = repo.new_issue(&["Guide", "-l", "docs"]);
    let other = repo.new_issue(&["Other"]);
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // `-label:cli` is the query's negation, not `-l abel:cli`
    assert_eq!(
        ids(&repo, &["-label:cli"]),
        sorted(vec![docs.clone(), other.clone()])
    );
    assert_eq!(
        ids(&repo, &["-label:cli", "-label:docs"]),
        vec![other.clone()]
    );
    assert_eq!(
        ids(&repo, &["-C", ".", "-label:cli", "Guide"]),
        vec![docs.clone()]
    );
    assert_eq!(
        ids(&repo, &["--", "-label:docs", "-Guide"]),
        sorted(vec![cli.clone(), other.clone()])
    );
    // the same in the commands that take a query
    let ready = repo.ok(&["ready", "--format", "ids", "-label:cli"]);
    assert!(!ready.contains(&cli) && ready.contains(&docs), "{ready}");
    // `--label a,b` means a or b, as `label:a,b` does
    assert_eq!(
        ids(&repo, &["--label", "cli,docs"]),
        sorted(vec![cli.clone(), docs.clone()])
    );
    assert_eq!(
        ids(&repo, &["--label", "cli,docs", "--label", "docs"]),
        vec![docs.clone()]
    );
    let run = repo.fails(&["list", "--label", "cli,"], 1);
    assert!(run.stderr.contains("an empty label"), "{}", run.stderr);
    // statuses and types alike: any of them
    repo.ok(&["close", &other]);
    assert_eq!(
        ids(&repo, &["--status", "open,closed", "--type", "task,bug"]),
        sorted(vec![cli, docs, other])
    );
}

#[test]
fn created_ties_fall_back_to_priority_as_the_help_says() {
    let repo = TestRepo::with_tracker();
    // the same creation second (YIT_NOW is fixed): priority decides
    let low = repo.new_issue(&["Low", "-p", "3"]);
    let high = repo.new_issue(&["High", "-p", "0"]);
    let mid = repo.new_issue(&["Mid", "-p", "1"]);
    let listed = repo.ok(&["list", "--sort", "created", "--format", "ids"]);
    assert_eq!(listed, format!("{high}\n{mid}\n{low}\n"));
    let help = repo.ok(&["list", "--help"]);
    assert!(
        help.contains("Newest first, then highest priority"),
        "{help}"
    );
}

#[test]
fn a_bare_id_in_a_query_finds_its_issue() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Crash on empty repo"]);
    let b = repo.new_issue(&["Write the docs", "--body", "See the crash report"]);
    let short = &a[..4];
    // as list, with or without a daemon's index, in any case
    assert_eq!(ids(&repo, &[short]), [a.as_str()]);
    assert_eq!(ids(&repo, &[&short.to_uppercase()]), [a.as_str()]);
    assert_eq!(ids(&repo, &[&a]), [a.as_str()]);
    let files = repo.ok(&["--no-index", "list", short, "--format", "ids"]);
    assert_eq!(files, format!("{a}\n"));
    // as search: the issue it names comes first
    let run = repo.run(&["search", &format!("{short} crash"), "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hits = run.json();
    let found: Vec<&str> = hits["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id"))
        .collect();
    assert_eq!(found, [a.as_str()], "{hits}");
    let run = repo.run(&["search", short, "--json"]);
    assert_eq!(run.json()["hits"][0]["id"], a.as_str());
    // words that are no id prefix (too short, or letters ids lack) match text
    assert_eq!(ids(&repo, &["report"]), [b]);
}
