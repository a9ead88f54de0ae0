//! Claims' leases between checkouts: linked worktrees of one clone share
//! the lease refs, a compare-and-swap settles every race, leases expire
//! and are taken over, and a superseded holder's token is fenced. Real git
//! (`git worktree add`), real processes racing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::TestRepo;

const ANN: &str = "Ann Lee <ann@example.com>";
const BOB: &str = "Bob Stone <bob@example.com>";

/// `yit --as WHO ARGS...` in `dir` at time `now`.
fn as_at(repo: &TestRepo, dir: &Path, who: &str, now: &str, args: &[&str]) -> Output {
    let mut all = vec!["--as", who];
    all.extend_from_slice(args);
    repo.cmd(&all)
        .current_dir(dir)
        .env("YIT_NOW", now)
        .output()
        .expect("yit runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A tracker with `n` issues, committed, and `extra` linked worktrees
/// (`git worktree add`) besides the main one.
fn worktrees(repo: &TestRepo, n: usize, extra: usize) -> (Vec<String>, Vec<PathBuf>) {
    let ids: Vec<String> = (0..n)
        .map(|i| repo.new_issue(&[&format!("Task {i} — ünïcode")]))
        .collect();
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    let mut dirs = vec![repo.root().to_owned()];
    for w in 0..extra {
        dirs.push(repo.worktree_of(repo.root(), &format!("wt{w}"), &format!("agent-{w}")));
    }
    (ids, dirs)
}

/// `agents` agents (`Agent N <agentN@example.com>`), spread over `dirs`,
/// each claiming every issue of `ids` in an order of its own, all at once.
/// Checks that each issue was claimed exactly once and that every loser was
/// refused (exit 4) naming the winner; returns the winner of each issue.
fn race(
    repo: &TestRepo,
    agents: usize,
    dirs: &[PathBuf],
    ids: &[String],
) -> BTreeMap<String, String> {
    let agents: Vec<String> = (0..agents)
        .map(|a| format!("Agent {a} <agent{a}@example.com>"))
        .collect();
    let outcomes: Vec<Vec<(String, Output)>> = std::thread::scope(|s| {
        let handles: Vec<_> = agents
            .iter()
            .enumerate()
            .map(|(a, agent)| {
                let dir = &dirs[a % dirs.len()];
                s.spawn(move || {
                    let mut order = ids.to_vec();
                    order.rotate_left(a * 7 % ids.len());
                    if a % 2 == 1 {
                        order.reverse();
                    }
                    order
                        .into_iter()
                        .map(|id| {
                            let out = as_at(repo, dir, agent, crate::common::NOW, &["claim", &id]);
                            (id, out)
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("agent thread"))
            .collect()
    });
    let mut winners: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (agent, outcome) in agents.iter().zip(&outcomes) {
        for (id, out) in outcome {
            if out.status.success() {
                winners.entry(id.clone()).or_default().push(agent);
            }
        }
    }
    for id in ids {
        let won = winners.get(id).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(won.len(), 1, "{id} claimed by {won:?}");
    }
    for (agent, outcome) in agents.iter().zip(&outcomes) {
        for (id, out) in outcome.iter().filter(|(_, o)| !o.status.success()) {
            let winner = winners[id][0];
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(4), "{agent} on {id}: {stderr}");
            assert!(
                stderr.contains(&format!("is claimed by {winner}")),
                "{agent} on {id} should name {winner}: {stderr}"
            );
        }
    }
    winners
        .into_iter()
        .map(|(id, won)| (id, won[0].to_owned()))
        .collect()
}

#[test]
fn eight_processes_in_four_worktrees_claim_fifty_issues_once_each() {
    let repo = TestRepo::with_tracker();
    let (ids, dirs) = worktrees(&repo, 50, 3);
    // each agent runs in a worktree (two per worktree) and tries every
    // issue, each in its own order
    let winners = race(&repo, 8, &dirs, &ids);
    // every worktree sees the same holder of each lease
    for dir in &dirs {
        for id in ids.iter().take(5) {
            let shown = repo
                .cmd(&["claim", id, "--json"])
                .current_dir(dir)
                .env("YIT_NOW", crate::common::NOW)
                .output()
                .expect("runs");
            assert_eq!(shown.status.code(), Some(4), "{}", text(&shown.stderr));
            assert!(text(&shown.stderr).contains(&winners[id]));
        }
    }
}

#[test]
fn a_lease_expires_is_taken_over_and_the_old_token_is_fenced() {
    let repo = TestRepo::with_tracker();
    let (ids, dirs) = worktrees(&repo, 1, 1);
    let (id, main, other) = (&ids[0], &dirs[0], &dirs[1]);
    let t = |hm: &str| format!("2026-01-02T{hm}:00Z");
    let claimed = as_at(&repo, main, ANN, &t("10:00"), &["claim", id, "--json"]);
    assert!(claimed.status.success(), "{}", text(&claimed.stderr));
    let lease =
        &serde_json::from_slice::<serde_json::Value>(&claimed.stdout).expect("json")["lease"];
    assert_eq!(lease["token"], 1);
    assert_eq!(lease["holder"], ANN);
    assert_eq!(
        lease["expires"], "2026-01-02T12:00:00Z",
        "claim_ttl is 2h by default"
    );

    // in force: refused in the other worktree, with who, where and until when
    let refused = as_at(&repo, other, BOB, &t("11:00"), &["claim", id]);
    assert_eq!(refused.status.code(), Some(4));
    let why = text(&refused.stderr);
    assert!(
        why.contains(ANN) && why.contains("until 2026-01-02T12:00:00Z"),
        "{why}"
    );
    assert!(
        why.contains(main.to_str().expect("utf-8")),
        "where it was taken: {why}"
    );

    // a renewal keeps it past the first expiry
    let renewed = as_at(
        &repo,
        main,
        ANN,
        &t("11:30"),
        &["claim", "--renew", id, "--json"],
    );
    assert!(renewed.status.success(), "{}", text(&renewed.stderr));
    let lease =
        &serde_json::from_slice::<serde_json::Value>(&renewed.stdout).expect("json")["lease"];
    assert_eq!(
        (lease["token"].clone(), lease["expires"].clone()),
        (1.into(), "2026-01-02T13:30:00Z".into())
    );
    assert_eq!(
        as_at(&repo, other, BOB, &t("13:00"), &["claim", id])
            .status
            .code(),
        Some(4)
    );
    // nobody else renews it
    assert_eq!(
        as_at(&repo, other, BOB, &t("13:00"), &["claim", "--renew", id])
            .status
            .code(),
        Some(4)
    );

    // expired: taken over, and the new holder is told whose it was
    let taken = as_at(&repo, other, BOB, &t("14:00"), &["claim", id, "--json"]);
    assert!(taken.status.success(), "{}", text(&taken.stderr));
    let lease = &serde_json::from_slice::<serde_json::Value>(&taken.stdout).expect("json")["lease"];
    assert_eq!(lease["token"], 2);
    assert_eq!(lease["replaced"], ANN);
    assert!(text(&taken.stderr).contains(&format!("took over the expired claim of {ANN}")));

    // the former holder's token is fenced: nothing written, in either worktree
    let before = std::fs::read(main.join(".issues").join(format!("{id}.yaml"))).expect("read");
    for args in [
        vec!["close", id.as_str(), "--token", "1"],
        vec!["comment", id.as_str(), "late", "--token", "1"],
        vec!["edit", id.as_str(), "--title", "Mine", "--token", "1"],
        vec!["release", id.as_str(), "--token", "1"],
    ] {
        let fenced = as_at(&repo, main, ANN, &t("14:05"), &args);
        assert_eq!(
            fenced.status.code(),
            Some(4),
            "{args:?}: {}",
            text(&fenced.stderr)
        );
        assert!(
            text(&fenced.stderr).contains(BOB),
            "{}",
            text(&fenced.stderr)
        );
    }
    let after = std::fs::read(main.join(".issues").join(format!("{id}.yaml"))).expect("read");
    assert_eq!(before, after, "a fenced write changes nothing");
    // the holder's own token passes
    let closed = as_at(
        &repo,
        other,
        BOB,
        &t("14:10"),
        &["close", id, "--token", "2"],
    );
    assert!(closed.status.success(), "{}", text(&closed.stderr));
}

#[test]
fn a_release_frees_the_issue_for_the_next_claim() {
    let repo = TestRepo::with_tracker();
    let (ids, dirs) = worktrees(&repo, 1, 1);
    let (id, main, other) = (&ids[0], &dirs[0], &dirs[1]);
    let now = crate::common::NOW;
    let free = repo.new_issue(&["Free to start"]);
    let name = format!("{free}.yaml");
    std::fs::copy(
        repo.issues_dir().join(&name),
        other.join(".issues").join(&name),
    )
    .expect("copy");
    assert!(
        as_at(&repo, main, ANN, now, &["claim", id])
            .status
            .success()
    );
    // the other worktree's file still says open and unassigned, yet what
    // can be started leaves it out, and show names the holder
    let ready = as_at(&repo, other, BOB, now, &["ready", "--format", "ids"]);
    assert_eq!(
        text(&ready.stdout),
        format!("{free}\n"),
        "{}",
        text(&ready.stderr)
    );
    let shown = as_at(&repo, other, BOB, now, &["show", id]);
    let shown = text(&shown.stdout);
    assert!(
        shown.contains("claimed by") && shown.contains(ANN) && shown.contains("token 1"),
        "{shown}"
    );
    let json = as_at(&repo, other, BOB, now, &["show", id, "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(json["lease"]["holder"], ANN);
    assert_eq!(json["lease"]["in_force"], true);
    // the query language: claimed by anyone, by someone, or not at all
    let ids = |who: &str, query: &str| {
        text(&as_at(&repo, other, who, now, &["list", query, "--format", "ids"]).stdout)
    };
    assert_eq!(ids(BOB, "claimed:any"), format!("{id}\n"));
    assert_eq!(ids(BOB, "claimed:ann@example.com"), format!("{id}\n"));
    assert_eq!(ids(ANN, "claimed:me"), format!("{id}\n"));
    assert_eq!(ids(BOB, "claimed:me"), "");
    assert_eq!(ids(BOB, "claimed:none"), format!("{free}\n"));
    assert_eq!(ids(BOB, "-claimed:any"), format!("{free}\n"));
    // only the holder releases it
    assert_eq!(
        as_at(&repo, other, BOB, now, &["release", id])
            .status
            .code(),
        Some(4)
    );
    let released = as_at(&repo, main, ANN, now, &["release", id, "--json"]);
    assert!(released.status.success(), "{}", text(&released.stderr));
    let value: serde_json::Value = serde_json::from_slice(&released.stdout).expect("json");
    assert_eq!(value["lease"]["state"], "released");
    assert_eq!(value["issue"]["status"], "open");
    assert_eq!(value["issue"]["assignee"], serde_json::Value::Null);
    let ready = as_at(&repo, other, BOB, now, &["ready", "--format", "ids"]);
    assert_eq!(
        text(&ready.stdout).lines().count(),
        2,
        "released: ready again"
    );
    let next = as_at(&repo, other, BOB, now, &["claim", id, "--json"]);
    assert!(next.status.success(), "{}", text(&next.stderr));
    let value: serde_json::Value = serde_json::from_slice(&next.stdout).expect("json");
    assert_eq!(
        value["lease"]["token"], 2,
        "the token grows across a release"
    );
    assert_eq!(value["lease"]["replaced"], serde_json::Value::Null);
    assert_eq!(value["issue"]["assignee"], BOB);
}

#[test]
fn claim_ttl_is_read_from_the_config() {
    let repo = TestRepo::with_tracker();
    let config = repo.issues_dir().join("config.yaml");
    let text_of = std::fs::read_to_string(&config).expect("config");
    assert!(
        text_of.contains("claim_ttl: 2h"),
        "yit init writes it: {text_of}"
    );
    std::fs::write(&config, text_of.replace("claim_ttl: 2h", "claim_ttl: 0")).expect("write");
    let id = repo.new_issue(&["Forever"]);
    let claimed = repo.run(&["claim", &id, "--json"]).json();
    assert_eq!(claimed["lease"]["expires"], serde_json::Value::Null);
    std::fs::write(&config, text_of.replace("claim_ttl: 2h", "claim_ttl: soon")).expect("write");
    let bad = repo.fails(&["list"], 1);
    assert!(
        bad.stderr.contains("config.yaml:") && bad.stderr.contains("claim_ttl must be"),
        "{}",
        bad.stderr
    );
}

#[test]
fn two_clones_race_through_their_bare_remote_and_one_wins_each_issue() {
    // two clones of one bare remote, each with a linked worktree: four
    // worktrees, eight agents (two in each), fifty issues
    let repo = TestRepo::with_tracker();
    let (ids, _) = worktrees(&repo, 50, 0);
    let clones = repo.clones_of_bare(&["a", "b"]);
    let mut dirs = clones.clone();
    for (n, clone) in clones.iter().enumerate() {
        dirs.push(repo.worktree_of(clone, &format!("wt-{n}"), &format!("agent-{n}")));
    }
    race(&repo, 8, &dirs, &ids);
    // the remote holds every lease, and each clone knows every winner
    let remote = repo.outside().join("origin.git");
    let listed = repo.git_in(
        &remote,
        &["for-each-ref", "--format=%(refname)", "refs/yit/leases/"],
    );
    assert_eq!(listed.lines().count(), 50, "{listed}");

    // a remote that cannot be reached: refused, unless --offline
    let b = &clones[1];
    repo.git_in(
        b,
        &["remote", "set-url", "origin", "/nonexistent/origin.git"],
    );
    let late = repo.new_issue(&["Late"]);
    // (the new issue is in the first repository: copy its file over)
    let name = format!("{late}.yaml");
    std::fs::copy(repo.issues_dir().join(&name), b.join(".issues").join(&name)).expect("copy");
    let unreachable = as_at(&repo, b, ANN, crate::common::NOW, &["claim", &late]);
    assert_eq!(
        unreachable.status.code(),
        Some(1),
        "{}",
        text(&unreachable.stderr)
    );
    let why = text(&unreachable.stderr);
    assert!(
        why.contains("could not reach remote \"origin\"") && why.contains("--offline"),
        "{why}"
    );
    let offline = as_at(
        &repo,
        b,
        ANN,
        crate::common::NOW,
        &["claim", &late, "--offline", "--json"],
    );
    assert!(offline.status.success(), "{}", text(&offline.stderr));
    let value: serde_json::Value = serde_json::from_slice(&offline.stdout).expect("json");
    assert_eq!(value["lease"]["offline"], true);
    // the remote back: sync publishes the offline claim there, with its token
    let url = repo.outside().join("origin.git");
    let reconnect_and_sync = || -> serde_json::Value {
        repo.git_in(
            b,
            &["remote", "set-url", "origin", url.to_str().expect("utf-8")],
        );
        let synced = as_at(&repo, b, ANN, crate::common::NOW, &["sync", "--json"]);
        assert!(synced.status.success(), "{}", text(&synced.stderr));
        serde_json::from_slice(&synced.stdout).expect("json")
    };
    let value = reconnect_and_sync();
    assert_eq!(
        value["claims_published"],
        serde_json::json!([late]),
        "{value}"
    );
    let on_remote = repo.git_in(
        &remote,
        &[
            "log",
            "-1",
            "--format=%B",
            &format!("refs/yit/leases/{late}"),
        ],
    );
    assert!(
        on_remote.contains(ANN) && !on_remote.contains("offline"),
        "{on_remote}"
    );
    // an offline claim of an issue someone claimed on the remote meanwhile
    // is lost, and named
    let a = &clones[0];
    let x = repo.new_issue(&["Contested offline"]);
    let name = format!("{x}.yaml");
    for clone in [a, b] {
        std::fs::copy(
            repo.issues_dir().join(&name),
            clone.join(".issues").join(&name),
        )
        .expect("copy");
    }
    repo.git_in(
        b,
        &["remote", "set-url", "origin", "/nonexistent/origin.git"],
    );
    let mine = as_at(
        &repo,
        b,
        ANN,
        crate::common::NOW,
        &["claim", &x, "--offline"],
    );
    assert!(mine.status.success(), "{}", text(&mine.stderr));
    let theirs = as_at(&repo, a, BOB, crate::common::NOW, &["claim", &x]);
    assert!(theirs.status.success(), "{}", text(&theirs.stderr));
    let value = reconnect_and_sync();
    assert_eq!(
        value["claims_lost"],
        serde_json::json!([{ "id": x, "holder": BOB }]),
        "{value}"
    );
}

#[test]
fn doctor_names_stale_claims_and_release_expired_clears_them() {
    let repo = TestRepo::with_tracker();
    let kept = repo.new_issue(&["Kept"]);
    let gone = repo.new_issue(&["Gone"]);
    let root = repo.root().to_owned();
    for id in [&kept, &gone] {
        assert!(
            as_at(&repo, &root, ANN, "2026-01-02T10:00:00Z", &["claim", id])
                .status
                .success()
        );
    }
    std::fs::remove_file(repo.issues_dir().join(format!("{gone}.yaml"))).expect("rm");
    let later = "2026-01-02T13:00:00Z";
    let doctor = as_at(&repo, &root, ANN, later, &["doctor", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&doctor.stdout).expect("json");
    let warnings = value["warnings"].to_string();
    assert!(
        warnings.contains(&format!(
            "the claim of {kept} by {ANN} (token 1) expired at 2026-01-02T12:00:00Z"
        )),
        "{warnings}"
    );
    assert!(
        warnings.contains(&format!("a claim of {gone}")),
        "{warnings}"
    );
    let cleared = as_at(
        &repo,
        &root,
        ANN,
        later,
        &["release", "--expired", "--json"],
    );
    assert!(cleared.status.success(), "{}", text(&cleared.stderr));
    let value: serde_json::Value = serde_json::from_slice(&cleared.stdout).expect("json");
    assert_eq!(
        value["cleared"].as_array().map(Vec::len),
        Some(2),
        "{value}"
    );
    let doctor = as_at(&repo, &root, ANN, later, &["doctor", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&doctor.stdout).expect("json");
    assert_eq!(value["warnings"], serde_json::json!([]), "{value}");
    assert_eq!(
        repo.git(&["for-each-ref", "--format=%(refname)", "refs/yit/leases/"]),
        format!("refs/yit/leases/{kept}\n")
    );
    let shown = as_at(&repo, &root, BOB, later, &["show", &kept, "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    assert_eq!(value["lease"]["state"], "released");
    assert_eq!(value["lease"]["token"], 1);
}
