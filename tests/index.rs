//! The index is only a cache: through it, every answer is byte for byte
//! the answer of parsing every file (`--no-index`), whatever happened to the
//! files in between: yit's writes, hand edits in place and by rename,
//! deletions, broken files, `git checkout` and `git stash`.

use crate::common;

use common::TestRepo;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    New(u8),
    Edit(usize, u8),
    Close(usize),
    Comment(usize),
    /// Overwrite the file in place, keeping its size (same inode).
    HandInPlace(usize),
    /// Write a new version next to it and rename it over (editors, git).
    HandRename(usize),
    Delete(usize),
    Break(usize),
    Checkout,
    Stash,
    Config,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u8>().prop_map(Op::New),
        2 => (any::<usize>(), 0..5u8).prop_map(|(i, p)| Op::Edit(i, p)),
        1 => any::<usize>().prop_map(Op::Close),
        1 => any::<usize>().prop_map(Op::Comment),
        2 => any::<usize>().prop_map(Op::HandInPlace),
        2 => any::<usize>().prop_map(Op::HandRename),
        1 => any::<usize>().prop_map(Op::Delete),
        1 => any::<usize>().prop_map(Op::Break),
        1 => Just(Op::Checkout),
        1 => Just(Op::Stash),
        1 => Just(Op::Config),
    ]
}

/// Issue files present now, sorted.
fn files(repo: &TestRepo) -> Vec<std::path::PathBuf> {
    let Ok(dir) = std::fs::read_dir(repo.issues_dir()) else {
        return Vec::new();
    };
    let mut out: Vec<_> = dir
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && !p.ends_with("config.yaml"))
        .collect();
    out.sort();
    out
}

fn pick(repo: &TestRepo, n: usize) -> Option<std::path::PathBuf> {
    let all = files(repo);
    (!all.is_empty()).then(|| all[n % all.len()].clone())
}

fn id_of(path: &std::path::Path) -> String {
    path.file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned()
}

fn apply(repo: &TestRepo, op: &Op) {
    match op {
        Op::New(n) => {
            let body = format!("Seen with word{} here.\n", n % 4);
            let _ = repo.run(&[
                "new",
                &format!("Issue {n}"),
                "-l",
                &format!("l{}", n % 3),
                "--body",
                &body,
            ]);
        }
        Op::Edit(i, p) => {
            if let Some(f) = pick(repo, *i) {
                let _ = repo.run(&["edit", &id_of(&f), "--priority", &p.to_string()]);
            }
        }
        Op::Close(i) => {
            if let Some(f) = pick(repo, *i) {
                let _ = repo.run(&["close", &id_of(&f)]);
            }
        }
        Op::Comment(i) => {
            if let Some(f) = pick(repo, *i) {
                let _ = repo.run(&["comment", &id_of(&f), "a comment"]);
            }
        }
        Op::HandInPlace(i) => {
            if let Some(f) = pick(repo, *i) {
                let text = std::fs::read_to_string(&f).unwrap_or_default();
                // same length: swap a digit of the priority, or a title letter
                let changed = if text.contains("priority: 1") {
                    text.replacen("priority: 1", "priority: 3", 1)
                } else if text.contains("priority: 3") {
                    text.replacen("priority: 3", "priority: 1", 1)
                } else {
                    text.replacen("Issue", "Isxue", 1)
                };
                std::fs::write(&f, changed).expect("write in place");
            }
        }
        Op::HandRename(i) => {
            if let Some(f) = pick(repo, *i) {
                let text = std::fs::read_to_string(&f).unwrap_or_default();
                let tmp = f.with_extension("yaml.swp");
                std::fs::write(
                    &tmp,
                    text.replacen("status: open", "status: in_progress", 1) + "# edited by hand\n",
                )
                .expect("write");
                std::fs::rename(&tmp, &f).expect("rename");
            }
        }
        Op::Delete(i) => {
            if let Some(f) = pick(repo, *i) {
                std::fs::remove_file(f).expect("remove");
            }
        }
        Op::Break(i) => {
            if let Some(f) = pick(repo, *i) {
                let text = std::fs::read_to_string(&f).unwrap_or_default();
                std::fs::write(&f, text.replacen("title:", "title: [", 1)).expect("write");
            }
        }
        Op::Checkout => {
            repo.git(&["add", "-A"]);
            repo.git(&["commit", "-qm", "state", "--allow-empty"]);
            let other = if repo.git(&["branch", "--show-current"]).trim() == "main" {
                "other"
            } else {
                "main"
            };
            if repo.git(&["branch", "--list", other]).trim().is_empty() {
                repo.git(&["branch", other, "HEAD~1"]);
            }
            repo.git(&["checkout", "-q", other]);
        }
        Op::Stash => {
            if repo.git(&["stash", "list"]).trim().is_empty() {
                let _ = repo.program("git", &["stash", "-q", "-u"]).output();
            } else {
                let _ = repo.program("git", &["stash", "pop", "-q"]).output();
            }
        }
        Op::Config => {
            let path = repo.issues_dir().join("config.yaml");
            let text = std::fs::read_to_string(&path).expect("config");
            let text = if text.contains("strict_labels: false") {
                text.replace("labels: []", "labels: [l0, l1]")
                    .replace("strict_labels: false", "strict_labels: true")
            } else {
                text.replace("labels: [l0, l1]", "labels: []")
                    .replace("strict_labels: true", "strict_labels: false")
            };
            std::fs::write(path, text).expect("config");
        }
    }
}

/// The same command through the index and without it must agree exactly.
fn assert_same(repo: &TestRepo, args: &[&str], history: &[Op]) {
    let through = repo.run(args);
    let mut plain_args = args.to_vec();
    plain_args.push("--no-index");
    let plain = repo.run(&plain_args);
    assert_eq!(
        (through.code, &through.stdout, &through.stderr),
        (plain.code, &plain.stdout, &plain.stderr),
        "{args:?} differs through the index after {history:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn answers_through_the_index_equal_parsing_every_file(ops in prop::collection::vec(op(), 1..18)) {
        let repo = TestRepo::with_tracker();
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-qm", "init"]);
        let mut history = Vec::new();
        for op in ops {
            apply(&repo, &op);
            history.push(op);
            assert_same(&repo, &["list", "--all", "--json"], &history);
            assert_same(&repo, &["list", "--all"], &history);
            // words and search read the bodies and comments of the index
            assert_same(&repo, &["list", "--all", "word1"], &history);
            assert_same(&repo, &["list", "--all", "comment", "issue"], &history);
            assert_same(&repo, &["search", "--all", "word2", "--json"], &history);
            assert_same(&repo, &["search", "--all", "comment", "seen", "--json"], &history);
        }
        assert_same(&repo, &["doctor"], &history);
    }
}

#[test]
fn a_damaged_or_old_index_is_rebuilt_silently() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Indexed"]);
    let expected = repo.ok(&["list", "--json"]);
    let dir = repo.root().join(".git/yit/index");
    for damage in [&b"garbage"[..], b"", &[0xff; 64]] {
        std::fs::write(dir.join("summary.v3"), damage).expect("damage");
        let run = repo.run(&["list", "--json"]);
        assert_eq!(
            (run.code, run.stdout.as_str(), run.stderr.as_str()),
            (0, expected.as_str(), "")
        );
    }
    std::fs::write(dir.join("journal.v2"), b"\x05\x00\x00\x00junk!").expect("damage");
    assert_eq!(repo.ok(&["list", "--json"]), expected);
    std::fs::remove_dir_all(&dir).expect("remove");
    assert!(repo.ok(&["show", &id, "--json"]).contains("Indexed"));
    assert_eq!(repo.ok(&["list", "--json"]), expected);
}

/// A same-length change inside the index (a title's byte in the summary,
/// a body's in the details, a word in the word cache) fails its chunk's
/// checksum: every answer is still the files' (through a daemon too),
/// doctor names the damage, and the next read rebuilds the index.
#[test]
fn a_byte_changed_inside_the_index_is_caught_by_its_checksum() {
    let repo = TestRepo::with_tracker();
    for n in 0..40 {
        repo.new_issue(&[
            &format!("Issue number {n:02} zebrafish"),
            "--body",
            &format!("Body {n:02} with the word quagmire{n:02} in it"),
        ]);
    }
    let dir = repo.root().join(".git/yit/index");
    let list = repo.ok(&["list", "--json", "--no-daemon"]);
    let search = repo.ok(&["search", "quagmire07", "--json", "--no-daemon"]);
    assert!(search.contains("quagmire07"), "{search}");
    let unindexed = repo.ok(&["list", "--json", "--no-index"]);
    assert_eq!(list, unindexed);
    // flips one byte of the first place `needle` appears in `file`
    let damage = |file: &str, needle: &[u8], to: u8| {
        let path = dir.join(file);
        let mut bytes = std::fs::read(&path).expect("index file");
        let at = bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or_else(|| panic!("{needle:?} in {file}"));
        bytes[at + needle.len() - 1] = to;
        std::fs::write(&path, bytes).expect("damage");
    };
    for (file, needle, to) in [
        ("summary.v3", &b"number 07 zebrafish"[..], b'X'),
        ("detail.v3", &b"quagmire07"[..], b'9'),
    ] {
        damage(file, needle, to);
        let doctor = repo.run(&["doctor", "--json", "--no-daemon"]).json();
        let warnings = doctor["warnings"].to_string();
        assert!(
            warnings.contains("the index in .git/yit/index was damaged") && warnings.contains(file),
            "{file}: {warnings}"
        );
        assert_eq!(repo.ok(&["list", "--json", "--no-daemon"]), list, "{file}");
        damage_check_search(&repo, &search);
        // rebuilt: doctor is quiet again
        let doctor = repo.run(&["doctor", "--json", "--no-daemon"]).json();
        assert!(
            !doctor["warnings"].to_string().contains("damaged"),
            "{file}: {doctor}"
        );
    }
    // the word cache: a byte of its postings changed; the next word query
    // finds it damaged, answers from the files and writes it again whole
    damage_check_search(&repo, &search);
    let cache = dir.join("words.v1");
    let intact = std::fs::read(&cache).expect("word cache");
    let mut bytes = intact.clone();
    let at = bytes.len() - 12;
    bytes[at] ^= 0x55;
    std::fs::write(&cache, bytes).expect("damage");
    damage_check_search(&repo, &search);
    assert!(
        std::fs::read(&cache).expect("word cache") == intact,
        "rebuilt"
    );
    // a daemon started on a damaged index answers from the files
    damage("summary.v3", b"number 07 zebrafish", b'Y');
    let _daemon = common::DaemonGuard::start(&repo, &[]);
    assert_eq!(repo.ok(&["list", "--json"]), list);
}

fn damage_check_search(repo: &TestRepo, expected: &str) {
    assert_eq!(
        repo.ok(&["search", "quagmire07", "--json", "--no-daemon"]),
        expected
    );
}

#[test]
fn show_reads_what_waits_from_the_links_and_sees_every_change() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Waited for"]);
    let b = repo.new_issue(&["Waits later"]);
    let c = repo.new_issue(&["A child already", "--parent", &a]);
    // the directory's last change well in the past when the index is
    // built: later reads trust its names while it stays the same
    std::thread::sleep(std::time::Duration::from_millis(60));
    repo.ok(&["list"]);
    let links = repo.root().join(".git/yit/index/links.v1");
    assert!(links.exists(), "the index was saved with its links");
    let dir = std::fs::metadata(repo.issues_dir())
        .expect("dir")
        .modified()
        .expect("mtime");
    let show = |id: &str| -> serde_json::Value {
        let linked = repo.run(&["show", id, "--json", "--no-daemon"]);
        let parsed = repo.run(&["show", id, "--json", "--no-index"]);
        assert_eq!(
            (linked.code, &linked.stdout, &linked.stderr),
            (parsed.code, &parsed.stdout, &parsed.stderr),
            "the links and every file disagree on {id}"
        );
        linked.json()
    };
    let ids = |related: &serde_json::Value, key: &str| -> Vec<String> {
        related["related"][key]
            .as_array()
            .expect("array")
            .iter()
            .map(|l| l["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let shown = show(&a);
    assert_eq!(ids(&shown, "children"), vec![c.clone()]);
    assert!(ids(&shown, "blocks").is_empty());
    // B now waits for A, written in place: no name came or went
    let path = repo.issues_dir().join(format!("{b}.yaml"));
    let text = std::fs::read_to_string(&path).expect("b");
    // (truncated and written: the same inode)
    std::fs::write(&path, format!("{text}depends_on:\n  - {a}\n")).expect("in place");
    assert_eq!(
        std::fs::metadata(repo.issues_dir())
            .expect("dir")
            .modified()
            .expect("mtime"),
        dir,
        "an edit in place leaves the directory as it was"
    );
    assert_eq!(ids(&show(&a), "blocks"), vec![b.clone()]);
    // C's parent dropped in place, a new child made by hand (the
    // directory changes: listed again)
    let path = repo.issues_dir().join(format!("{c}.yaml"));
    let text = std::fs::read_to_string(&path).expect("c");
    let dropped: String = text
        .lines()
        .filter(|l| !l.starts_with("parent:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&path, dropped).expect("in place");
    let d = "zzzzzzzzzz";
    let child = text
        .replace(&format!("id: {c}"), &format!("id: {d}"))
        .replace("A child already", "A child by hand");
    repo.write_issue_file(&format!("{d}.yaml"), child.as_bytes());
    let shown = show(&a);
    assert_eq!(ids(&shown, "children"), vec![d.to_owned()]);
    assert_eq!(ids(&shown, "blocks"), vec![b.clone()]);
    // the issue B waits for, and the short ids, from the links too
    show(&b);
    show(d);
    // B's file removed: nothing waits for A any more
    std::fs::remove_file(repo.issues_dir().join(format!("{b}.yaml"))).expect("rm");
    assert!(ids(&show(&a), "blocks").is_empty());
    // a byte of A's title changed in the links (same length): the links
    // are not used (D's parent keeps its title) and are saved again
    repo.ok(&["list"]);
    let bytes = std::fs::read(&links).expect("links");
    let at = bytes
        .windows(b"Waited for".len())
        .position(|w| w == b"Waited for")
        .expect("A's title in the links");
    let mut damaged = bytes.clone();
    damaged[at + 9] = b'x';
    std::fs::write(&links, &damaged).expect("damage");
    let shown = show(d);
    assert_eq!(shown["related"]["parent"]["title"], "Waited for");
    repo.ok(&["list"]);
    assert!(links.exists(), "the links were saved again");
    assert_ne!(std::fs::read(&links).expect("links"), damaged);
}

#[test]
fn a_write_is_journaled_and_the_next_read_parses_nothing() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Journaled"]);
    repo.ok(&["list"]);
    let journal = repo.root().join(".git/yit/index/journal.v2");
    let before = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
    repo.ok(&["edit", &id, "--priority", "0"]);
    let after = std::fs::metadata(&journal).expect("journal").len();
    assert!(after > before, "the edit appended to the journal");
    let summary = repo.root().join(".git/yit/index/summary.v3");
    let written = std::fs::metadata(&summary)
        .expect("index")
        .modified()
        .expect("mtime");
    let listed = repo.run(&["list", "--json"]).json();
    assert_eq!(listed["issues"][0]["priority"], 0);
    let rewritten = std::fs::metadata(&summary)
        .expect("index")
        .modified()
        .expect("mtime");
    assert_eq!(
        written, rewritten,
        "the read after a write did not rebuild the index"
    );
}

#[test]
fn the_word_cache_never_hides_a_match() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["First", "--body", "about a zeppelin"]);
    let b = repo.new_issue(&["Second", "--body", "about a balloon"]);
    let c = repo.new_issue(&["Third", "--body", "nothing here"]);
    let ids = |q: &str| -> Vec<String> {
        let mut got: Vec<String> = repo
            .ok(&["list", "--all", "--format", "ids", q])
            .lines()
            .map(str::to_owned)
            .collect();
        got.sort();
        got
    };
    assert_eq!(ids("zeppelin"), vec![a.clone()]);
    assert!(
        repo.root().join(".git/yit/index/words.v1").exists(),
        "the first word query wrote the cache"
    );
    // changed by hand after the cache was written (same size: same stat
    // size), by yit (journaled), and a new file
    let path = repo.issues_dir().join(format!("{b}.yaml"));
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("balloon", "BALLOON")).expect("write");
    repo.ok(&["comment", &c, "Saw a Zeppelin too."]);
    let d = repo.new_issue(&["Fourth", "--body", "zeppelin again"]);
    let mut want = vec![a.clone(), c.clone(), d.clone()];
    want.sort();
    assert_eq!(ids("zeppelin"), want);
    assert_eq!(ids("balloon"), vec![b.clone()]);
    // a word only in a title is found without the cache knowing it
    repo.ok(&["edit", &a, "--title", "Balloon trip"]);
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(ids("balloon"), both);
    for q in ["zeppelin", "balloon", "about"] {
        assert_same(&repo, &["search", "--all", q, "--json"], &[]);
        assert_same(&repo, &["list", "--all", q], &[]);
    }
    // a damaged cache is ignored and written again
    std::fs::write(repo.root().join(".git/yit/index/words.v1"), b"junk").expect("damage");
    assert_eq!(ids("zeppelin"), want);
}

#[test]
fn words_in_most_files_are_left_out_of_the_cache_and_still_found() {
    let repo = TestRepo::with_tracker();
    let alphabet = b"0123456789abcdefghjkmnpqrstvwxyz";
    for n in 0..80usize {
        let id = format!(
            "{}{}abcdefgh",
            alphabet[n / 32] as char,
            alphabet[n % 32] as char
        );
        let body = if n == 3 {
            "common and rare"
        } else if n % 5 == 0 {
            "seldom"
        } else {
            "common words"
        };
        let text = format!(
            "id: {id}\ntitle: Issue {n}\nstatus: open\ncreated: \"2026-01-01T00:00:00Z\"\nbody: {body}\n"
        );
        std::fs::write(repo.issues_dir().join(format!("{id}.yaml")), text).expect("write");
    }
    // the first word query writes the cache; "common" is in most files
    for q in ["rare", "common", "seldom", "common rare", "words", "absent"] {
        assert_same(&repo, &["list", "--all", q], &[]);
        assert_same(&repo, &["search", "--all", q, "--json"], &[]);
    }
    assert_eq!(
        repo.ok(&["list", "--format", "ids", "rare"])
            .lines()
            .count(),
        1
    );
    assert_eq!(
        repo.ok(&["list", "--format", "ids", "common"])
            .lines()
            .count(),
        64
    );
}
