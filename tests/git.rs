//! `yit commit` and `yit.autocommit`, checked with the git CLI: only issue
//! files are committed, the user's other changes stay as they were, hooks
//! run, and the user's next ordinary commit keeps the issue change.

use crate::common;

use common::{Run, TestRepo};

fn porcelain(repo: &TestRepo) -> String {
    repo.git(&["status", "--porcelain"])
}

/// A repository with a first commit of a README and a source file.
fn project() -> TestRepo {
    let repo = TestRepo::with_tracker();
    std::fs::write(repo.root().join("README"), "hello\n").expect("write");
    std::fs::write(repo.root().join("src.txt"), "one\n").expect("write");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "start"]);
    repo
}

#[test]
fn commit_takes_only_issue_files_and_leaves_everything_else_as_it_was() {
    let repo = project();
    let id = repo.new_issue(&["Crash on empty repo"]);
    let other = repo.new_issue(&["Write the docs"]);
    repo.git(&["add", ".issues"]);
    repo.git(&["commit", "-qm", "two issues"]);
    repo.ok(&["close", &id]);
    let third = repo.new_issue(&["A third one"]);
    // the user's own work in progress: one staged, one not
    std::fs::write(repo.root().join("README"), "hello, staged\n").expect("write");
    repo.git(&["add", "README"]);
    std::fs::write(repo.root().join("src.txt"), "one, unstaged\n").expect("write");

    let summary = repo.ok(&["commit"]);
    assert!(summary.starts_with("[main "), "{summary}");
    let message = repo.git(&["log", "-1", "--format=%B"]);
    // past 72 characters: counts in the subject, one change per line below
    assert_eq!(
        message.trim(),
        format!(
            "yit: close 1, new 1\n\nclose {id} \"Crash on empty repo\"\nnew {third} \"A third one\""
        )
    );
    let files = repo.git(&["show", "--name-only", "--format=", "HEAD"]);
    let mut files: Vec<&str> = files.lines().collect();
    files.sort();
    let mut expected = vec![
        format!(".issues/{id}.yaml"),
        format!(".issues/{third}.yaml"),
    ];
    expected.sort();
    assert_eq!(files, expected);
    assert_eq!(porcelain(&repo), "M  README\n M src.txt\n", "untouched");

    // the user's next ordinary commit does not revert the issue change
    repo.git(&["commit", "-qm", "readme"]);
    let committed = repo.git(&["show", &format!("HEAD:.issues/{id}.yaml")]);
    assert!(committed.contains("status: closed"), "{committed}");
    assert!(
        repo.git(&["show", &format!("HEAD:.issues/{other}.yaml")])
            .contains("Write the docs")
    );
    assert_eq!(porcelain(&repo), " M src.txt\n");
    assert_eq!(repo.git(&["diff", "--cached", "--stat"]), "");
}

#[test]
fn commit_with_nothing_to_commit_says_so() {
    let repo = project();
    let run = repo.run(&["commit"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert!(run.stderr.contains("no issue changes"), "{}", run.stderr);
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}

#[test]
fn commit_runs_the_users_hooks_and_undoes_nothing_when_they_refuse() {
    let repo = project();
    let hooks = repo.root().join(".git/hooks");
    std::fs::create_dir_all(&hooks).expect("hooks dir");
    let hook = |name: &str, body: &str| {
        let path = hooks.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("hook");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    };
    hook("pre-commit", "echo 'refused by the hook' >&2; exit 1");
    let id = repo.new_issue(&["Blocked by a hook"]);
    let run = repo.fails(&["commit", "-m", "try"], 4);
    assert!(run.stderr.contains("refused by the hook"), "{}", run.stderr);
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    assert_eq!(
        porcelain(&repo),
        format!("?? .issues/{id}.yaml\n"),
        "the new file is untracked again"
    );
    std::fs::remove_file(hooks.join("pre-commit")).expect("rm hook");
    hook("commit-msg", "echo 'Checked-by: the hook' >> \"$1\"");
    repo.ok(&["commit", "-m", "try again"]);
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert_eq!(message.trim(), "try again\nChecked-by: the hook");
}

#[test]
fn autocommit_commits_each_change_when_the_clone_asks() {
    let repo = project();
    let id = repo.new_issue(&["Not committed"]);
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
    repo.git(&["add", ".issues"]);
    repo.git(&["commit", "-qm", "by hand"]);
    repo.git(&["config", "yit.autocommit", "true"]);
    repo.ok(&["close", &id]);
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "3");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        format!("yit: close {id} \"Not committed\"")
    );
    let other = repo.new_issue(&["Committed at once"]);
    assert!(repo.git(&["show", "--name-only", "HEAD"]).contains(&other));
    assert_eq!(porcelain(&repo), "");
}

#[test]
fn a_revision_is_read_by_the_worktrees_rules() {
    let repo = project();
    let id = repo.new_issue(&["The original"]);
    // a copy under another name still claims the original's id, and a
    // file that is not named by an id
    let text = repo.read_issue_file(&id);
    repo.write_issue_file("0000000001.yaml", text.as_bytes());
    repo.write_issue_file("notes.yml", b"title: x\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "copies"]);
    let now = repo.run(&["list"]);
    let then = repo.run(&["list", "--at", "HEAD"]);
    assert_eq!(now.code, 3, "{}", now.stderr);
    assert!(
        now.stderr.contains("does not match the file name"),
        "{}",
        now.stderr
    );
    assert!(
        now.stderr
            .contains("notes.yml: file name is not an issue id"),
        "{}",
        now.stderr
    );
    assert_eq!(
        (then.code, &then.stdout, &then.stderr),
        (now.code, &now.stdout, &now.stderr),
        "the same problems, in the same words"
    );
}

#[test]
fn list_and_show_at_a_revision_read_git_not_the_worktree() {
    let repo = project();
    let id = repo.new_issue(&["Open back then", "-l", "old"]);
    repo.git(&["add", ".issues"]);
    repo.git(&["commit", "-qm", "open"]);
    repo.ok(&["close", &id]);
    repo.ok(&["edit", &id, "--title", "Closed now"]);
    repo.git(&["commit", "-qam", "closed"]);
    std::fs::write(repo.issues_dir().join(format!("{id}.yaml")), "not: [yaml").expect("break");
    let before = repo.tree();

    assert_eq!(
        repo.ok(&["list", "--at", "HEAD~1", "--format", "ids"])
            .trim(),
        id
    );
    assert_eq!(repo.ok(&["list", "--at", "HEAD", "--format", "ids"]), "");
    let then = repo
        .run(&["show", &id[..6], "--at", "HEAD~1", "--json"])
        .json();
    assert_eq!(then["issue"]["title"], "Open back then");
    assert_eq!(then["issue"]["status"], "open");
    assert!(
        repo.ok(&["show", &id, "--at", "main"])
            .contains("Closed now")
    );
    assert_eq!(repo.tree(), before, "the worktree is not touched");

    let bad = repo.fails(&["list", "--at", "no-such-branch"], 1);
    assert!(
        bad.stderr
            .contains("no commit, branch or tag is named \"no-such-branch\""),
        "{}",
        bad.stderr
    );
    let empty_tree = repo.git(&["hash-object", "-t", "tree", "-w", "/dev/null"]);
    let empty = repo.git(&["commit-tree", empty_tree.trim(), "-m", "nothing"]);
    let none = repo.fails(&["list", "--at", empty.trim()], 1);
    assert!(
        none.stderr.contains("has no yit tracker"),
        "{}",
        none.stderr
    );

    // a bare repository has no worktree, but has every revision
    let bare = repo.outside().join("bare.git");
    repo.git(&[
        "clone",
        "-q",
        "--bare",
        repo.root().to_str().expect("utf-8"),
        bare.to_str().expect("utf-8"),
    ]);
    let bare_dir = bare.to_str().expect("utf-8");
    assert_eq!(
        repo.ok(&["-C", bare_dir, "list", "--at", "main~1", "--format", "ids"])
            .trim(),
        id
    );
    assert!(
        repo.ok(&["-C", bare_dir, "show", &id, "--at", "main"])
            .contains("Closed now")
    );
    repo.fails(&["-C", bare_dir, "list"], 1);
}

#[test]
fn log_tells_an_issues_history_in_words_also_after_its_removal() {
    let repo = project();
    let id = repo.new_issue(&["Crash on empty repo", "-l", "crash"]);
    repo.git(&["add", ".issues"]);
    repo.git(&["commit", "-qm", "report the crash"]);
    // a commit that does not touch .issues is passed over
    std::fs::write(repo.root().join("src.txt"), "two\n").expect("write");
    repo.git(&["commit", "-qam", "unrelated"]);
    repo.ok(&["close", &id]);
    repo.ok(&["label", "add", &id, "fixed"]);
    repo.ok(&["comment", &id, "Fixed in the parser"]);
    repo.ok(&["commit", "-m", "close it"]);

    let log = repo.run(&["log", &id[..6], "--json"]).json();
    let commits = log["commits"].as_array().expect("commits");
    assert_eq!(commits.len(), 2, "{log}");
    assert_eq!(commits[0]["summary"], "close it");
    assert_eq!(
        commits[0]["changes"],
        serde_json::json!([
            "status: open → closed",
            "+label fixed",
            "comment added by Ann Lee"
        ])
    );
    assert_eq!(commits[1]["changes"], serde_json::json!(["created"]));
    assert_eq!(commits[1]["author"], "Ann Lee <ann@example.com>");
    let text = repo.ok(&["log", &id, "--patch"]);
    assert!(
        text.starts_with(&format!("{}  Crash on empty repo\n\n", &id[..4])),
        "the issue's short id and title first: {text}"
    );
    assert!(
        text.contains(" +00:00  Ann Lee <ann@example.com>  close it\n"),
        "local time: {text}"
    );
    assert!(text.contains("    status: open → closed"), "{text}");
    assert!(text.contains("-status: open\n+status: closed"), "{text}");

    repo.ok(&["rm", &id, "--force"]);
    repo.ok(&["commit", "-m", "drop it"]);
    let log = repo.run(&["log", &id, "--json"]).json();
    assert_eq!(log["commits"][0]["changes"], serde_json::json!(["removed"]));
    assert_eq!(log["commits"].as_array().map(Vec::len), Some(3));
    repo.fails(&["log", "zzzz"], 1);
    // the history cache knows the dropped commit, but HEAD no longer
    // reaches it: it is not shown
    assert!(repo.root().join(".git/yit/history.v2").exists());
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let log = repo.run(&["log", &id, "--json"]).json();
    assert_eq!(log["commits"].as_array().map(Vec::len), Some(2), "{log}");
    assert_eq!(log["commits"][0]["summary"], "close it");
}

#[test]
fn diff_names_what_happened_between_revisions() {
    let repo = project();
    let a = repo.new_issue(&["Will be closed"]);
    let b = repo.new_issue(&["Will be relabelled"]);
    let c = repo.new_issue(&["Will be removed"]);
    let d = repo.new_issue(&["Stays as it is"]);
    repo.git(&["add", ".issues"]);
    repo.git(&["commit", "-qm", "four"]);
    repo.git(&["tag", "v1"]);
    repo.ok(&["close", &a]);
    repo.ok(&["label", "add", &b, "ui"]);
    repo.ok(&["rm", &c, "--force"]);
    let e = repo.new_issue(&["Brand new"]);
    repo.ok(&["commit", "-m", "work"]);
    repo.ok(&["reopen", &a]);

    let json = repo.run(&["diff", "v1", "HEAD", "--json"]).json();
    let got: Vec<(String, String)> = json["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_owned(),
                c["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("created", &e),
        ("closed", &a),
        ("changed", &b),
        ("removed", &c),
    ];
    assert_eq!(
        got,
        want.iter()
            .map(|(w, id)| (w.to_string(), id.to_string()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        json["changes"][2]["details"],
        serde_json::json!(["+label ui"])
    );
    assert!(
        !json.to_string().contains(&d),
        "unchanged issues are not listed"
    );
    // to the worktree by default: the reopening is not committed yet
    let text = repo.ok(&["diff", "HEAD"]);
    assert!(
        text.starts_with(&format!("reopened  {}  Will be closed", &a[..4])),
        "{text}"
    );
    assert_eq!(
        json["changes"][0]["short_id"],
        &e[..4],
        "short ids like everywhere else"
    );
    repo.fails(&["diff", "nope"], 1);
}

#[test]
fn linked_worktrees_subdirectories_and_git_env_all_find_their_tracker() {
    let repo = project();
    let id = repo.new_issue(&["In main"]);
    repo.ok(&["commit", "-m", "one"]);
    // a linked worktree has its own issue files and its own state
    let wt = repo.worktree_of(repo.root(), "wt", "feature");
    let in_wt = |args: &[&str]| {
        let out = repo.cmd(args).current_dir(&wt).output().expect("runs");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let other = in_wt(&["new", "Only on the feature branch", "--format", "ids"]);
    let other = other.trim();
    assert_eq!(in_wt(&["list", "--format", "ids"]).lines().count(), 2);
    assert_eq!(
        repo.ok(&["list", "--format", "ids"]).trim(),
        id,
        "the main worktree is apart"
    );
    assert!(repo.root().join(".git/worktrees/wt").exists());
    assert!(in_wt(&["show", other]).contains("Only on the feature branch"));
    // a subdirectory, and GIT_DIR/GIT_WORK_TREE from elsewhere
    std::fs::create_dir_all(repo.root().join("deep/er")).expect("mkdir");
    let sub = repo
        .cmd(&["list", "--format", "ids"])
        .current_dir(repo.root().join("deep/er"))
        .output()
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&sub.stdout).trim(), id);
    let env = repo
        .cmd(&["list", "--format", "ids"])
        .current_dir(repo.outside())
        .env("GIT_DIR", repo.root().join(".git"))
        .env("GIT_WORK_TREE", repo.root())
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&env.stdout).trim(),
        id,
        "{}",
        String::from_utf8_lossy(&env.stderr)
    );
}

#[test]
fn a_repository_without_commits_and_a_shallow_clone_work() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Before any commit"]);
    let none = repo.fails(&["log", &id], 1);
    assert!(none.stderr.contains("no commit"), "{}", none.stderr);
    assert!(
        repo.fails(&["list", "--at", "HEAD"], 1)
            .stderr
            .contains("\"HEAD\" names no commit: this repository has no commits yet")
    );
    repo.ok(&["commit", "-m", "first"]);
    for n in 0..3 {
        repo.ok(&["edit", &id, "--priority", &n.to_string()]);
        repo.ok(&["commit", "-m", &format!("step {n}")]);
    }
    let shallow = repo.outside().join("shallow");
    let url = format!("file://{}", repo.root().display());
    repo.git(&[
        "clone",
        "-q",
        "--depth",
        "2",
        &url,
        shallow.to_str().expect("utf-8"),
    ]);
    let out = repo
        .cmd(&["log", &id, "--json"])
        .current_dir(&shallow)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let commits = log["commits"].as_array().expect("commits");
    assert!(!commits.is_empty() && commits.len() <= 2, "{log}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("shallow"),
        "a note says the history is cut"
    );
}

#[test]
fn branches_show_issues_whose_status_differs() {
    let repo = project();
    let a = repo.new_issue(&["Fixed on the feature branch"]);
    let b = repo.new_issue(&["Same everywhere"]);
    let c = repo.new_issue(&["Retitled only"]);
    repo.ok(&["commit", "-m", "three"]);
    repo.git(&["branch", "feature"]);
    repo.git(&["branch", "old"]);
    repo.git(&["checkout", "-q", "feature"]);
    repo.ok(&["close", &a]);
    repo.ok(&["edit", &c, "--title", "Retitled on feature"]);
    let d = repo.new_issue(&["Only on feature"]);
    repo.ok(&["commit", "-m", "feature work"]);
    repo.git(&["checkout", "-q", "main"]);

    let json = repo.run(&["branches", "--json"]).json();
    assert_eq!(
        json["branches"],
        serde_json::json!(["feature", "main", "old"])
    );
    let ids: Vec<&str> = json["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let mut want = vec![a.as_str(), d.as_str()];
    want.sort();
    assert_eq!(ids, want);
    let a_row = json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == a.as_str())
        .unwrap();
    assert_eq!(
        a_row["status"],
        serde_json::json!({"feature": "closed", "main": "open", "old": "open"})
    );
    let d_row = json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == d.as_str())
        .unwrap();
    assert_eq!(d_row["status"]["main"], serde_json::Value::Null);
    assert_eq!(a_row["short_id"], &a[..4]);
    assert!(
        repo.ok(&["branches"]).contains(&format!("{}  ", &a[..4])),
        "short ids"
    );
    assert!(!json.to_string().contains(&b) && !json.to_string().contains(&c));
    assert!(
        repo.ok(&["branches"])
            .contains("    feature              closed")
    );
}

#[test]
fn commit_messages_link_to_issues_and_the_hook_keeps_them_exact() {
    let repo = project();
    let id = repo.new_issue(&["Crash on empty repo"]);
    let other = repo.new_issue(&["Unrelated"]);
    repo.ok(&["commit", "-m", "two issues"]);
    repo.ok(&["hooks", "install"]);
    repo.ok(&["hooks", "install"]);
    // the hook expands a prefix to the full id
    std::fs::write(repo.root().join("src.txt"), "fixed\n").expect("write");
    repo.git(&[
        "commit",
        "-qam",
        &format!("Handle empty repositories\n\nFixes: {}", &id[..5]),
    ]);
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert!(message.contains(&format!("Fixes: {id}")), "{message}");
    // and refuses a reference to nothing
    std::fs::write(repo.root().join("src.txt"), "again\n").expect("write");
    let refused = repo
        .program("git", &["commit", "-qam", "Refs: zzzz9"])
        .output()
        .expect("git");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("zzzz9"));
    repo.git(&["commit", "-qam", &format!("Tidy up, see {other}")]);

    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(shown["commits"][0]["kind"], "fixes");
    assert_eq!(shown["commits"][0]["summary"], "Handle empty repositories");
    assert!(
        repo.ok(&["show", &id])
            .contains("Handle empty repositories")
    );
    let log = repo.run(&["log", &id, "--commits", "--json"]).json();
    let summaries: Vec<&str> = log["commits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries, ["Handle empty repositories", "two issues"]);
    let other_log = repo.run(&["show", &other, "--json"]).json();
    assert_eq!(other_log["commits"][0]["kind"], "refs");
    // a hook that is not yit's is left alone
    let hooks = repo.root().join(".git/hooks/commit-msg");
    std::fs::write(&hooks, "#!/bin/sh\nexit 0\n").expect("write");
    repo.fails(&["hooks", "install"], 4);
}

#[test]
fn commit_signs_as_git_is_configured_to() {
    let repo = project();
    // a stand-in for gpg that git accepts: it reads the payload and prints
    // a signature and the status line git looks for
    let gpg = repo.outside().join("fake-gpg");
    std::fs::write(
        &gpg,
        "#!/bin/sh\ncat >/dev/null\necho >&2\necho '[GNUPG:] SIG_CREATED D 1 8 00 0 0 KEY' >&2\n\
         echo '-----BEGIN PGP SIGNATURE-----'\necho 'c2lnbmVk'\necho '-----END PGP SIGNATURE-----'\n",
    )
    .expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gpg, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&["config", "user.signingkey", "KEY"]);
    repo.git(&["config", "gpg.program", gpg.to_str().expect("utf-8")]);
    repo.new_issue(&["Signed"]);
    repo.ok(&["commit"]);
    let object = repo.git(&["cat-file", "commit", "HEAD"]);
    assert!(
        object.contains("gpgsig -----BEGIN PGP SIGNATURE-----"),
        "{object}"
    );
}

#[test]
fn config_yaml_merges_as_text_without_a_warning() {
    let (repo, config) = {
        let repo = project();
        let config = repo.issues_dir().join("config.yaml");
        (repo, config)
    };
    repo.git(&["branch", "b"]);
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}# ours\n")).expect("write");
    repo.git(&["commit", "-qam", "ours"]);
    repo.git(&["checkout", "-q", "b"]);
    std::fs::write(&config, format!("# theirs\n{text}")).expect("write");
    repo.git(&["commit", "-qam", "theirs"]);
    repo.git(&["checkout", "-q", "main"]);
    let merged = repo
        .program("git", &["merge", "--no-edit", "b"])
        .output()
        .expect("git");
    assert!(
        merged.status.success(),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert!(!String::from_utf8_lossy(&merged.stderr).contains("not a valid issue"));
    let now = std::fs::read_to_string(&config).expect("config");
    assert!(
        now.starts_with("# theirs\n") && now.ends_with("# ours\n"),
        "{now}"
    );
}

#[test]
fn fixes_close_issues_once_they_reach_the_default_branch() {
    let repo = project();
    let a = repo.new_issue(&["Fixed on a branch"]);
    let b = repo.new_issue(&["Fixed on main"]);
    repo.ok(&["commit", "-m", "two"]);
    repo.ok(&["hooks", "install", "--close-fixed"]);
    let status = |id: &str| repo.run(&["show", id, "--json"]).json()["issue"]["status"].clone();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.root().join("src.txt"), "feature fix\n").expect("write");
    repo.git(&["commit", "-qam", &format!("Repair it\n\nFixes: {a}")]);
    assert_eq!(status(&a), "open", "not on the default branch yet");
    repo.git(&["checkout", "-q", "main"]);
    std::fs::write(repo.root().join("README"), "main fix\n").expect("write");
    repo.git(&[
        "commit",
        "-qam",
        &format!("Repair the other\n\nCloses: {b}"),
    ]);
    assert_eq!(status(&b), "closed");
    assert_eq!(status(&a), "open");
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "feature"]);
    assert_eq!(status(&a), "closed");
    let comment = repo.run(&["show", &a, "--json"]).json()["issue"]["comments"][0]["body"].clone();
    assert!(comment.as_str().unwrap().contains("Repair it"), "{comment}");
}

#[test]
fn a_fixing_commit_closes_its_issue_once_and_says_so() {
    let repo = project();
    let old = repo.new_issue(&["Fixed before the hooks"]);
    let id = repo.new_issue(&["Fixed after"]);
    repo.ok(&["commit", "-m", "two"]);
    std::fs::write(repo.root().join("src.txt"), "old fix\n").expect("write");
    repo.git(&["commit", "-qam", &format!("Old repair\n\nFixes: {old}")]);
    repo.ok(&["hooks", "install", "--close-fixed"]);
    let status = |id: &str| repo.run(&["show", id, "--json"]).json()["issue"]["status"].clone();
    let comments = |id: &str| {
        repo.run(&["show", id, "--json"]).json()["issue"]["comments"]
            .as_array()
            .map_or(0, Vec::len)
    };
    std::fs::write(repo.root().join("src.txt"), "fix\n").expect("write");
    let committed = repo
        .program(
            "git",
            &[
                "commit",
                "-qam",
                &format!("Repair it\n\nFixes: {}", &id[..5]),
            ],
        )
        .output()
        .expect("git");
    let said = String::from_utf8_lossy(&committed.stderr);
    assert!(
        said.contains(&format!("yit: closed {} \"Fixed after\"", &id[..4])),
        "{said}"
    );
    assert_eq!(status(&id), "closed");
    // made before the hook existed: not the hook's business
    assert_eq!(status(&old), "open");
    // reopened, then more commits: the fix was applied once already
    repo.ok(&["reopen", &id]);
    repo.ok(&["commit", "-m", "reopen"]);
    std::fs::write(repo.root().join("src.txt"), "more\n").expect("write");
    repo.git(&["commit", "-qam", "Unrelated"]);
    repo.ok(&["hooks", "close-fixed"]);
    assert_eq!(status(&id), "open");
    assert_eq!(comments(&id), 1, "one Fixed by comment");
    // even with the record gone, the comment says the fix was applied
    repo.git(&["config", "--unset", "yit.closefixed.since"]);
    repo.ok(&["hooks", "close-fixed"]);
    assert_eq!(status(&id), "open");
    assert_eq!(comments(&id), 1);
    // a short prefix in a trailer is refused, not ignored
    std::fs::write(repo.root().join("src.txt"), "short\n").expect("write");
    let refused = repo
        .program("git", &["commit", "-qam", &format!("Fixes: {}", &id[..3])])
        .output()
        .expect("git");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("too short to name an issue"), "{said}");
    // uninstall removes yit's hooks and leaves others
    let hooks = repo.root().join(".git/hooks");
    std::fs::write(hooks.join("pre-push"), "#!/bin/sh\nexit 0\n").expect("write");
    repo.ok(&["hooks", "uninstall"]);
    for name in ["commit-msg", "post-commit", "post-merge"] {
        assert!(!hooks.join(name).exists(), "{name}");
    }
    assert!(hooks.join("pre-push").exists());
    repo.git(&["commit", "-qam", &format!("Fixes: {}", &id[..3])]);
}

#[test]
fn clones_get_the_merge_driver_and_doctor_says_when_they_would_not() {
    let repo = TestRepo::new();
    let said = repo.ok(&["init"]);
    assert!(said.contains("Commit .issues and .gitattributes"), "{said}");
    repo.new_issue(&["One"]);
    // the user's own change to .gitattributes is theirs to commit
    repo.ok(&["commit"]);
    assert!(
        repo.git(&["show", "--stat", "HEAD"])
            .contains(".gitattributes")
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    let doctor = repo.run(&["doctor", "--json"]);
    assert_eq!(doctor.code, 0, "{}", doctor.stderr);
    assert_eq!(doctor.json()["warnings"], serde_json::json!([]));
    // a clone has the attribute, and is told to register the driver
    let clone = repo.outside().join("clone");
    repo.git(&["clone", "-q", ".", clone.to_str().expect("utf-8")]);
    let attr = repo
        .program("git", &["check-attr", "merge", "--", ".issues/x.yaml"])
        .current_dir(&clone)
        .output()
        .expect("git");
    assert_eq!(
        String::from_utf8_lossy(&attr.stdout),
        ".issues/x.yaml: merge: yit\n"
    );
    let doctor = repo
        .cmd(&["doctor"])
        .current_dir(&clone)
        .output()
        .expect("yit");
    let said = String::from_utf8_lossy(&doctor.stderr);
    assert!(said.contains("no merge driver for issue files"), "{said}");
    // `yit init` there says what it found and what it did, nothing else
    let init = repo
        .cmd(&["init"])
        .current_dir(&clone)
        .output()
        .expect("yit");
    let issues = std::fs::canonicalize(&clone)
        .expect("clone")
        .join(".issues");
    assert_eq!(
        String::from_utf8_lossy(&init.stdout),
        format!(
            "Found the yit tracker in {}\n\
             Registered the merge driver for issue files in this clone (git config merge.yit.*)\n",
            issues.display()
        )
    );
    let again = repo
        .cmd(&["init"])
        .current_dir(&clone)
        .output()
        .expect("yit");
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        format!(
            "A yit tracker is already initialized in {}; nothing changed\n",
            issues.display()
        )
    );
    // yit's line taken out: doctor warns, and yit commit leaves the file
    std::fs::write(repo.root().join(".gitattributes"), "*.png binary\n").expect("write");
    let run = repo.run(&["doctor"]);
    assert!(
        run.stderr
            .contains("git does not send .issues/*.yaml to the merge driver"),
        "{}",
        run.stderr
    );
    repo.new_issue(&["Two"]);
    repo.ok(&["commit"]);
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        " M .gitattributes\n",
        "a person's change is left to them"
    );
    // committed without it (the old quick start): clones would not get it
    let other = TestRepo::with_tracker();
    other.git(&["add", ".issues"]);
    other.git(&["commit", "-qm", "tracker"]);
    let run = other.run(&["doctor"]);
    assert!(
        run.stderr
            .contains("is not in the committed .gitattributes"),
        "{}",
        run.stderr
    );
    // a driver registered as `yit` (as yit did before it registered its
    // own path), and `yit` not on PATH: git could not run the driver
    repo.git(&["config", "merge.yit.driver", "yit merge-file %O %A %B %P"]);
    let run = Run::from_output(
        repo.cmd(&["doctor"])
            .env("PATH", common::PATH_WITHOUT_YIT)
            .output()
            .expect("yit"),
    );
    assert!(
        run.stderr.contains("is not on PATH") && run.stderr.contains("only this side's version"),
        "{}",
        run.stderr
    );
}

/// Two clones of one bare remote, each with the close-fixed hook and
/// `yit.autocommit`.
fn two_clones(repo: &TestRepo) -> (std::path::PathBuf, std::path::PathBuf) {
    let clones = repo.clones_of_bare(&["a", "b"]);
    for clone in &clones {
        repo.ok_in(clone, &["hooks", "install", "--close-fixed"]);
        repo.git_in(clone, &["config", "yit.autocommit", "true"]);
    }
    (clones[0].clone(), clones[1].clone())
}

#[test]
fn a_fix_seen_by_two_clones_closes_once_and_is_committed() {
    let repo = project();
    let id = repo.new_issue(&["Crash on start"]);
    repo.ok(&["commit", "-m", "Track the crash"]);
    let (a, b) = two_clones(&repo);
    let issue_in = |dir: &std::path::Path| {
        let out = repo
            .cmd(&["show", &id, "--json"])
            .current_dir(dir)
            .output()
            .expect("yit");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("json")["issue"].clone()
    };
    // a fixes it: the hook closes the issue and commits the close
    std::fs::write(a.join("src.txt"), "fixed\n").expect("write");
    repo.git_in(
        &a,
        &[
            "commit",
            "-qam",
            &format!("Repair the start\n\nFixes: {id}"),
        ],
    );
    assert_eq!(issue_in(&a)["status"], "closed");
    assert_eq!(
        repo.git_in(&a, &["status", "--porcelain"]),
        "",
        "nothing left uncommitted"
    );
    let subject = repo.git_in(&a, &["log", "-1", "--format=%s"]);
    // (the commit-msg hook may write the id out whole)
    assert!(
        subject.starts_with(&format!("Close {}", &id[..4]))
            && subject.ends_with(" (fixed on main)\n"),
        "{subject}"
    );
    // the next unrelated commit is only that
    std::fs::write(a.join("README"), "more\n").expect("write");
    repo.git_in(&a, &["commit", "-qam", "Docs"]);
    let files = repo.git_in(&a, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(files, "README\n");
    // b gets the fix before a's close: its own hook closes it too
    repo.git_in(&a, &["push", "-q", "origin", "HEAD~2:main"]);
    repo.git_in(&b, &["pull", "-q", "--no-rebase"]);
    assert_eq!(issue_in(&b)["status"], "closed");
    repo.git_in(&b, &["push", "-q", "origin", "main"]);
    // a pulls b's close and merges it with its own: one fix, one comment
    repo.git_in(&a, &["pull", "-q", "--no-rebase", "--no-edit"]);
    repo.git_in(&a, &["push", "-q", "origin", "main"]);
    repo.git_in(&b, &["pull", "-q", "--no-rebase"]);
    for dir in [&a, &b] {
        let issue = issue_in(dir);
        let fixed: Vec<&serde_json::Value> = issue["comments"]
            .as_array()
            .expect("comments")
            .iter()
            .filter(|c| {
                c["body"]
                    .as_str()
                    .is_some_and(|b| b.starts_with("Fixed by"))
            })
            .collect();
        assert_eq!(fixed.len(), 1, "{issue}");
        assert_eq!(issue["conflicts"], serde_json::json!([]));
        assert_eq!(repo.git_in(dir, &["status", "--porcelain"]), "");
    }
}

#[test]
fn hooks_run_where_yit_is_not_on_path() {
    let repo = project();
    let id = repo.new_issue(&["Crash on start"]);
    repo.ok(&["commit", "-m", "Track the crash"]);
    repo.ok(&["hooks", "install", "--close-fixed"]);
    std::fs::write(repo.root().join("src.txt"), "fixed\n").expect("write");
    // a GUI client's commit: no yit on PATH
    let out = repo
        .program(
            "git",
            &["commit", "-qam", &format!("Repair\n\nFixes: {}", &id[..5])],
        )
        .env("PATH", common::PATH_WITHOUT_YIT)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let message = repo.git(&["log", "-1", "--format=%B"]);
    assert!(
        message.contains(&format!("Fixes: {id}")),
        "the prefix expanded: {message}"
    );
    let shown = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(shown["issue"]["status"], "closed");
}
