#!/usr/bin/env python3
"""CPU per request of `yit serve` (release build; figures in docs/performance.md).

  scripts/bench_serve_cpu.py [ISSUES...] [--requests N]   default 2000 10000, 300

For each tracker size: `yit serve` is started, with no daemon and then with a
daemon started beforehand; N `GET /api/issues/ID` requests (each for another
issue, one connection each, one after another) are made after 20 warm-ups, and
the server's CPU time (user + system, from /proc/PID/stat, the daemon's added
when one runs) over those N requests is divided by N. The issue's own reads
are in the figure; curl's and Python's are not.

Everything it starts (yit serve, a daemon) is stopped before it exits, also on
failure.
"""
import http.client, json, os, signal, socket, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_tracker import release_and_tracker  # noqa: E402

args = sys.argv[1:]
requests = 300
if "--requests" in args:
    i = args.index("--requests")
    requests = int(args[i + 1])
    del args[i:i + 2]
sizes = [int(a) for a in args] or [2000, 10000]
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime, stime are fields 14 and 15 (1-based); after the name, 12 and 13 (0-based)
    return (int(fields[11]) + int(fields[12])) / TICKS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        raise SystemExit(f"GET {path}: {r.status} {body[:200]!r}")


def measure(yit, env, repo, ids, daemon):
    pids = []
    if daemon:
        started = subprocess.run([yit, "daemon", "start", "--json"], cwd=repo, env=env,
                                 capture_output=True, text=True, check=True).stdout
        pids.append(json.loads(started)["pid"])
    port = free_port()
    serve = subprocess.Popen([yit, "serve", "--port", str(port)], cwd=repo, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        for _ in range(200):
            try:
                get(port, "/api/issues/" + ids[0])
                break
            except (ConnectionRefusedError, OSError):
                time.sleep(0.05)
        for i in range(20):
            get(port, "/api/issues/" + ids[i % len(ids)])
        watched = [serve.pid] + pids
        before = sum(cpu_seconds(p) for p in watched)
        for i in range(requests):
            get(port, "/api/issues/" + ids[i % len(ids)])
        after = sum(cpu_seconds(p) for p in watched)
        return (after - before) * 1000 / requests
    finally:
        os.kill(serve.pid, signal.SIGTERM)
        serve.wait(timeout=10)
        if daemon:
            subprocess.run([yit, "daemon", "stop"], cwd=repo, env=env, capture_output=True)


print(f"CPU per `GET /api/issues/ID`, {requests} requests, ms (server + daemon)")
for n in sizes:
    yit, env, repo, _, work = release_and_tracker(n, "yit-bench-serve-cpu.")
    ids = subprocess.run([yit, "list", "--format", "ids", "--limit", "200"], cwd=repo, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    without = measure(yit, env, repo, ids, daemon=False)
    with_daemon = measure(yit, env, repo, ids, daemon=True)
    print(f"| {n:,} issues | {without:.2f} | {with_daemon:.2f} |")
    subprocess.run(["rm", "-rf", work])
