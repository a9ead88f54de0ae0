//! What the web tests own: a `yit serve` process ([`Served`], stopped with
//! SIGTERM and reaped on drop), a plain HTTP/1.1 client that can send any
//! header (a forged Host, a foreign Origin), and a headless Chromium driven
//! over WebDriver by chromedriver ([`Browser`], its whole process group
//! killed and reaped on drop).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TestRepo, process_alive};

pub const PATIENCE: Duration = Duration::from_secs(10);

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request on a new connection; `headers` are sent as given (a Host
/// among them replaces the default one).
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).expect("write");
    // a server may answer (413) before it reads a large body
    let _ = stream.write_all(body);
    parse_reply(&read_reply(&mut stream))
}

/// A connection that has sent `bytes` (a request as hostile as wanted) and
/// waits for its answer at most [`PATIENCE`].
pub fn send_raw(port: u16, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.write_all(bytes).expect("write");
    stream
}

/// The answer read from `stream`, or `None` when it closed without one.
pub fn answer(stream: &mut TcpStream) -> Option<Reply> {
    let raw = read_reply(stream);
    (!raw.is_empty()).then(|| parse_reply(&raw))
}

/// The bytes of one answer: its head, then as many bytes as it says
/// (chromedriver keeps the connection open), or up to the end.
fn read_reply(stream: &mut TcpStream) -> Vec<u8> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let chunked_done =
                head.contains("transfer-encoding: chunked") && raw.ends_with(b"0\r\n\r\n");
            if length.is_some_and(|n| raw.len() >= split + 4 + n) || chunked_done {
                return raw;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return raw,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16)
                .unwrap_or(0);
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 2 + size + 2..];
        }
        body = out;
    }
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// `yit serve --port 0` in a test repository; stopped and reaped on drop.
pub struct Served<'a> {
    _repo: &'a TestRepo,
    child: Option<Child>,
    pub port: u16,
    pub token: String,
    /// The address printed, with the token.
    pub url: String,
}

impl<'a> Served<'a> {
    #[track_caller]
    pub fn start(repo: &'a TestRepo, extra: &[&str]) -> Served<'a> {
        Served::start_with(repo, extra, &[])
    }

    /// `yit serve` with more arguments and environment variables.
    #[track_caller]
    pub fn start_with(repo: &'a TestRepo, extra: &[&str], env: &[(&str, &str)]) -> Served<'a> {
        let mut args = vec!["serve", "--port", "0"];
        args.extend_from_slice(extra);
        let mut child = repo
            .cmd(&args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn yit serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut served = Served {
            _repo: repo,
            child: Some(child),
            port: 0,
            token: String::new(),
            url: String::new(),
        };
        let line = rx
            .recv_timeout(PATIENCE)
            .expect("yit serve printed its address");
        let url = line.trim().to_owned();
        let rest = url
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("address: {url:?}"));
        let (port, token) = rest.split_once("/?token=").expect("a token in the address");
        served.port = port.parse().expect("port");
        served.token = token.to_owned();
        served.url = url;
        served
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn get(&self, path: &str) -> Reply {
        request(self.port, "GET", path, &[], b"")
    }

    /// A request with the token, as a program sends it.
    pub fn send(&self, method: &str, path: &str, json: &serde_json::Value) -> Reply {
        let body = json.to_string();
        request(
            self.port,
            method,
            path,
            &[
                ("X-Yit-Token", &self.token),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
    }

    /// A form posted as a browser posts it: the cookie, its own Origin.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        let cookie = format!("yit_token={}", self.token);
        let origin = self.base();
        request(
            self.port,
            "POST",
            path,
            &[
                ("Cookie", &cookie),
                ("Origin", &origin),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.join("&").as_bytes(),
        )
    }

    /// Sends `signal` and waits for the exit; its status.
    #[track_caller]
    pub fn stop_with(&mut self, signal: &str) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let signal = match signal {
            "TERM" => rustix::process::Signal::TERM,
            "INT" => rustix::process::Signal::INT,
            other => panic!("no signal {other}"),
        };
        assert!(
            crate::common::signal(child.id(), signal),
            "signal yit serve"
        );
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("yit serve did not exit within {PATIENCE:?} of {signal:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Served<'_> {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            crate::common::signal(child.id(), rustix::process::Signal::TERM);
            let deadline = Instant::now() + PATIENCE;
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn pid_of(child: &Child) -> rustix::process::Pid {
    rustix::process::Pid::from_raw(child.id() as i32).expect("a child's pid is positive")
}

/// `application/x-www-form-urlencoded`.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A headless Chromium under chromedriver, for one test.
pub struct Browser {
    driver: Option<Child>,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

/// The W3C WebDriver name of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    #[track_caller]
    pub fn start(repo: &TestRepo) -> Browser {
        let chromedriver = "/usr/bin/chromedriver";
        assert!(
            std::path::Path::new(chromedriver).exists(),
            "the browser tests need Debian's chromium and chromium-driver (`scripts/test` installs them)"
        );
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().expect("addr").port()
        };
        let profile = tempfile::tempdir().expect("profile dir");
        // the repository's environment: the session marker, so that a
        // Chromium left behind fails the run
        let driver = {
            use std::os::unix::process::CommandExt;
            let mut cmd = repo.program(chromedriver, &[&format!("--port={port}")]);
            cmd.stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0);
            cmd.spawn().expect("spawn chromedriver")
        };
        let mut browser = Browser {
            driver: Some(driver),
            port,
            session: String::new(),
            _profile: profile,
        };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let caps = serde_json::json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
            }}
        });
        // a Chromium that dies while starting (a loaded machine) is tried
        // once more: the browser is the tests' tool, not what they test
        for attempt in 1..=2 {
            let reply = request(
                port,
                "POST",
                "/session",
                &[
                    ("Content-Type", "application/json"),
                    ("Host", &format!("127.0.0.1:{port}")),
                ],
                caps.to_string().as_bytes(),
            );
            if reply.status < 300 {
                browser.session = reply.json()["value"]["sessionId"]
                    .as_str()
                    .expect("a session")
                    .to_owned();
                return browser;
            }
            assert!(
                attempt < 2,
                "chromedriver could not start Chromium: {}",
                reply.body
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        unreachable!("the loop returns or panics")
    }

    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> serde_json::Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let reply = request(
            self.port,
            method,
            path,
            &[
                ("Content-Type", "application/json"),
                ("Host", &format!("127.0.0.1:{}", self.port)),
            ],
            body.as_bytes(),
        );
        let value = reply.json();
        assert!(
            reply.status < 300,
            "WebDriver {method} {path}: {}",
            reply.body
        );
        value["value"].clone()
    }

    fn session_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> serde_json::Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    pub fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(&serde_json::json!({ "url": url })));
    }

    /// The first element `css` matches, waiting for it up to the patience.
    #[track_caller]
    pub fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let reply = request(
                self.port,
                "POST",
                &format!("/session/{}/element", self.session),
                &[
                    ("Content-Type", "application/json"),
                    ("Host", &format!("127.0.0.1:{}", self.port)),
                ],
                serde_json::json!({ "using": "css selector", "value": css })
                    .to_string()
                    .as_bytes(),
            );
            if reply.status < 300 {
                return reply.json()["value"][ELEMENT]
                    .as_str()
                    .expect("element")
                    .to_owned();
            }
            if Instant::now() > deadline {
                let page = self.eval("return location.href + '\\n' + document.body.innerText");
                panic!(
                    "no element matches {css:?} in {}",
                    page.as_str().unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn click(&self, element: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/click"),
            Some(&serde_json::json!({})),
        );
    }

    pub fn clear(&self, element: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/clear"),
            Some(&serde_json::json!({})),
        );
    }

    pub fn type_into(&self, element: &str, text: &str) {
        self.session_call(
            "POST",
            &format!("/element/{element}/value"),
            Some(&serde_json::json!({ "text": text })),
        );
    }

    /// Runs `script` (a function body) in the page; its return value.
    pub fn eval(&self, script: &str) -> serde_json::Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(&serde_json::json!({ "script": script, "args": [] })),
        )
    }

    /// Drags `from` onto `to` with the mouse, as a person does: press,
    /// move in steps, release (real pointer events).
    pub fn drag(&self, from: &str, to: &str) {
        let origin = |e: &str| serde_json::json!({ ELEMENT: e });
        let actions = serde_json::json!({ "actions": [{
            "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
            "actions": [
                { "type": "pointerMove", "origin": origin(from), "x": 0, "y": 0 },
                { "type": "pointerDown", "button": 0 },
                { "type": "pointerMove", "origin": "pointer", "x": 10, "y": 10, "duration": 50 },
                { "type": "pointerMove", "origin": origin(to), "x": 0, "y": 0, "duration": 200 },
                { "type": "pointerMove", "origin": origin(to), "x": 2, "y": 2, "duration": 50 },
                { "type": "pointerUp", "button": 0 },
            ]
        }]});
        self.session_call("POST", "/actions", Some(&actions));
    }

    /// Whether an alert (a script that ran) is open.
    pub fn alert_open(&self) -> bool {
        let reply = request(
            self.port,
            "GET",
            &format!("/session/{}/alert/text", self.session),
            &[("Host", &format!("127.0.0.1:{}", self.port))],
            b"",
        );
        reply.status < 300
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Vec<u8> {
        let data = self.session_call("GET", "/screenshot", None);
        base64(data.as_str().expect("base64"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = request(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                &[("Host", &format!("127.0.0.1:{}", self.port))],
                b"",
            );
        }
        if let Some(mut driver) = self.driver.take() {
            // chromedriver and every Chromium process it started (its
            // process group; never a shell's `kill -9 -N`, which some
            // kill(1) read as -1: every process)
            let _ =
                rustix::process::kill_process_group(pid_of(&driver), rustix::process::Signal::KILL);
            let _ = driver.wait();
            let pid = driver.id();
            let deadline = Instant::now() + PATIENCE;
            while process_alive(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| u32::from(value(c))).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (x << (18 - 6 * i)));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}
