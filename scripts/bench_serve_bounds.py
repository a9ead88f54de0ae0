#!/usr/bin/env python3
"""`yit serve` under hostile pages and clients (release build; figures in
docs/performance.md, "Bounded serving").

  scripts/bench_serve_bounds.py [ISSUES]        default 10000

On a generated tracker of ISSUES issues (bursts first, before the hostile
bodies of the next parts are added):

1. Page render: issues whose bodies are Markdown's worst cases, ~1 MB (one
   line of 100,000 `>`, 1,000,000 `>`, brackets, emphasis, a 110,000-row
   table, prose with raw HTML: past 128 KiB, shown as plain text) and just
   under 128 KiB (rendered as Markdown), are added, and `GET /issues/ID` of
   each is timed (median of 5, wall clock, one connection each).
2. Slowloris: 300 connections are opened and each sends half a request line;
   while they are held, 100 `GET /api/issues/ID` are made one after another:
   how many are answered, and their median and slowest time. Then 600 are
   held (past the default cap of 512): the answer to a new request (503) and
   how long until requests are answered again (the idle ones timed out).
3. Burst: on a server started afresh (and asked one full list), 500 clients
   each send `GET /api/issues?all=true` at once, then (another fresh server)
   `GET /api/issues/ID`; the answers by status, the slowest, and the
   server's peak resident memory (VmHWM) before and after.

Everything it starts is stopped before it exits, also on failure.
"""
import http.client, os, signal, socket, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_tracker import release_and_tracker  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, timeout=60):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


def peak_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM:", "VmRSS:")):
                yield line.split(":")[0], int(line.split()[1])


yit, env, repo, first, work = release_and_tracker(n, "yit-bench-serve-bounds.")
port = free_port()


def start_serve():
    serve = subprocess.Popen([yit, "serve", "--port", str(port)], cwd=repo, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    for _ in range(400):
        try:
            get(port, "/api/issues?all=true")
            return serve
        except OSError:
            time.sleep(0.05)
    return serve


def stop(serve):
    os.kill(serve.pid, signal.SIGTERM)
    serve.wait(timeout=10)


def burst(serve, path_of):
    before = dict(peak_kb(serve.pid))
    statuses, slowest = {}, [0.0]
    lock = threading.Lock()
    barrier = threading.Barrier(500)

    def client(i):
        barrier.wait()
        start = time.perf_counter()
        try:
            status = get(port, path_of(i), timeout=120)
        except OSError as e:
            status = type(e).__name__
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            slowest[0] = max(slowest[0], time.perf_counter() - start)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(500)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = dict(peak_kb(serve.pid))
    return (f"{statuses}, slowest {slowest[0]:.1f} s; serve peak RSS "
            f"{before['VmHWM'] / 1024:.0f} MiB before, {after['VmHWM'] / 1024:.0f} MiB after "
            f"(RSS now {after['VmRSS'] / 1024:.0f} MiB)")


ids_for_reads = subprocess.run([yit, "list", "--format", "ids", "--limit", "100"], cwd=repo,
                               env=env, capture_output=True, text=True, check=True).stdout.split()
serve = start_serve()
held = []
try:
    print(f"## {n:,} issues\n")
    print("Burst of 500 parallel `GET /api/issues?all=true`: "
          + burst(serve, lambda i: "/api/issues?all=true"))
    stop(serve)
    serve = start_serve()
    print("Burst of 500 parallel `GET /api/issues/ID`: "
          + burst(serve, lambda i: "/api/issues/" + ids_for_reads[i % len(ids_for_reads)]))
    stop(serve)

    bodies = {
        "100,000 `>` on one line": ">" * 100_000 + " end\n",
        "1,000,000 `>` on one line": ">" * 1_000_000 + "\n",
        "1,000,000 `[`": "[" * 1_000_000 + "\n",
        "`*a **a ` x 140,000": "*a **a " * 140_000 + "\n",
        "a table of 110,000 rows": "|a|b|\n|-|-|\n" + "|x|y|\n" * 110_000,
        "prose with raw HTML, 0.9 MB": "<details><summary>s</summary>\n\n"
        + "Some *text* with `code` and [a link](https://x.y).\n\n" * 17_000 + "</details>\n",
        # the largest bodies still rendered as Markdown (128 KiB and under)
        "120,000 `[` (Markdown)": "[" * 120_000 + "\n",
        "`*a **a ` x 17,000 (Markdown)": "*a **a " * 17_000 + "\n",
        "a table of 19,000 rows (Markdown)": "|a|b|\n|-|-|\n" + "|x|y|\n" * 19_000,
        "120,000 `>` on one line (Markdown)": ">" * 120_000 + " end\n",
        "prose, 120 KB (Markdown)": "Some *text* with `code` and [a link](https://x.y).\n\n" * 2_300,
    }
    ids = {}
    for name, body in bodies.items():
        path = os.path.join(work, "body.md")
        with open(path, "w") as f:
            f.write(body)
        out = subprocess.run([yit, "new", "Hostile body", "--body-file", path, "--format", "ids"],
                             cwd=repo, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"{name}: {out.stderr}")
        ids[name] = out.stdout.strip()
    serve = start_serve()
    print("\n| body | page render, median of 5 |\n|---|---|")
    for name, id_ in ids.items():
        times = []
        for _ in range(5):
            start = time.perf_counter()
            status = get(port, "/issues/" + id_)
            times.append((time.perf_counter() - start) * 1000)
            assert status == 200, (name, status)
        times.sort()
        print(f"| {name} | {times[2]:.0f} ms |")
    print(f"\nserve peak RSS after the pages: {dict(peak_kb(serve.pid))['VmHWM'] / 1024:.0f} MiB")

    def hold(count):
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET / HTTP/1.1\r\n")
            held.append(s)

    def timed_reads(count):
        answered, times = 0, []
        for i in range(count):
            start = time.perf_counter()
            status = get(port, "/api/issues/" + ids_for_reads[i % len(ids_for_reads)], timeout=20)
            times.append((time.perf_counter() - start) * 1000)
            answered += status == 200
        times.sort()
        return answered, times[len(times) // 2], times[-1]

    hold(300)
    answered, median, slowest = timed_reads(100)
    print(f"\nSlowloris, 300 idle connections held: {answered}/100 requests answered, "
          f"median {median:.1f} ms, slowest {slowest:.1f} ms")
    hold(300)
    time.sleep(1.0)
    start = time.perf_counter()
    status = get(port, "/api/issues/" + first)
    while get(port, "/api/issues/" + first) != 200:
        time.sleep(0.1)
    print(f"600 held (cap 512): a new request is answered {status} at once; "
          f"answered again after {time.perf_counter() - start:.1f} s (the idle ones timed out)")
finally:
    for s in held:
        s.close()
    if serve.poll() is None:
        stop(serve)
    subprocess.run(["rm", "-rf", work])
