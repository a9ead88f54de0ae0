//! `yit serve`, end to end: the real binary serving a real repository,
//! spoken to over HTTP by hand (any header, any body) and driven in a real
//! headless Chromium through chromedriver. Runs under a session teardown
//! (`harness = false`): every server, chromedriver and Chromium these tests
//! start carries the session marker, and any still running at the end
//! fails the run.

mod common;
#[path = "web/support.rs"]
mod support;

use std::time::{Duration, Instant};

use common::{TestRepo, wait_until};
use support::{Browser, Served, answer, encode, request, send_raw};

const PATIENCE: Duration = Duration::from_secs(10);

const HOSTILE_TITLE: &str = "\"><img src=x onerror=alert(1)><script>alert(2)</script>";
const HOSTILE_BODY: &str = "Hello <script>alert(3)</script>\n\n<img src=x onerror=alert(4)>\n\n[click](javascript:alert(5)) <a href=\"javascript:alert(6)\">raw</a>\n";

/// The file of issue `id` (a full id).
fn file_of(repo: &TestRepo, id: &str) -> std::path::PathBuf {
    repo.issues_dir().join(format!("{id}.yaml"))
}

/// The full id of a short one.
fn full_id(repo: &TestRepo, short: &str) -> String {
    repo.run(&["show", short, "--json"]).json()["issue"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Rewrites a file by hand, as an editor saves: a new file renamed over.
fn hand_edit(path: &std::path::Path, edit: impl FnOnce(&str) -> String) {
    let text = std::fs::read_to_string(path).expect("read");
    let tmp = path.with_extension("swp");
    std::fs::write(&tmp, edit(&text)).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

/// The hidden version field of an issue page's edit form.
fn form_version(page: &str) -> String {
    let (_, rest) = page
        .split_once("name=\"version\" value=\"")
        .expect("a version field");
    rest.split('"').next().expect("a value").to_owned()
}

fn pages_read_without_the_token_and_only_the_token_writes() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Crash on empty repo", "--label", "crash"]);
    let id = full_id(&repo, &short);
    let served = Served::start(&repo, &[]);
    let board = served.get("/");
    assert_eq!(board.status, 200);
    assert!(board.body.contains("Crash on empty repo"), "{}", board.body);
    assert!(board.body.contains("Read only"), "no token, no forms");
    // ...and no help about dragging cards it cannot move
    assert!(!board.body.contains("Drag a card"), "{}", board.body);
    assert_eq!(served.get(&format!("/issues/{short}")).status, 200);
    assert_eq!(served.get("/issues?q=label:crash").status, 200);

    // a write without the token changes nothing
    let before = repo.tree();
    let refused = request(
        served.port,
        "POST",
        "/api/issues",
        &[("Content-Type", "application/json")],
        br#"{"title":"Sneaky"}"#,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.json()["error"]["kind"], "refused");
    let wrong = request(
        served.port,
        "POST",
        &format!("/api/issues/{id}/close"),
        &[("X-Yit-Token", "0123456789abcdef0123456789abcdef")],
        b"",
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(repo.tree(), before);

    // the printed address sets the cookie and drops the token from the URL
    let opened = request(
        served.port,
        "GET",
        &format!("/?token={}", served.token),
        &[],
        b"",
    );
    assert_eq!(opened.status, 303);
    assert_eq!(opened.header("location"), Some("/"));
    let cookie = opened.header("set-cookie").expect("a cookie");
    assert!(
        cookie.starts_with(&format!("yit_token={}", served.token)),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let forged = request(served.port, "GET", "/?token=nope", &[], b"");
    assert_eq!(forged.status, 403);

    // with it: a form as a browser posts it, and the API as a program
    let commented = served.post_form(
        &format!("/issues/{id}/comment"),
        &[("body", "Seen on **main** too")],
    );
    assert_eq!(commented.status, 303, "{}", commented.body);
    assert!(
        std::fs::read_to_string(file_of(&repo, &id))
            .expect("read")
            .contains("Seen on **main** too")
    );
    let created = served.send(
        "POST",
        "/api/issues",
        &serde_json::json!({ "title": "Made by a program", "labels": ["api"] }),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let record = &created.json()["issue"];
    assert_eq!(record["title"], "Made by a program");
    assert_eq!(record["labels"], serde_json::json!(["api"]));
    let new_id = record["id"].as_str().expect("id");
    assert!(file_of(&repo, new_id).exists());
}

fn foreign_hosts_and_origins_are_refused() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Target"]);
    let id = full_id(&repo, &short);
    let served = Served::start(&repo, &[]);
    let before = repo.tree();
    // DNS rebinding: the attacker's name in Host
    let rebound = request(
        served.port,
        "GET",
        "/",
        &[("Host", &format!("evil.example:{}", served.port))],
        b"",
    );
    assert_eq!(rebound.status, 421, "{}", rebound.body);
    assert!(!rebound.body.contains("Target"));
    let api = request(
        served.port,
        "GET",
        "/api/issues",
        &[("Host", "evil.example")],
        b"",
    );
    assert_eq!(api.status, 421);
    // localhost and IP literals on this port are this server
    let local = request(
        served.port,
        "GET",
        "/",
        &[("Host", &format!("localhost:{}", served.port))],
        b"",
    );
    assert_eq!(local.status, 200);
    // a cross-site post with the cookie (a browser would not send it, but
    // even so), and a page of another site's
    let cookie = format!("yit_token={}", served.token);
    for headers in [
        vec![
            ("Cookie", cookie.as_str()),
            ("Origin", "http://evil.example"),
        ],
        vec![
            ("Cookie", cookie.as_str()),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        vec![("X-Yit-Token", served.token.as_str()), ("Origin", "null")],
    ] {
        let reply = request(
            served.port,
            "POST",
            &format!("/issues/{id}/close"),
            &headers,
            b"reason=pwned",
        );
        assert_eq!(reply.status, 403, "{headers:?}: {}", reply.body);
    }
    assert_eq!(repo.tree(), before, "nothing changed");
    // every answer forbids framing and foreign scripts
    let page = served.get("/");
    let policy = page.header("content-security-policy").expect("a policy");
    assert!(
        policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"),
        "{policy}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("referrer-policy"), Some("same-origin"));
}

fn user_strings_render_as_text() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&[HOSTILE_TITLE, "--body", HOSTILE_BODY, "--label", "<b>x</b>"]);
    repo.ok(&[
        "comment",
        &short,
        "<script>alert(7)</script> [x](javascript:alert(8))",
    ]);
    let served = Served::start(&repo, &[]);
    for path in [
        "/".to_owned(),
        "/issues".to_owned(),
        format!("/issues/{short}"),
        "/issues?q=alert".to_owned(),
    ] {
        let page = served.get(&path);
        assert_eq!(page.status, 200, "{path}");
        // text has its `<` escaped: every `<` left opens a tag of ours
        for tag in page
            .body
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or("").to_lowercase())
        {
            for bad in [
                "script>",
                "onerror",
                "onclick",
                "javascript:",
                "img src=x",
                "b>x",
            ] {
                assert!(
                    !tag.contains(bad) || tag == "script src=\"/assets/app.js\" defer",
                    "{path}: a tag <{tag}>"
                );
            }
        }
        assert!(
            page.body.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
            "{path}: the title as text"
        );
    }
    let issue = served.get(&format!("/issues/{short}"));
    // Markdown still renders; the raw HTML and the javascript: link do not
    // (the link's text stays, as text)
    assert!(
        issue
            .body
            .contains("<p>click <a rel=\"noopener noreferrer nofollow\">raw</a>"),
        "{}",
        issue.body
    );
    // a query box echoes its text escaped
    let echoed = served.get(&format!(
        "/issues?q={}",
        encode("\"><script>alert(9)</script>")
    ));
    assert!(!echoed.body.contains("<script>alert(9)"), "{}", echoed.body);
}

fn the_issue_page_shows_every_key_and_links_urls() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&[
        "Links",
        "--body",
        "Seen at https://example.com/build/42 (and `https://in.code/`).",
    ]);
    repo.ok(&["comment", &short, "Upstream: https://example.org/issue/7."]);
    let id = full_id(&repo, &short);
    // keys a person added by hand, as `yit show` lists them
    hand_edit(&file_of(&repo, &id), |text| {
        format!("{text}estimate: 3d\nreviewers: [ann, bo]\n")
    });
    let shown = repo.ok(&["show", &short]);
    assert!(
        shown.contains("estimate") && shown.contains("3d"),
        "{shown}"
    );
    let served = Served::start(&repo, &[]);
    let page = served.get(&format!("/issues/{short}"));
    assert_eq!(page.status, 200);
    for wanted in [
        "<dt class=\"extra\">estimate</dt><dd class=\"extra\">3d</dd>",
        "<dt class=\"extra\">reviewers</dt><dd class=\"extra\"><code>[&quot;ann&quot;,&quot;bo&quot;]</code></dd>",
        "<a href=\"https://example.com/build/42\" rel=\"noopener noreferrer nofollow\">https://example.com/build/42</a>",
        "<a href=\"https://example.org/issue/7\" rel=\"noopener noreferrer nofollow\">https://example.org/issue/7</a>",
    ] {
        assert!(page.body.contains(wanted), "{wanted}\n{}", page.body);
    }
    assert!(
        !page.body.contains("href=\"https://in.code/\""),
        "{}",
        page.body
    );
}

fn the_api_answers_as_the_command_line_does() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Parser panics", "--label", "bug", "--priority", "1"]);
    let b = repo.new_issue(&["Write docs", "--depends-on", &a]);
    repo.ok(&["comment", &a, "A comment"]);
    let served = Served::start(&repo, &[]);
    let api = served.get(&format!("/api/issues?q={}", encode("label:bug")));
    assert_eq!(api.status, 200);
    assert_eq!(
        api.json(),
        repo.run(&["list", "label:bug", "--json"]).json()
    );
    let mut shown = served.get(&format!("/api/issues/{b}")).json();
    let version = shown
        .as_object_mut()
        .expect("object")
        .remove("version")
        .expect("a version");
    assert_eq!(shown, repo.run(&["show", &b, "--json"]).json());
    assert_eq!(version.as_str().map(str::len), Some(32));
    assert_eq!(
        served.get("/api/board").json(),
        repo.run(&["board", "--json"]).json()
    );

    // an edit through the API is the CLI's edit, answered as `edit --json`
    let edited = served.send(
        "PATCH",
        &format!("/api/issues/{a}"),
        &serde_json::json!({ "status": "In_Progress", "add_labels": ["ui"] }),
    );
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.json()["issue"]["status"], "in_progress");
    assert_eq!(
        edited.json()["issue"]["labels"],
        serde_json::json!(["bug", "ui"])
    );
    assert_eq!(
        repo.run(&["show", &a, "--json"]).json()["issue"]["status"],
        "in_progress"
    );
    // a version that is not the file's any more: 409, nothing written
    let before = repo.tree();
    let stale = served.send(
        "PATCH",
        &format!("/api/issues/{b}"),
        &serde_json::json!({ "title": "Late", "version": "0".repeat(32) }),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert_eq!(stale.json()["error"]["kind"], "refused");
    assert_eq!(repo.tree(), before);
    // claim, close and reopen
    let claimed = served.send(
        "POST",
        &format!("/api/issues/{b}/claim"),
        &serde_json::json!({}),
    );
    assert_eq!(
        claimed.json()["issue"]["assignee"],
        "Ann Lee <ann@example.com>"
    );
    assert_eq!(claimed.json()["lease"]["token"], 1, "as `claim --json`");
    // the issue page and the API show the claim's lease
    let page = served.get(&format!("/issues/{b}")).body;
    assert!(
        page.contains("Claimed by") && page.contains("token 1"),
        "{page}"
    );
    assert_eq!(
        served.get(&format!("/api/issues/{b}")).json()["lease"]["token"],
        1
    );
    let closed = served.send(
        "POST",
        &format!("/api/issues/{b}/close"),
        &serde_json::json!({ "reason": "done" }),
    );
    assert_eq!(closed.json()["issue"]["status"], "closed");
    let reopened = served.send(
        "POST",
        &format!("/api/issues/{b}/reopen"),
        &serde_json::json!({}),
    );
    assert_eq!(reopened.json()["issue"]["status"], "open");
}

fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Good one"]);
    let served = Served::start(&repo, &[]);
    let before = repo.tree();
    // a query that cannot be read: its column, on the page and in the API
    let page = served.get(&format!("/issues?q={}", encode("label:bug priority:high")));
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("Query error, column 20"),
        "{}",
        page.body
    );
    let api = served.get(&format!("/api/issues?q={}", encode("status:nope")));
    assert_eq!(api.status, 400);
    assert!(
        api.json()["error"]["message"]
            .as_str()
            .expect("message")
            .contains("column 8: unknown status \"nope\""),
        "{}",
        api.body
    );
    for (method, path, body) in [
        (
            "PATCH",
            format!("/api/issues/{short}"),
            r#"{"status":"nope"}"#,
        ),
        ("PATCH", format!("/api/issues/{short}"), r#"{"priority":9}"#),
        (
            "PATCH",
            format!("/api/issues/{short}"),
            r#"{"titel":"typo"}"#,
        ),
        ("PATCH", format!("/api/issues/{short}"), r#"{"title": 12}"#),
        ("PATCH", format!("/api/issues/{short}"), r#"{"title":"a"#),
        ("POST", "/api/issues".to_owned(), r#"{"title":""}"#),
        (
            "POST",
            "/api/issues".to_owned(),
            r#"{"title":"x","type":"epic"}"#,
        ),
        (
            "POST",
            format!("/api/issues/{short}/comments"),
            r#"{"body":"  "}"#,
        ),
        ("POST", "/api/issues/zzzz/close".to_owned(), r#"{}"#),
    ] {
        let reply = request(
            served.port,
            method,
            &path,
            &[
                ("X-Yit-Token", &served.token),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        );
        assert!(
            matches!(reply.status, 400 | 404 | 422),
            "{method} {path} {body}: {} {}",
            reply.status,
            reply.body
        );
        let error = &reply.json()["error"];
        assert!(
            !error["message"].as_str().unwrap_or_default().is_empty(),
            "{}",
            reply.body
        );
    }
    // too large a body
    let huge = vec![b'a'; 3 << 20];
    let reply = request(
        served.port,
        "POST",
        "/api/issues",
        &[
            ("X-Yit-Token", &served.token),
            ("Content-Type", "application/json"),
        ],
        &huge,
    );
    assert_eq!(reply.status, 413);
    assert_eq!(repo.tree(), before, "nothing changed on disk");

    // a broken file is named on the board, and its page says where
    repo.write_issue_file("0000000000.yaml", b"id: 0000000000\ntitle: [unclosed\n");
    let board = served.get("/");
    assert_eq!(board.status, 200);
    assert!(
        board.body.contains("1 issue file(s) could not be read"),
        "{}",
        board.body
    );
    assert!(
        board.body.contains(".issues/0000000000.yaml:2:"),
        "{}",
        board.body
    );
    assert!(
        board.body.contains("Good one"),
        "the other issues are shown"
    );
    let broken = served.get("/issues/0000000000");
    assert_eq!(broken.status, 400, "{}", broken.body);
    assert!(
        broken.body.contains(".issues/0000000000.yaml:2:"),
        "{}",
        broken.body
    );
    // no path outside the tracker: only the two assets are files
    for path in [
        "/assets/../Cargo.toml",
        "/assets/%2e%2e%2fconfig.yaml",
        "/assets/app.js.map",
        "/.issues/config.yaml",
        "/issues/..%2f..%2fetc%2fpasswd",
    ] {
        let reply = served.get(path);
        assert!(
            matches!(reply.status, 400 | 404),
            "{path}: {}",
            reply.status
        );
        assert!(!reply.body.contains("statuses:"), "{path}");
    }
    assert_eq!(served.get("/assets/app.js").status, 200);
}

fn a_stale_edit_is_refused_and_the_text_kept() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Original title", "--body", "First body"]);
    let id = full_id(&repo, &short);
    let served = Served::start(&repo, &[]);
    let cookie = format!("yit_token={}", served.token);
    let page = request(
        served.port,
        "GET",
        &format!("/issues/{id}"),
        &[("Cookie", &cookie)],
        b"",
    );
    let version = form_version(&page.body);
    // someone else changes the file meanwhile
    hand_edit(&file_of(&repo, &id), |t| {
        t.replace("title: Original title", "title: Changed by hand")
    });
    let edited = served.post_form(
        &format!("/issues/{id}/edit"),
        &[
            ("version", &version),
            ("title", "Original title"),
            ("body", "My careful rewrite"),
        ],
    );
    assert_eq!(edited.status, 409, "{}", edited.body);
    assert!(
        edited.body.contains("My careful rewrite"),
        "the text is kept"
    );
    assert!(
        edited.body.contains("changed since the page was opened"),
        "{}",
        edited.body
    );
    let on_disk = std::fs::read_to_string(file_of(&repo, &id)).expect("read");
    assert!(
        on_disk.contains("title: Changed by hand") && !on_disk.contains("My careful rewrite"),
        "{on_disk}"
    );
    // the page now shows the new version; saving again replaces it, knowingly
    let newer = form_version(&edited.body);
    assert_ne!(newer, version);
    let saved = served.post_form(
        &format!("/issues/{id}/edit"),
        &[
            ("version", &newer),
            ("title", "Changed by hand"),
            ("body", "My careful rewrite"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(
        std::fs::read_to_string(file_of(&repo, &id))
            .expect("read")
            .contains("My careful rewrite")
    );
    // a value refused: the page again, with the text kept and why
    let before = repo.tree();
    let cookie = format!("yit_token={}", served.token);
    let page = request(
        served.port,
        "GET",
        &format!("/issues/{id}"),
        &[("Cookie", &cookie)],
        b"",
    );
    let refused = served.post_form(
        &format!("/issues/{id}/edit"),
        &[
            ("version", &form_version(&page.body)),
            ("status", "nope"),
            ("body", "Kept on a refusal"),
        ],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("Kept on a refusal"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("unknown status"), "{}", refused.body);
    assert_eq!(repo.tree(), before);
}

/// Reads server-sent events from `/events` until `want` holds of one
/// (event name, data), within the patience.
fn events_until(port: u16, after: impl FnOnce(), want: impl Fn(&str, &str) -> bool) -> bool {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("write");
    let mut reader = BufReader::new(stream);
    let mut after = Some(after);
    let mut event = String::new();
    let deadline = Instant::now() + PATIENCE;
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return false;
        }
        let line = line.trim_end();
        if let Some(name) = line.strip_prefix("event: ") {
            event = name.to_owned();
        } else if let Some(data) = line.strip_prefix("data: ") {
            if event == "hello"
                && let Some(after) = after.take()
            {
                after();
            } else if want(&event, data) {
                return true;
            }
        }
    }
    false
}

fn every_change_to_the_files_is_an_event() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Watched"]);
    let id = full_id(&repo, &short);
    let served = Served::start(&repo, &[]);
    let path = file_of(&repo, &id);
    assert!(
        events_until(
            served.port,
            || hand_edit(&path, |t| t.replace("Watched", "Edited")),
            |event, data| { event == "change" && data.contains(&id) }
        ),
        "a hand edit is an event naming the issue"
    );
    // another process (the CLI), and a new file
    assert!(events_until(
        served.port,
        || {
            repo.ok(&["new", "Born elsewhere"]);
        },
        |event, _| event == "change"
    ));
    // git: a checkout of a branch where the issue differs
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-qm", "issues"]);
    repo.git(&["checkout", "-qb", "other"]);
    hand_edit(&path, |t| t.replace("Edited", "Edited on a branch"));
    repo.git(&["commit", "-qam", "on a branch"]);
    assert!(
        events_until(
            served.port,
            || {
                repo.git(&["checkout", "-q", "-"]);
            },
            |event, data| event == "change"
                && (data.contains(&id) || data.contains("\"all\":true"))
        ),
        "a checkout is an event"
    );
}

fn stops_cleanly_on_sigterm_and_sigint_with_pages_open() {
    let repo = TestRepo::with_tracker();
    for signal in ["TERM", "INT"] {
        let mut served = Served::start(&repo, &[]);
        // an open event stream must not hold the server up
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", served.port)).expect("connect");
        use std::io::Write;
        write!(
            stream,
            "GET /events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            served.port
        )
        .expect("write");
        assert_eq!(served.get("/").status, 200);
        let pid = served.pid();
        let status = served.stop_with(signal);
        assert!(status.success(), "SIG{signal}: {status:?}");
        assert!(!common::process_alive(pid));
    }
    // --open starts the person's browser ($BROWSER) on the printed address
    let opened = repo.root().join("opened.txt");
    let browser = repo.root().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    )
    .expect("script");
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let served = Served::start_with(
        &repo,
        &["--open"],
        &[("BROWSER", &browser.to_string_lossy())],
    );
    // ...through a page only the user can read: the token is never in the
    // browser's arguments (which `ps` shows to everyone)
    assert!(
        wait_until(PATIENCE, || std::fs::read_to_string(&opened).is_ok()),
        "the browser was started"
    );
    let argument = std::fs::read_to_string(&opened).expect("opened");
    let page = std::path::PathBuf::from(argument.trim());
    assert!(!argument.contains(&served.token), "{argument}");
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.contains(&format!("url={}", served.url)), "{html}");
    let dir = page.parent().expect("its directory");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir).expect("dir").permissions(),
    );
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    drop(served);
    assert!(!page.exists(), "the page is removed when the server ends");
    // a second server on a taken port says so
    let served = Served::start(&repo, &[]);
    let port = served.port.to_string();
    let taken = repo.run(&["serve", "--port", &port]);
    assert_eq!(taken.code, 1, "{}", taken.stderr);
    assert!(
        taken
            .stderr
            .contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        taken.stderr
    );
    // outside a tracker: the CLI's error
    let bare = TestRepo::new();
    let run = bare.run(&["serve", "--port", "0"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no yit tracker"), "{}", run.stderr);
}

// --- in a real browser ------------------------------------------------------

/// Opens the printed address (the token becomes a cookie) and then `path`.
fn open(browser: &Browser, served: &Served, path: &str) {
    browser.goto(&served.url);
    browser.goto(&format!("{}{path}", served.base()));
}

fn browser_drags_a_card_and_the_file_changes() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Drag me"]);
    let id = full_id(&repo, &short);
    let served = Served::start(&repo, &[]);
    let browser = Browser::start(&repo);
    open(&browser, &served, "/");
    let card = browser.find(&format!(".card[data-id='{id}']"));
    let target = browser.find(".column[data-status='in_progress'] .cards");
    browser.drag(&card, &target);
    let path = file_of(&repo, &id);
    assert!(
        wait_until(PATIENCE, || std::fs::read_to_string(&path)
            .is_ok_and(|t| t.contains("status: in_progress"))),
        "the drop changed the file: {}",
        std::fs::read_to_string(&path).unwrap_or_default()
    );
    // and the board shows the card in its new column
    browser.find(&format!(
        ".column[data-status='in_progress'] .card[data-id='{id}']"
    ));
    if let Some(dir) = std::env::var_os("YIT_SCREENSHOTS") {
        repo.new_issue(&["Crash on empty repo", "--label", "crash", "--priority", "0"]);
        repo.new_issue(&["Write the install docs", "--label", "docs"]);
        browser.goto(&format!("{}/", served.base()));
        browser.find(".card");
        std::fs::write(
            std::path::Path::new(&dir).join("serve-board.png"),
            browser.screenshot(),
        )
        .expect("screenshot");
    }
}

fn browser_creates_an_issue_through_the_form() {
    let repo = TestRepo::with_tracker();
    let served = Served::start(&repo, &[]);
    let browser = Browser::start(&repo);
    open(&browser, &served, "/new");
    let title = browser.find("#new-issue input[name=title]");
    browser.type_into(&title, "Made in the browser");
    let labels = browser.find("#new-issue input[name=labels]");
    browser.type_into(&labels, "web, ui");
    let body = browser.find("#new-issue textarea[name=body]");
    browser.type_into(&body, "With a *body*.");
    browser.click(&browser.find("#new-issue button[type=submit]"));
    // the issue's page, and its file
    browser.find("#view .title");
    let listed = repo.run(&["list", "--json"]).json();
    let issues = listed["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 1, "{listed}");
    assert_eq!(issues[0]["title"], "Made in the browser");
    assert_eq!(issues[0]["labels"], serde_json::json!(["web", "ui"]));
    assert_eq!(issues[0]["body"], "With a *body*.");
    if let Some(dir) = std::env::var_os("YIT_SCREENSHOTS") {
        let id = issues[0]["id"].as_str().expect("id");
        repo.ok(&["comment", id, "Looks **right** in Chromium."]);
        browser.goto(&format!("{}/issues/{id}", served.base()));
        browser.find(".comment");
        std::fs::write(
            std::path::Path::new(&dir).join("serve-issue.png"),
            browser.screenshot(),
        )
        .expect("screenshot");
    }
}

fn browser_follows_a_hand_edit_without_reloading() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Before the edit"]);
    let id = full_id(&repo, &short);
    let served = Served::start(&repo, &[]);
    let browser = Browser::start(&repo);
    for path in [
        "/".to_owned(),
        format!("/issues/{id}"),
        "/issues".to_owned(),
    ] {
        open(&browser, &served, &path);
        browser.find("body");
        // a mark that a reload would lose, once the stream is live
        assert!(wait_until(PATIENCE, || browser.eval(
            "return document.getElementById('live-state').textContent"
        ) == "live"));
        browser.eval("window.__kept = 1; return null");
        let next = format!("Edited by hand for {path}");
        let previous = std::fs::read_to_string(file_of(&repo, &id)).expect("read");
        let old_title = previous
            .lines()
            .find_map(|l| l.strip_prefix("title: "))
            .expect("title")
            .to_owned();
        hand_edit(&file_of(&repo, &id), |t| {
            t.replace(&format!("title: {old_title}"), &format!("title: {next}"))
        });
        let script = format!(
            "return document.body.textContent.includes({})",
            serde_json::json!(next)
        );
        assert!(
            wait_until(PATIENCE, || browser.eval(&script) == true),
            "{path} shows the edit"
        );
        assert_eq!(
            browser.eval("return window.__kept === 1"),
            true,
            "{path} was not reloaded"
        );
    }
}

fn browser_keeps_the_text_of_a_stale_edit() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&["Contested", "--body", "Old body"]);
    let id = full_id(&repo, &short);
    let served = Served::start(&repo, &[]);
    let browser = Browser::start(&repo);
    open(&browser, &served, &format!("/issues/{id}"));
    assert!(wait_until(PATIENCE, || browser.eval(
        "return document.getElementById('live-state').textContent"
    ) == "live"));
    let body = browser.find("#edit-fields textarea[name=body]");
    browser.clear(&body);
    browser.type_into(&body, "My long rewrite, typed in the browser");
    hand_edit(&file_of(&repo, &id), |t| {
        t.replace("Old body", "Body changed in an editor")
    });
    // the page says so before the save
    assert!(wait_until(PATIENCE, || browser
        .eval("return !document.getElementById('stale').hidden")
        == true));
    browser.click(&browser.find("#edit-fields button[type=submit]"));
    browser.find(".error");
    let kept =
        browser.eval("return document.querySelector('#edit-fields textarea[name=body]').value");
    assert_eq!(kept, "My long rewrite, typed in the browser");
    let on_disk = std::fs::read_to_string(file_of(&repo, &id)).expect("read");
    assert!(
        on_disk.contains("Body changed in an editor") && !on_disk.contains("My long rewrite"),
        "{on_disk}"
    );
}

fn browser_renders_hostile_strings_as_text() {
    let repo = TestRepo::with_tracker();
    let short = repo.new_issue(&[HOSTILE_TITLE, "--body", HOSTILE_BODY]);
    let id = full_id(&repo, &short);
    repo.ok(&[
        "comment",
        &short,
        "<img src=x onerror=alert(10)> [x](javascript:alert(11))",
    ]);
    let served = Served::start(&repo, &[]);
    let browser = Browser::start(&repo);
    for path in [
        "/".to_owned(),
        "/issues".to_owned(),
        format!("/issues/{id}"),
    ] {
        open(&browser, &served, &path);
        browser.find("main");
        assert!(!browser.alert_open(), "{path}: a script ran");
        let scripts = browser.eval("return [...document.scripts].map(s => s.src)");
        assert_eq!(
            scripts,
            serde_json::json!([format!("{}/assets/app.js", served.base())]),
            "{path}"
        );
        assert_eq!(browser.eval("return document.querySelectorAll('[onerror],[onclick],a[href^=\"javascript\"]').length"), 0, "{path}");
        let shown =
            browser.eval("return document.body.textContent.includes('<script>alert(2)</script>')");
        assert_eq!(shown, true, "{path}: the title reads as typed");
    }
    assert!(!browser.alert_open());
}

/// The server keeps its issues warm (an engine of its own, and the tracker
/// open between requests): every answer is still the command line's right
/// after a write, a change to config.yaml is followed, the engine's
/// directory is its own and gone with it, and one left by a killed server
/// is swept.
fn the_warm_server_answers_exactly_and_follows_the_config() {
    let repo = TestRepo::with_tracker();
    let a = repo.new_issue(&["Parser panics", "--label", "bug"]);
    let engines = repo.root().join(".git/yit/engines");
    let left = engines.join("99999-0");
    std::fs::create_dir_all(&left).expect("mkdir");
    std::fs::write(left.join("lock"), "").expect("write");
    let mut served = Served::start(&repo, &[]);
    assert!(!left.exists(), "a killed server's directory is swept");
    let ours: Vec<_> = std::fs::read_dir(&engines)
        .expect("engines")
        .flatten()
        .collect();
    assert_eq!(ours.len(), 1, "one engine: {ours:?}");
    let show = |id: &str| {
        let mut shown = served.get(&format!("/api/issues/{id}")).json();
        shown.as_object_mut().expect("object").remove("version");
        shown
    };
    for n in 0..10 {
        // a write by another process, asked about at once
        let b = repo.new_issue(&[&format!("Waits {n}"), "--depends-on", &a, "--no-daemon"]);
        assert_eq!(
            show(&a),
            repo.run(&["show", &a, "--json"]).json(),
            "round {n}"
        );
        assert_eq!(
            show(&b),
            repo.run(&["show", &b, "--json"]).json(),
            "round {n}"
        );
    }
    let listed = served.get("/api/issues?q=waits&sort=created");
    assert_eq!(
        listed.json(),
        repo.run(&["list", "waits", "--sort", "created", "--json"])
            .json()
    );
    // a status config.yaml does not know yet, then does
    let review = serde_json::json!({ "status": "review" });
    let refused = served.send("PATCH", &format!("/api/issues/{a}"), &review);
    assert_eq!(refused.status, 400, "{}", refused.body);
    hand_edit(&repo.issues_dir().join("config.yaml"), |text| {
        text.replace(
            "  - name: closed\n",
            "  - name: review\n    role: open\n  - name: closed\n",
        )
    });
    let edited = served.send("PATCH", &format!("/api/issues/{a}"), &review);
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(
        repo.run(&["show", &a, "--json"]).json()["issue"]["status"],
        "review"
    );
    // an order by a name no front end knows: refused by the page and the API
    assert_eq!(served.get("/issues?sort=sideways").status, 400);
    let api = served.get("/api/issues?sort=sideways");
    assert_eq!(api.status, 400, "{}", api.body);
    assert!(api.body.contains("sideways"), "{}", api.body);
    assert!(served.stop_with("TERM").success());
    let after: Vec<_> = std::fs::read_dir(&engines)
        .expect("engines")
        .flatten()
        .collect();
    assert!(
        after.is_empty(),
        "the engine's directory went with it: {after:?}"
    );
}

/// Bodies that cost a Markdown renderer time by the square of their
/// nesting, requests that name two hosts or another site, redirects that
/// would leave the server, and bodies past the limit before they are sent.
fn hostile_pages_and_requests_are_bounded() {
    let repo = TestRepo::with_tracker();
    let deep = format!("{} deep end\n", ">".repeat(100_000));
    let short = repo.new_issue(&["Deep", "--body", &deep]);
    let id = full_id(&repo, &short);
    let controls = repo.new_issue(&[
        "Controls",
        "--body=- [x] done\n\n<input type=\"text\" value=\"pwned-input\"> <button>b</button>",
    ]);
    let controls = full_id(&repo, &controls);
    let served = Served::start(&repo, &[]);
    let page = served.get(&format!("/issues/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("deep end"), "the text is kept");
    let quotes = page.body.matches("<blockquote>").count();
    assert!((1..=32).contains(&quotes), "{quotes} levels of nesting");
    let page = served.get(&format!("/issues/{controls}"));
    assert!(!page.body.contains("pwned-input"), "a control's value");
    let body = &page.body[page.body.find("<section class=\"body\"").expect("the body")..];
    let boxes = body[..body.find("</section>").unwrap_or(body.len())].to_owned();
    let tags: Vec<&str> = boxes
        .split("<input")
        .skip(1)
        .map(|input| &input[..input.find('>').expect("a tag")])
        .collect();
    // the task's box and the raw input, both a box that is only shown
    assert_eq!(tags.len(), 2, "{boxes}");
    for tag in tags {
        assert!(
            tag.contains("checkbox") && tag.contains("disabled") && !tag.contains("name="),
            "a control: {tag}"
        );
    }
    // two Hosts, or a target naming another host
    let port = served.port;
    let mut two = send_raw(
        port,
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n").as_bytes(),
    );
    assert_eq!(answer(&mut two).expect("an answer").status, 400);
    for target in ["http://evil.example/", &format!("http://localhost:{port}/")] {
        let mut absolute = send_raw(
            port,
            format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        let reply = answer(&mut absolute).expect("an answer");
        assert!(
            matches!(reply.status, 400 | 421),
            "{target}: {}",
            reply.status
        );
        assert!(!reply.body.contains("Deep"), "{target}");
    }
    // the token's redirect stays on this server and keeps the query
    let token = &served.token;
    for (path, to) in [
        (format!("//evil.example/?token={token}"), "/evil.example/"),
        (
            format!("/issues?q=status:open&token={token}&sort=id"),
            "/issues?q=status:open&sort=id",
        ),
    ] {
        let reply = served.get(&path);
        assert_eq!(reply.status, 303, "{path}");
        assert_eq!(reply.header("location"), Some(to), "{path}");
    }
    // a body declared past the limit is refused before it is sent
    let mut large = send_raw(
        port,
        format!(
            "POST /api/issues HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Yit-Token: {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{{"
        )
        .as_bytes(),
    );
    let reply = answer(&mut large).expect("an answer before the body");
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert_eq!(
        repo.run(&["list", "--json"]).json()["issues"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

/// Slow or idle clients are let go, connections past the cap are answered
/// 503 at once, a burst of requests is answered (or told the server is
/// busy), and a stop ends the server although a client holds a
/// half-sent request.
fn slow_clients_and_bursts_are_bounded() {
    let repo = TestRepo::with_tracker();
    for n in 0..30 {
        repo.new_issue(&[&format!("Issue {n}")]);
    }
    let served = Served::start_with(
        &repo,
        &["--max-connections", "8"],
        &[("YIT_TEST_HEADER_TIMEOUT_MS", "2000")],
    );
    let port = served.port;
    // eight idle connections: half a request line, or nothing
    let mut idle: Vec<std::net::TcpStream> = (0..8)
        .map(|n| {
            send_raw(
                port,
                if n % 2 == 0 {
                    b"GET / HTTP/1.1\r\n"
                } else {
                    b""
                },
            )
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let busy = served.get("/api/issues");
    assert_eq!(busy.status, 503, "{}", busy.body);
    assert_eq!(busy.json()["error"]["kind"], "busy");
    // each is closed by the server once the header timeout passes
    for stream in &mut idle {
        let mut rest = Vec::new();
        let read = std::io::Read::read_to_end(stream, &mut rest);
        assert!(
            !matches!(&read, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
            "still open after {PATIENCE:?}"
        );
    }
    assert!(
        wait_until(PATIENCE, || served.get("/api/issues").status == 200),
        "served again once the idle ones are gone"
    );
    // a body sent too slowly is answered 408
    let mut slow = send_raw(
        port,
        format!(
            "POST /api/issues HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Yit-Token: {}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"title\"",
            served.token
        )
        .as_bytes(),
    );
    let reply = answer(&mut slow).expect("an answer");
    assert_eq!(reply.status, 408, "{}", reply.body);
    drop(served);
    // a burst: every request is answered, 200 or 503 busy
    let served = Served::start(&repo, &[]);
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..150)
            .map(|_| scope.spawn(|| served.get("/api/issues?all=true")))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                let reply = h.join().expect("a client");
                if reply.status == 503 {
                    assert_eq!(reply.json()["error"]["kind"], "busy", "{}", reply.body);
                }
                reply.status
            })
            .collect()
    });
    assert!(
        answers.iter().all(|s| matches!(s, 200 | 503)),
        "{answers:?}"
    );
    assert!(answers.contains(&200));
    // a stop ends the server although a request is half sent (its body
    // would be waited for 30 s)
    let mut served = served;
    let _half = send_raw(
        served.port,
        format!(
            "POST /api/issues HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Yit-Token: {}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{",
            served.port, served.token
        )
        .as_bytes(),
    );
    std::thread::sleep(Duration::from_millis(200));
    let status = served.stop_with("TERM");
    assert!(status.success(), "{status:?}");
}

fn main() {
    let tests: Vec<common::SessionTest> = vec![
        (
            "the_issue_page_shows_every_key_and_links_urls",
            the_issue_page_shows_every_key_and_links_urls,
            false,
        ),
        (
            "pages_read_without_the_token_and_only_the_token_writes",
            pages_read_without_the_token_and_only_the_token_writes,
            false,
        ),
        (
            "foreign_hosts_and_origins_are_refused",
            foreign_hosts_and_origins_are_refused,
            false,
        ),
        (
            "user_strings_render_as_text",
            user_strings_render_as_text,
            false,
        ),
        (
            "the_api_answers_as_the_command_line_does",
            the_api_answers_as_the_command_line_does,
            false,
        ),
        (
            "the_warm_server_answers_exactly_and_follows_the_config",
            the_warm_server_answers_exactly_and_follows_the_config,
            false,
        ),
        (
            "bad_input_gets_a_clear_answer_and_changes_nothing",
            bad_input_gets_a_clear_answer_and_changes_nothing,
            false,
        ),
        (
            "a_stale_edit_is_refused_and_the_text_kept",
            a_stale_edit_is_refused_and_the_text_kept,
            false,
        ),
        (
            "every_change_to_the_files_is_an_event",
            every_change_to_the_files_is_an_event,
            false,
        ),
        (
            "hostile_pages_and_requests_are_bounded",
            hostile_pages_and_requests_are_bounded,
            false,
        ),
        (
            "slow_clients_and_bursts_are_bounded",
            slow_clients_and_bursts_are_bounded,
            false,
        ),
        (
            "stops_cleanly_on_sigterm_and_sigint_with_pages_open",
            stops_cleanly_on_sigterm_and_sigint_with_pages_open,
            false,
        ),
        (
            "browser_drags_a_card_and_the_file_changes",
            browser_drags_a_card_and_the_file_changes,
            true,
        ),
        (
            "browser_creates_an_issue_through_the_form",
            browser_creates_an_issue_through_the_form,
            true,
        ),
        (
            "browser_follows_a_hand_edit_without_reloading",
            browser_follows_a_hand_edit_without_reloading,
            true,
        ),
        (
            "browser_keeps_the_text_of_a_stale_edit",
            browser_keeps_the_text_of_a_stale_edit,
            true,
        ),
        (
            "browser_renders_hostile_strings_as_text",
            browser_renders_hostile_strings_as_text,
            true,
        ),
    ];
    common::run_session("web", tests);
}
