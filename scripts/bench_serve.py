#!/usr/bin/env python3
"""Benchmarks of `yit serve` (release build; figures in docs/performance.md).

  scripts/bench_serve.py [ISSUES] [RUNS]     default 10,000 issues, 20 runs

1. Page load: the board (`GET /`), the list (`GET /issues`) and an issue page,
   each timed by curl (`time_total`, loopback) RUNS times after 3 warm-ups,
   with and without a daemon; the server's own time is the figure, curl's
   start is not in it.
2. Live update: an issue page open in headless Chromium (Debian's chromium and
   chromium-driver); the issue's file is rewritten by hand (a new file renamed
   over it, as an editor saves) and the page's MutationObserver notes when the
   new title is on screen. Both clocks are this machine's wall clock. RUNS
   edits, median and spread.

Everything it starts (yit serve, chromedriver, Chromium, a daemon) is stopped
before it exits, also on failure.
"""
import json, os, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_tracker import release_and_tracker  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
yit, env, repo, issue, work = release_and_tracker(n, "yit-bench-serve.")
path = os.path.join(repo, ".issues", issue + ".yaml")
started = []


def stop_all():
    for p in reversed(started):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    subprocess.run([yit, "daemon", "stop"], cwd=repo, env=env, capture_output=True)


def start(args, **kw):
    p = subprocess.Popen(args, start_new_session=True, **kw)
    started.append(p)
    return p


def ms(values):
    return f"{statistics.median(values):.1f} ms (min {min(values):.1f}, max {max(values):.1f})"


def page_loads(base, label):
    rows = []
    for name, url in [("board `GET /`", "/"), ("list `GET /issues`", "/issues"),
                      ("issue page `GET /issues/ID`", f"/issues/{issue}")]:
        times = []
        for i in range(runs + 3):
            out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_starttransfer} %{time_connect}",
                                  base + url], capture_output=True, text=True, check=True).stdout.split()
            if i >= 3:
                times.append((float(out[0]) - float(out[1])) * 1000)
        rows.append(f"| {label} | {name} | {ms(times)} |")
    return rows


try:
    server = start([yit, "serve", "--port", "0"], cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = server.stdout.readline().strip()
    base = url.split("/?")[0]
    rows = page_loads(base, "no daemon (its engine)")
    subprocess.run([yit, "daemon", "start", "--idle-timeout", "600"], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    rows += page_loads(base, "daemon")
    subprocess.run([yit, "daemon", "stop"], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)

    # live: a hand edit to the open page
    sock = socket.socket(); sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]; sock.close()
    start(["/usr/bin/chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def call(method, p, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{p}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())["value"]
    for _ in range(200):
        try:
            call("GET", "/status"); break
        except Exception:
            time.sleep(0.05)
    profile = tempfile.mkdtemp(dir=work)
    session = call("POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium", "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}"]}}}})["sessionId"]
    s = f"/session/{session}"
    def js(script):
        return call("POST", s + "/execute/sync", {"script": script, "args": []})
    try:
        call("POST", s + "/url", {"url": url})
        call("POST", s + "/url", {"url": f"{base}/issues/{issue}"})
        while js("return document.getElementById('live-state').textContent") != "live":
            time.sleep(0.02)
        latencies = []
        original = open(path).read()
        for i in range(runs):
            marker = f"Edited by hand {i} {time.time()}"
            js("window.__seen = null; const want = %s; new MutationObserver((_, o) => {"
               " if (document.body.textContent.includes(want)) { window.__seen = Date.now(); o.disconnect(); } })"
               ".observe(document.body, {subtree: true, childList: true, characterData: true}); return null" % json.dumps(marker))
            text = "\n".join(("title: " + marker) if l.startswith("title: ") else l for l in original.split("\n"))
            tmp = path + ".swp"
            with open(tmp, "w") as f:
                f.write(text)
            t0 = time.time() * 1000
            os.rename(tmp, path)
            while (seen := js("return window.__seen")) is None:
                time.sleep(0.005)
            latencies.append(seen - t0)
            time.sleep(0.2)
        with open(path, "w") as f:
            f.write(original)
    finally:
        call("DELETE", s)
    print(f"{n:,} issues, {runs} runs each, release build, {time.strftime('%Y-%m-%d')}")
    print()
    print("| source | request | server time, median (min, max) |")
    print("|---|---|---:|")
    print("\n".join(rows))
    print()
    print(f"hand edit → open issue page updated (Chromium): {ms(latencies)}")
finally:
    stop_all()
