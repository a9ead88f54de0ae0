//! `yit mcp`, end to end: raw JSON-RPC over the real binary's stdio, and a
//! client yit did not write (the official Python SDK, `tests/mcp/client.py`,
//! in the venv `scripts/test` makes). Runs under a session teardown (`harness =
//! false`): every server these tests start carries the session marker, and
//! any still running at the end fails the run.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::{TestRepo, process_alive};
use serde_json::{Value, json};

const PATIENCE: Duration = Duration::from_secs(10);

/// The tools whose text content is a short rendering of their records.
const LISTS: [&str; 4] = ["list", "ready", "blocked", "search"];

/// A `yit mcp` process spoken to line by line; killed and reaped on drop.
struct Mcp {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    next_id: u64,
}

impl Mcp {
    #[track_caller]
    fn start(repo: &TestRepo, extra: &[&str]) -> Mcp {
        let mut args = vec!["mcp"];
        args.extend_from_slice(extra);
        Mcp::spawn(repo.cmd(&args))
    }

    /// Starts `cmd`, a `yit mcp` command line, and initializes a session.
    #[track_caller]
    fn spawn(cmd: std::process::Command) -> Mcp {
        let mut mcp = Mcp::started(cmd);
        mcp.initialize();
        mcp
    }

    /// `yit mcp` started, no message sent.
    fn launch(repo: &TestRepo) -> Mcp {
        Mcp::started(repo.cmd(&["mcp"]))
    }

    /// `cmd` started with its stdio piped, its stdout read line by line.
    fn started(mut cmd: std::process::Command) -> Mcp {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn yit mcp");
        let stdin = child.stdin.take();
        let stdout: ChildStdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Mcp {
            child,
            stdin,
            lines,
            next_id: 1,
        }
    }

    #[track_caller]
    fn initialize(&mut self) {
        let init = self.request(
            "initialize",
            json!({ "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "raw", "version": "1" } }),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "yit", "{init}");
        self.send_line(
            &json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }).to_string(),
        );
    }

    fn send_bytes(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write");
        stdin.flush().expect("flush");
    }

    /// The next message from the server.
    #[track_caller]
    fn read(&self) -> Value {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => {
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
            }
            Err(RecvTimeoutError::Timeout) => panic!("no answer within {PATIENCE:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
        }
    }

    /// A request and its answer (notifications before it are skipped).
    #[track_caller]
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_line(
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }).to_string(),
        );
        loop {
            let message = self.read();
            if message["id"] == id {
                return message;
            }
        }
    }

    /// A tool call: (is it an error, its JSON answer), its text content
    /// checked against it. A list tool is called twice: as every client
    /// calls it (text alone), and with `json` for its records.
    #[track_caller]
    fn call(&mut self, name: &str, arguments: Value) -> (bool, Value) {
        let mut ask = |arguments: &Value| {
            self.request(
                "tools/call",
                json!({ "name": name, "arguments": arguments }),
            )["result"]
                .clone()
        };
        if !LISTS.contains(&name) || arguments.get("json").is_some() {
            let result = ask(&arguments);
            assert!(result.is_object(), "{name}: not a tool result: {result}");
            let value = result["structuredContent"].clone();
            assert_eq!(value["schema_version"], 1, "{result}");
            let text = result["content"][0]["text"].as_str().expect("text content");
            if !LISTS.contains(&name) || result["isError"] == true {
                // the same JSON, for clients without structure
                assert_eq!(
                    serde_json::from_str::<Value>(text).expect("JSON text"),
                    value
                );
            }
            return (result["isError"] == true, value);
        }
        let plain = ask(&arguments);
        let mut with_json = arguments.clone();
        with_json["json"] = json!(true);
        let result = ask(&with_json);
        let value = result["structuredContent"].clone();
        assert_eq!(value["schema_version"], 1, "{result}");
        if result["isError"] == true {
            assert_eq!(plain, result);
            return (true, value);
        }
        assert!(plain.get("structuredContent").is_none(), "{plain}");
        let text = plain["content"][0]["text"].as_str().expect("text content");
        let lines = result["content"][0]["text"].as_str().expect("text content");
        assert!(serde_json::from_str::<Value>(lines).is_err(), "{lines}");
        // a line per issue with every field of its summary
        let records: Vec<&Value> = match name {
            "blocked" => value["blocked"]
                .as_array()
                .expect("blocked")
                .iter()
                .map(|b| &b["issue"])
                .collect(),
            "search" => value["hits"].as_array().expect("hits").iter().collect(),
            _ => value["issues"].as_array().expect("issues").iter().collect(),
        };
        for r in records {
            let (short, status) = (
                r["short_id"].as_str().expect("short id"),
                r["status"].as_str().expect("status"),
            );
            let line = match name {
                "search" => format!("{short} {status} "),
                _ => format!(
                    "{short} P{} {status} {}",
                    r["priority"],
                    r["type"].as_str().expect("type")
                ),
            };
            for shown in [text, lines] {
                assert!(shown.contains(&line), "{line:?} not in {shown}");
                assert!(
                    shown.contains(r["title"].as_str().expect("title")),
                    "{shown}"
                );
            }
        }
        (false, value)
    }

    #[track_caller]
    fn ok(&mut self, name: &str, arguments: Value) -> Value {
        let (error, value) = self.call(name, arguments.clone());
        assert!(!error, "{name} {arguments}: {value}");
        value
    }

    #[track_caller]
    fn fails(&mut self, name: &str, arguments: Value, kind: &str) -> Value {
        let (error, value) = self.call(name, arguments.clone());
        assert!(error, "{name} {arguments} should fail: {value}");
        assert_eq!(value["error"]["kind"], kind, "{name} {arguments}: {value}");
        value["error"].clone()
    }

    /// Closes stdin and waits for the exit.
    #[track_caller]
    fn close(mut self) -> std::process::ExitStatus {
        self.stdin = None;
        wait(&mut self.child)
    }
}

#[track_caller]
fn wait(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "yit mcp did not exit within {PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        self.stdin = None;
        let deadline = Instant::now() + PATIENCE;
        while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn the_python_sdk_drives_a_whole_session() {
    let python = std::env::var("YIT_MCP_PYTHON").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/mcp-venv/bin/python").to_owned()
    });
    assert!(
        std::path::Path::new(&python).exists(),
        "the MCP tests need the Python SDK: `scripts/test` makes target/mcp-venv with it (or set YIT_MCP_PYTHON)"
    );
    let repo = TestRepo::with_tracker();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/client.py");
    let root = repo.root().to_string_lossy().into_owned();
    let out = repo
        .program(&python, &[script, common::yit_bin(), &root])
        .output()
        .expect("run the Python client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.trim_end().ends_with("ok"),
        "{stdout}\n{stderr}"
    );
    // the SDK's servers ended with their sessions
    assert!(common::wait_until(PATIENCE, || common::yit_processes_in(
        repo.root()
    )
    .is_empty()));
}

fn a_whole_flow_over_raw_json_rpc() {
    let repo = TestRepo::with_tracker();
    let mut mcp = Mcp::start(&repo, &[]);
    let tools = mcp.request("tools/list", json!({}));
    let names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "list", "search", "show", "ready", "blocked", "new", "new_plan", "edit", "comment",
            "close", "reopen", "label", "assign", "claim", "release", "dep_add", "dep_rm", "log"
        ]
    );
    let new = &tools["result"]["tools"][5];
    assert_eq!(new["inputSchema"]["required"], json!(["title"]), "{new}");
    assert_eq!(new["annotations"]["readOnlyHint"], false);

    let issue = mcp.ok("new", json!({ "title": "Crash on empty repo", "labels": ["crash"], "priority": 1, "type": "Bug" }))["issue"].clone();
    let id = issue["id"].as_str().expect("id").to_owned();
    assert_eq!(issue["type"], "bug");
    // the records are the command line's, field for field
    let shown = mcp.ok("show", json!({ "id": issue["short_id"] }));
    let mut cli = repo.run(&["show", &id, "--json"]).json();
    cli["version"] = shown["version"].clone();
    assert_eq!(shown, cli);
    // with details, the records of `yit list --json`; without, their
    // summaries
    let cli = repo
        .run(&["list", "label:crash", "--json", "-n", "50"])
        .json();
    assert_eq!(
        mcp.ok(
            "list",
            json!({ "query": "label:crash", "details": true, "json": true })
        ),
        cli
    );
    let summaries = mcp.ok("list", json!({ "query": "label:crash", "json": true }));
    let keys = [
        "id", "short_id", "title", "status", "priority", "type", "labels", "assignee",
    ];
    let summary = summaries["issues"][0].as_object().expect("a record");
    assert_eq!(summary.keys().collect::<Vec<_>>(), keys);
    for key in keys {
        assert_eq!(summary[key], cli["issues"][0][key], "{key}");
    }
    mcp.ok("claim", json!({ "id": id }));
    mcp.ok(
        "label",
        json!({ "ids": [id], "add": ["ui"], "remove": ["crash"] }),
    );
    mcp.ok("comment", json!({ "id": id, "body": "On it" }));
    let blocker = mcp.ok("new", json!({ "title": "Fix the build" }))["issue"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    mcp.ok("dep_add", json!({ "id": id, "on": [blocker] }));
    let blocked = mcp.ok("blocked", json!({}));
    assert_eq!(
        blocked["blocked"][0]["waits_for"][0]["id"],
        blocker.as_str()
    );
    mcp.ok("dep_rm", json!({ "id": id, "on": [blocker] }));
    mcp.ok("close", json!({ "ids": [id], "reason": "fixed" }));
    let on_disk = repo.run(&["show", &id, "--json"]).json();
    assert_eq!(on_disk["issue"]["status"], "closed");
    assert_eq!(on_disk["issue"]["labels"], json!(["ui"]));
    assert_eq!(on_disk["issue"]["assignee"], "Ann Lee <ann@example.com>");
    assert_eq!(
        on_disk["issue"]["comments"].as_array().map(Vec::len),
        Some(2)
    );
    mcp.ok("reopen", json!({ "ids": [id] }));
    mcp.ok("assign", json!({ "ids": [id], "person": null }));
    assert_eq!(
        repo.run(&["show", &id, "--json"]).json()["issue"]["assignee"],
        Value::Null
    );
    // a parent given, then taken away (null), as `edit --no-parent` does
    let parent = repo.new_issue(&["The parent"]);
    mcp.ok("edit", json!({ "id": id, "parent": parent }));
    assert_eq!(
        repo.run(&["show", &id, "--json"]).json()["issue"]["parent"],
        json!(parent)
    );
    mcp.ok("edit", json!({ "id": id, "parent": null }));
    assert_eq!(
        repo.run(&["show", &id, "--json"]).json()["issue"]["parent"],
        Value::Null
    );
    // an edit against a version read before a change is refused
    let version = mcp.ok("show", json!({ "id": id }))["version"].clone();
    mcp.ok(
        "edit",
        json!({ "id": id, "title": "Crash on an empty repository", "version": version }),
    );
    let error = mcp.fails(
        "edit",
        json!({ "id": id, "title": "Late", "version": version }),
        "refused",
    );
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("changed on disk"),
        "{error}"
    );
    assert_eq!(
        mcp.close().code(),
        Some(0),
        "ends when the client closes stdin"
    );
    let engines: Vec<_> = std::fs::read_dir(repo.root().join(".git/yit/engines"))
        .expect("the server kept its issues in an engine")
        .flatten()
        .collect();
    assert!(
        engines.is_empty(),
        "its directory went with it: {engines:?}"
    );
}

fn bad_input_is_a_tool_error_and_the_server_serves_on() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Target"]);
    let mut mcp = Mcp::start(&repo, &[]);
    let before = repo.tree();
    // not JSON: a parse error, then the next request is answered
    mcp.send_line("{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ");
    let parse = mcp.read();
    assert_eq!(parse["error"]["code"], -32700, "{parse}");
    mcp.send_line("\u{1}\u{2} binary garbage");
    assert_eq!(mcp.read()["error"]["code"], -32700);
    assert_eq!(
        mcp.request("nonsense/method", json!({}))["error"]["code"],
        -32601
    );
    assert_eq!(
        mcp.request("tools/call", json!({ "name": "nope", "arguments": {} }))["error"]["code"],
        -32602
    );
    for (name, arguments, kind) in [
        ("new", json!({ "title": 12 }), "usage"),
        ("new", json!({ "title": "x", "colour": "red" }), "usage"),
        ("new", json!({}), "usage"),
        ("new", json!({ "title": "y".repeat(3 << 20) }), "invalid"),
        ("edit", json!({ "id": id, "status": "done" }), "invalid"),
        ("edit", json!({ "id": id }), "usage"),
        ("close", json!({ "ids": [id, "zzzz"] }), "not_found"),
        (
            "label",
            json!({ "ids": [id], "add": ["has,comma"] }),
            "invalid",
        ),
        (
            "assign",
            json!({ "ids": [id], "person": "not a person <" }),
            "invalid",
        ),
        ("list", json!({ "query": "priority:high" }), "invalid"),
        ("list", json!({ "limit": -1 }), "usage"),
        ("search", json!({ "query": "label:bug" }), "usage"),
        ("show", json!({ "id": "a" }), "not_found"),
    ] {
        mcp.fails(name, arguments, kind);
    }
    assert_eq!(repo.tree(), before, "nothing changed on disk");
    // a file that is not UTF-8: a tool error naming it; the others answer
    repo.write_issue_file("0000000000.yaml", b"id: 0000000000\ntitle: \xff\xfe\n");
    let error = mcp.fails("show", json!({ "id": "0000000000" }), "invalid");
    assert!(
        error.to_string().contains(".issues/0000000000.yaml"),
        "{error}"
    );
    let listed = mcp.ok("list", json!({}));
    assert_eq!(listed["issues"].as_array().map(Vec::len), Some(1));
    assert!(
        listed["problems"][0]["path"]
            .as_str()
            .expect("path")
            .ends_with("0000000000.yaml"),
        "{listed}"
    );
    assert_eq!(
        mcp.ok("show", json!({ "id": id }))["issue"]["title"],
        "Target"
    );
}

/// Lines that are not UTF-8, messages before `initialize`, a message that
/// is not JSON-RPC and a line of 64 MiB: each gets a JSON-RPC error (with
/// an `id`, null when there is none to answer), the server serves on, and
/// its memory stays bounded.
fn the_framing_answers_every_bad_line_and_serves_on() {
    let repo = TestRepo::with_tracker();
    repo.new_issue(&["Target"]);
    let mut mcp = Mcp::launch(&repo);
    let expect_error = |mcp: &Mcp, code: i64, id: Value| {
        let answer = mcp.read();
        assert_eq!(answer["error"]["code"], code, "{answer}");
        assert_eq!(answer.get("id"), Some(&id), "{answer}");
    };
    // before initialize: a notification, a response, another request
    mcp.send_line(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }).to_string());
    expect_error(&mcp, -32600, Value::Null);
    mcp.send_line(&json!({ "jsonrpc": "2.0", "id": 7, "result": {} }).to_string());
    expect_error(&mcp, -32600, json!(7));
    mcp.send_line(&json!({ "jsonrpc": "2.0", "id": "early", "method": "tools/list" }).to_string());
    expect_error(&mcp, -32600, json!("early"));
    mcp.send_bytes(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"\xff\xfe\"}\n");
    expect_error(&mcp, -32700, Value::Null);
    mcp.initialize();
    // after: not UTF-8, not JSON-RPC, a batch
    mcp.send_bytes(b"\xc3\x28 not utf-8\n");
    expect_error(&mcp, -32700, Value::Null);
    mcp.send_line(r#"{"foo": 1}"#);
    expect_error(&mcp, -32600, Value::Null);
    mcp.send_line(r#"{"jsonrpc": "2.0", "id": {"a": 1}, "method": "tools/list"}"#);
    expect_error(&mcp, -32600, Value::Null);
    // 64 MiB in one line: read past, never held
    let mut huge = br#"{"jsonrpc": "2.0", "id": 50, "method": "tools/call", "params": {"name": "new", "arguments": {"title": ""#.to_vec();
    huge.resize(huge.len() + (64 << 20), b'x');
    huge.extend_from_slice(b"\"}}}\n");
    mcp.send_bytes(&huge);
    expect_error(&mcp, -32600, Value::Null);
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", mcp.child.id())).expect("status");
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    assert!(
        peak_kb < 160 * 1024,
        "peak {peak_kb} kB after a 64 MiB line"
    );
    let listed = mcp.ok("list", json!({ "json": true }));
    assert_eq!(listed["issues"].as_array().map(Vec::len), Some(1));
    assert!(mcp.close().success());
}

fn resources_and_updates_for_subscribers() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Watched"]);
    let full = repo.run(&["show", &id, "--json"]).json()["issue"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut mcp = Mcp::start(&repo, &[]);
    let listed = mcp.request("resources/list", json!({}));
    let uris: Vec<&str> = listed["result"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["uri"].as_str().expect("uri"))
        .collect();
    let issue_uri = format!("yit://issue/{full}");
    assert_eq!(
        uris,
        ["yit://config", "yit://docs/query.md", issue_uri.as_str()]
    );
    let read = mcp.request(
        "resources/read",
        json!({ "uri": format!("yit://issue/{id}") }),
    );
    let text = read["result"]["contents"][0]["text"]
        .as_str()
        .expect("text");
    assert_eq!(
        serde_json::from_str::<Value>(text).expect("JSON")["issue"]["title"],
        "Watched"
    );
    let config = mcp.request("resources/read", json!({ "uri": "yit://config" }));
    assert!(
        config["result"]["contents"][0]["text"]
            .as_str()
            .expect("text")
            .contains("statuses:")
    );
    let missing = mcp.request("resources/read", json!({ "uri": "yit://issue/zzzz" }));
    assert!(missing["error"].is_object(), "{missing}");
    let outside = mcp.request("resources/read", json!({ "uri": "file:///etc/passwd" }));
    assert!(outside["error"].is_object(), "{outside}");
    assert!(mcp.request("resources/subscribe", json!({ "uri": issue_uri }))["result"].is_object());
    // a change by another process: a notification names the issue
    repo.ok(&["comment", &id, "from the command line"]);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let message = mcp.read();
        if message["method"] == "notifications/resources/updated" {
            assert_eq!(message["params"]["uri"], issue_uri.as_str());
            break;
        }
        assert!(Instant::now() < deadline, "no update notification");
    }
}

fn agents_claim_as_themselves_and_one_wins() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Contested"]);
    let mut one = Mcp::start(&repo, &["--as", "Agent One <one@example.com>"]);
    let mut two = Mcp::start(&repo, &["--as", "Agent Two <two@example.com>"]);
    let claimed = one.ok("claim", json!({ "id": id }));
    assert_eq!(claimed["issue"]["assignee"], "Agent One <one@example.com>");
    let error = two.fails("claim", json!({ "id": id }), "refused");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("Agent One"),
        "{error}"
    );
    // `me` is the agent
    assert_eq!(
        two.ok("list", json!({ "query": "assignee:me" }))["issues"],
        json!([])
    );
    assert_eq!(
        one.ok("list", json!({ "query": "assignee:me" }))["issues"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let bad = repo.run(&["mcp", "--as", "nobody"]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("\"nobody\" is not `Name <email>`"),
        "{}",
        bad.stderr
    );
}

/// Two agents, each a `yit mcp` server in a worktree of its own: one claim
/// wins; the winner's lease is renewed while its session runs (every
/// 200 ms here: `YIT_TEST_RENEW_MS`), a write of a superseded session is
/// fenced, and its leases are released when its client closes stdin.
fn two_servers_in_two_worktrees_share_one_lease() {
    let repo = TestRepo::with_tracker();
    let id = repo.new_issue(&["Contested"]);
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    let other = repo.worktree_of(repo.root(), "b", "agent-b");
    let server = |dir: &std::path::Path, who: &str| {
        let mut cmd = repo.cmd(&["mcp", "--as", who]);
        cmd.current_dir(dir).env("YIT_TEST_RENEW_MS", "200");
        Mcp::spawn(cmd)
    };
    let mut one = server(repo.root(), "Agent One <one@example.com>");
    let mut two = server(&other, "Agent Two <two@example.com>");
    let claimed = one.ok("claim", json!({ "id": id }));
    assert_eq!(claimed["lease"]["token"], 1, "{claimed}");
    assert!(
        claimed["lease"]["session"]
            .as_str()
            .is_some_and(|s| s.starts_with("mcp-"))
    );
    let error = two.fails("claim", json!({ "id": id }), "refused");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("Agent One")),
        "{error}"
    );
    // renewed while the session runs: the lease's ref moves on its own
    let lease_ref = format!("refs/yit/leases/{id}");
    let first = repo.git(&["rev-parse", &lease_ref]);
    assert!(
        common::wait_until(Duration::from_secs(10), || repo
            .git(&["rev-parse", &lease_ref])
            != first),
        "the lease was not renewed"
    );
    let message = repo.git(&["log", "-1", "--format=%B", &lease_ref]);
    assert!(
        message.contains("state: held") && message.contains("token: 1"),
        "{message}"
    );
    // the same person in another session is another holder
    let mut again = server(repo.root(), "Agent One <one@example.com>");
    again.fails("claim", json!({ "id": id }), "refused");
    assert_eq!(again.close().code(), Some(0));
    // stdin closed: the session's lease is released, and the other agent
    // claims the issue
    assert_eq!(one.close().code(), Some(0));
    let message = repo.git(&["log", "-1", "--format=%B", &lease_ref]);
    assert!(message.contains("state: released"), "{message}");
    let taken = two.ok("claim", json!({ "id": id }));
    assert_eq!(taken["lease"]["token"], 2, "{taken}");
    assert_eq!(taken["issue"]["assignee"], "Agent Two <two@example.com>");
    // Agent One claims at the CLI with the old token: fenced
    let fenced = repo.run(&[
        "--as",
        "Agent One <one@example.com>",
        "close",
        &id,
        "--token",
        "1",
    ]);
    assert_eq!(fenced.code, 4, "{}", fenced.stderr);
    assert!(fenced.stderr.contains("Agent Two"), "{}", fenced.stderr);
    two.ok("release", json!({ "id": id }));
    assert_eq!(two.close().code(), Some(0));
}

fn stops_on_sigterm_and_prints_its_config() {
    let repo = TestRepo::with_tracker();
    let mut mcp = Mcp::start(&repo, &[]);
    mcp.ok("list", json!({}));
    let pid = mcp.child.id();
    assert!(common::signal(pid, rustix::process::Signal::TERM));
    let status = wait(&mut mcp.child);
    assert!(status.success(), "{status:?}");
    assert!(!process_alive(pid));
    // the files a team commits name no path of this machine
    let printed = repo.ok(&["mcp", "--print-config"]);
    let root = repo.root().to_string_lossy().into_owned();
    let (shared, personal) = printed
        .split_once("# Per-user settings")
        .expect("shared and per-user parts");
    assert!(
        !shared.contains(&root) && !shared.contains(common::yit_bin()),
        "{shared}"
    );
    assert!(personal.contains(&root), "{personal}");
    let client = |name: &str| repo.run(&["mcp", "--print-config", name]).json();
    let code = client("claude-code");
    assert_eq!(
        code["mcpServers"]["yit"],
        json!({ "command": "yit", "args": ["mcp"] })
    );
    for (name, servers) in [("cursor", "mcpServers"), ("vscode", "servers")] {
        let config = client(name);
        assert_eq!(config[servers]["yit"]["command"], "yit", "{config}");
        assert_eq!(
            config[servers]["yit"]["args"],
            json!(["mcp", "-C", "${workspaceFolder}"])
        );
    }
    let desktop = client("claude-desktop");
    let servers = desktop["mcpServers"].as_object().expect("servers");
    let (_, server) = servers.iter().next().expect("one server");
    assert_eq!(server["args"], json!(["mcp", "-C", root]));
    assert_eq!(server["command"], common::yit_bin());
    // the committed form runs: `yit` on PATH, in a clone elsewhere
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "The tracker"]);
    let clone = repo.outside().join("clone");
    let status = repo
        .program("git", &["clone", "-q", &root, &clone.to_string_lossy()])
        .status()
        .expect("git clone");
    assert!(status.success());
    let bin_dir = std::path::Path::new(common::yit_bin())
        .parent()
        .expect("bin dir")
        .to_string_lossy()
        .into_owned();
    let path = format!("{bin_dir}:{}", std::env::var("PATH").unwrap_or_default());
    let args: Vec<String> = code["mcpServers"]["yit"]["args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("arg").to_owned())
        .collect();
    let mut cmd = repo.program("yit", &args.iter().map(String::as_str).collect::<Vec<_>>());
    cmd.current_dir(&clone).env("PATH", path);
    let mut cloned = Mcp::spawn(cmd);
    assert_eq!(cloned.ok("list", json!({}))["issues"], json!([]));
}

/// Writes `n` issues shaped like a real tracker's into the repository:
/// unicode titles of about 60 characters, 3 KB Markdown bodies, a dozen
/// comments each, labels and an assignee.
fn real_issues(repo: &TestRepo, n: usize, chained: bool) {
    let body = format!(
        "## Steps\n\n1. Run `yit list` on a tracker of 10 000 issues — ünïcode ✓\n\n{}",
        "The parser stops at the first colon of a quoted title and reports the column. ".repeat(40)
    );
    for i in 0..n {
        let comments: String = (0..12)
            .map(|c| {
                format!(
                    "  - id: c{c:09}\n    author: Bo Chen <bo@example.com>\n    created: \"2026-01-0{}T00:00:00Z\"\n    body: \"Seen again on build {c}: the same stack trace, with the lock held. 🙁\"\n",
                    1 + c % 9
                )
            })
            .collect();
        // each waits for the next, when chained
        let waits = match chained && i + 1 < n {
            true => format!("depends_on:\n  - t{:09}\n", i + 1),
            false => String::new(),
        };
        let text = format!(
            "id: t{i:09}\ntitle: \"Crash when the lexer meets a colon in a quoted title ({i}) — été\"\nstatus: open\npriority: {}\ntype: bug\nlabels:\n  - parser\n  - crash\nassignee: Ann Lee <ann@example.com>\ncreated: \"2026-01-01T00:00:00Z\"\nupdated: \"2026-01-02T00:00:00Z\"\n{waits}body: {}\ncomments:\n{comments}",
            i % 5,
            serde_json::to_string(&body).expect("body")
        );
        std::fs::write(repo.issues_dir().join(format!("t{i:09}.yaml")), text).expect("write");
    }
}

fn list_tools_answer_50_real_issues_within_8_kb() {
    let repo = TestRepo::with_tracker();
    real_issues(&repo, 60, false);
    let chained = TestRepo::with_tracker();
    real_issues(&chained, 51, true);
    let mut mcp = Mcp::start(&repo, &[]);
    // the whole JSON-RPC answer, as the client reads it
    let answer_bytes = |mcp: &mut Mcp, name: &str, arguments: Value| {
        let id = mcp.next_id;
        mcp.next_id += 1;
        mcp.send_line(
            &json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
                     "params": { "name": name, "arguments": arguments } })
            .to_string(),
        );
        let line = mcp.lines.recv_timeout(PATIENCE).expect("an answer");
        let value: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(value["id"], id, "{line}");
        (line.len(), value)
    };
    for (name, arguments) in [
        ("list", json!({ "limit": 50 })),
        ("ready", json!({ "limit": 50 })),
        ("search", json!({ "query": "lexer", "limit": 50 })),
        ("search", json!({ "query": "parser reports", "limit": 50 })),
    ] {
        let (bytes, value) = answer_bytes(&mut mcp, name, arguments);
        assert!(bytes <= 8 * 1024, "{name}: {bytes} bytes for 50 issues");
        let text = value["result"]["content"][0]["text"]
            .as_str()
            .expect("text");
        assert!(
            !text.contains("Steps") && !text.contains("stack trace"),
            "{text}"
        );
        assert_eq!(
            text.lines().filter(|l| l.starts_with('t')).count(),
            50,
            "{text}"
        );
    }
    // details when asked for: bodies and comments in the text; with
    // `json`, in the records, and the text is the lines alone
    let (_, value) = answer_bytes(&mut mcp, "list", json!({ "limit": 2, "details": true }));
    let text = value["result"]["content"][0]["text"]
        .as_str()
        .expect("text");
    assert!(
        text.contains("    ## Steps") && text.contains("stack trace"),
        "{text}"
    );
    assert!(value["result"].get("structuredContent").is_none());
    let (_, value) = answer_bytes(
        &mut mcp,
        "list",
        json!({ "limit": 2, "details": true, "json": true }),
    );
    let record = &value["result"]["structuredContent"]["issues"][0];
    assert_eq!(record["comments"].as_array().map(Vec::len), Some(12));
    let text = value["result"]["content"][0]["text"]
        .as_str()
        .expect("text");
    assert_eq!(text.lines().count(), 3, "{text}");
    mcp.ok("blocked", json!({}));
    // 50 issues that each wait for the next
    let mut waiting = Mcp::start(&chained, &[]);
    let (bytes, value) = answer_bytes(&mut waiting, "blocked", json!({ "limit": 50 }));
    assert!(bytes <= 8 * 1024, "blocked: {bytes} bytes for 50 issues");
    let text = value["result"]["content"][0]["text"]
        .as_str()
        .expect("text");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("  waits for t"))
            .count(),
        50,
        "{text}"
    );
    waiting.ok("blocked", json!({ "limit": 3 }));
}

/// A plan a crash interrupted is completed when the server starts, as
/// by any command of the CLI: the front ends open the tracker alike.
fn an_interrupted_plan_is_completed_when_the_server_starts() {
    let repo = TestRepo::with_tracker();
    std::fs::write(
        repo.root().join("plan.yaml"),
        "- key: a\n  title: First\n- title: Second\n  depends_on: [a]\n",
    )
    .expect("plan");
    let mut cmd = repo.cmd(&["new", "--from-file", "plan.yaml"]);
    cmd.env("YIT_TEST_CRASH_AFTER_FILES", "1");
    let crashed = cmd.output().expect("yit runs");
    assert_eq!(crashed.status.code(), Some(86), "the hook stops it");
    let mut mcp = Mcp::start(&repo, &[]);
    let listed = mcp.ok("list", json!({ "json": true }));
    let titles: Vec<&str> = listed["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
}

fn main() {
    let tests: Vec<common::SessionTest> = vec![
        (
            "the_python_sdk_drives_a_whole_session",
            the_python_sdk_drives_a_whole_session,
            false,
        ),
        (
            "an_interrupted_plan_is_completed_when_the_server_starts",
            an_interrupted_plan_is_completed_when_the_server_starts,
            false,
        ),
        (
            "list_tools_answer_50_real_issues_within_8_kb",
            list_tools_answer_50_real_issues_within_8_kb,
            false,
        ),
        (
            "a_whole_flow_over_raw_json_rpc",
            a_whole_flow_over_raw_json_rpc,
            false,
        ),
        (
            "bad_input_is_a_tool_error_and_the_server_serves_on",
            bad_input_is_a_tool_error_and_the_server_serves_on,
            false,
        ),
        (
            "the_framing_answers_every_bad_line_and_serves_on",
            the_framing_answers_every_bad_line_and_serves_on,
            false,
        ),
        (
            "resources_and_updates_for_subscribers",
            resources_and_updates_for_subscribers,
            false,
        ),
        (
            "agents_claim_as_themselves_and_one_wins",
            agents_claim_as_themselves_and_one_wins,
            false,
        ),
        (
            "two_servers_in_two_worktrees_share_one_lease",
            two_servers_in_two_worktrees_share_one_lease,
            false,
        ),
        (
            "stops_on_sigterm_and_prints_its_config",
            stops_on_sigterm_and_prints_its_config,
            false,
        ),
    ];
    common::run_session("mcp", tests);
}
