//! The layout the code promises (src/lib.rs, docs/architecture.md), checked
//! on the source: each library layer uses only the layers below it, a
//! front end does not use another front end and reads the issues through
//! `ops` alone, and every test that is written is run (the session
//! binaries list their tests by hand).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The top-level modules of the crate `path`'s code names (`crate::store`,
/// `yit::store`), outside comments.
fn uses(path: &Path, prefix: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).expect("read");
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let name: String = rest[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // (`crate::` must not be the end of a longer path: `yit::` vs `ayit::`)
            let before = rest[..at].chars().last();
            if !name.is_empty() && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.insert(name);
            }
            rest = &rest[at + prefix.len()..];
        }
    }
    out
}

#[test]
fn each_library_layer_uses_only_the_layers_below_it() {
    // bottom to top, as src/lib.rs lists them
    let order = ["model", "git", "query", "store", "watch", "daemon", "ops"];
    let mut wrong = Vec::new();
    for (n, layer) in order.iter().enumerate() {
        let allowed = &order[..=n];
        for file in sources(&root().join("src").join(layer)) {
            for used in uses(&file, "crate::") {
                if order.contains(&used.as_str()) && !allowed.contains(&used.as_str()) {
                    wrong.push(format!("{} uses {used}", file.display()));
                }
            }
        }
    }
    // the store writes and reads files; it asks nothing of the query layer
    for file in sources(&root().join("src/store")) {
        if uses(&file, "crate::").contains("query") {
            wrong.push(format!("{} uses query", file.display()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_front_end_does_not_use_another() {
    // each front end maps its own syntax onto what `front` shares; none
    // reaches into another, the command line included
    let fronts = ["cli", "web", "mcp"];
    // (the commands that start the servers: `yit serve`, `yit mcp`)
    let launchers = [("cli/serve.rs", "web"), ("cli/mcp.rs", "mcp")];
    let mut wrong = Vec::new();
    for dir in ["front", "web", "mcp", "cli"] {
        for file in sources(&root().join("src").join(dir)) {
            let rel = file.strip_prefix(root().join("src")).expect("inside");
            for used in uses(&file, "crate::") {
                let launches = launchers
                    .iter()
                    .any(|(f, front)| rel == Path::new(f) && used == *front);
                if fronts.contains(&used.as_str()) && used != dir && !launches {
                    wrong.push(format!("{} uses {used}", file.display()));
                }
            }
        }
    }
    // the library knows no front end
    for file in sources(&root().join("src")) {
        let rel = file.strip_prefix(root().join("src")).expect("inside");
        let top = rel
            .components()
            .next()
            .expect("a part")
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        if ["cli", "front", "web", "mcp", "main.rs"].contains(&top.as_str()) {
            continue;
        }
        for used in uses(&file, "crate::") {
            if ["cli", "front", "web", "mcp"].contains(&used.as_str()) {
                wrong.push(format!("{} uses {used}", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn front_ends_read_the_issues_through_ops() {
    // every read of the whole issue set (or of a revision) goes through
    // `ops`, where asking the daemon or the files is decided once: no
    // front end calls the store's own reads of them
    let reads = ["scan(", "load_listing(", "read_all(", "files_by_id("];
    let mut wrong = Vec::new();
    for dir in ["front", "web", "mcp", "cli"] {
        for file in sources(&root().join("src").join(dir)) {
            let text = std::fs::read_to_string(&file).expect("read");
            let code: String = text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<String>()
                .split_whitespace()
                .collect();
            for read in reads {
                if code.contains(&format!("tracker.{read}"))
                    || code.contains(&format!("Tracker::{read}"))
                {
                    wrong.push(format!("{} calls the store's {read}", file.display()));
                }
            }
            if code.contains("store::at::") {
                wrong.push(format!("{} reads a revision around ops", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The test functions of a session binary (`harness = false`): functions
/// without arguments defined at the top of the file, but `main` and the
/// helpers it names in `helpers`.
fn session_tests(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("fn "))
        .filter_map(|l| l.strip_suffix("() {"))
        .filter(|name| *name != "main")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_test_written_is_run() {
    let tests = root().join("tests");
    // each module of tests/ is in the runner or a test binary of its own
    let cargo = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let runner = std::fs::read_to_string(tests.join("runner.rs")).expect("runner.rs");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&tests).expect("tests") {
        let path = entry.expect("entry").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || name == "runner" {
            continue;
        }
        let binary = cargo.contains(&format!("[[test]]\nname = \"{name}\""));
        let module = runner.lines().any(|l| l == format!("mod {name};"));
        if !binary && !module {
            missing.push(format!(
                "tests/{name}.rs is neither in runner.rs nor a [[test]]"
            ));
        }
        // a session binary runs the tests its main lists, by name
        if binary && cargo.contains(&format!("name = \"{name}\"\nharness = false")) {
            let text = std::fs::read_to_string(&path).expect("read");
            let listed = text.split("fn main()").nth(1).unwrap_or_default();
            for test in session_tests(&text) {
                let named = listed.contains(&format!("\"{test}\""));
                let called = text.matches(&format!("{test}(")).count() > 1;
                if !named && !called {
                    missing.push(format!("tests/{name}.rs: {test} is never run"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn no_two_commands_use_each_other() {
    // one file per command: shared code lives in cli/mod.rs or output.rs,
    // never in a circle of two commands
    let dir = root().join("src/cli");
    let files = sources(&dir);
    let name = |p: &Path| p.file_stem().expect("stem").to_string_lossy().into_owned();
    let used: Vec<(String, BTreeSet<String>)> = files
        .iter()
        .map(|f| (name(f), uses(f, "super::")))
        .collect();
    let mut circles = Vec::new();
    for (a, a_uses) in &used {
        for (b, b_uses) in &used {
            if a < b && a_uses.contains(b) && b_uses.contains(a) {
                circles.push(format!("cli/{a}.rs and cli/{b}.rs use each other"));
            }
        }
    }
    assert!(circles.is_empty(), "{}", circles.join("\n"));
}
