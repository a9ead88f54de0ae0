#!/usr/bin/env python3
"""Benchmark of `yit mcp` (release build; figures in docs/performance.md).

  scripts/bench_mcp.py [ISSUES] [RUNS]     default 10,000 issues, 50 runs

A tool call's round trip over stdio, as a client sees it: the JSON-RPC
request written to the server's stdin until its answer is read from stdout
(`show ID`, `list` with `limit: 50`, `ready` with `limit: 10`), after 5
warm-up calls, with and without a daemon; then the bytes of each list
tool's whole answer (the JSON-RPC line the client reads) for 50 issues, as
every client calls it and with `details`/`json`. Every process it starts is
stopped before it exits.
"""
import json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_tracker import release_and_tracker  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
yit, env, repo, issue, work = release_and_tracker(n, "yit-bench-mcp.")


def session():
    p = subprocess.Popen([yit, "mcp"], cwd=repo, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}) + "\n")
    p.stdin.flush()
    p.stdout.readline()
    p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    p.stdin.flush()
    return p


def time_calls(p, name, arguments):
    times = []
    for i in range(runs + 5):
        line = json.dumps({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                           "params": {"name": name, "arguments": arguments}}) + "\n"
        t0 = time.perf_counter()
        p.stdin.write(line)
        p.stdin.flush()
        answer = json.loads(p.stdout.readline())
        elapsed = (time.perf_counter() - t0) * 1000
        assert not answer["result"].get("isError"), answer
        if i >= 5:
            times.append(elapsed)
    return f"{statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f})"


rows = []
daemon = False
try:
    for label in ["no daemon (its engine)", "daemon"]:
        if label == "daemon":
            subprocess.run([yit, "daemon", "start", "--idle-timeout", "600"], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
            daemon = True
        p = session()
        try:
            for name, arguments in [("show", {"id": issue}), ("list", {"limit": 50}), ("ready", {"limit": 10})]:
                rows.append(f"| {label} | `{name}` {json.dumps(arguments)} | {time_calls(p, name, arguments)} |")
        finally:
            p.stdin.close()
            p.wait(timeout=10)
finally:
    if daemon:
        subprocess.run([yit, "daemon", "stop"], cwd=repo, env=env, capture_output=True)

# a dependency chain, so that `blocked` has 50 issues to list
ids = subprocess.run([yit, "list", "--format", "ids", "--limit", "60", "status:open"], cwd=repo, env=env,
                     capture_output=True, text=True, check=True).stdout.split()
for a, b in zip(ids[:50], ids[1:51]):
    subprocess.run([yit, "dep", "add", a, b], cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
sizes = []
p = session()
try:
    for i, (name, arguments) in enumerate([
        ("list", {"limit": 50}),
        ("ready", {"limit": 50}),
        ("blocked", {"limit": 50}),
        ("search", {"query": "crash", "limit": 50}),
        ("search", {"query": "crash"}),
        ("list", {"limit": 50, "json": True}),
        ("list", {"limit": 50, "details": True}),
        ("list", {"limit": 50, "details": True, "json": True}),
    ]):
        p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 1000 + i, "method": "tools/call",
                                  "params": {"name": name, "arguments": arguments}}) + "\n")
        p.stdin.flush()
        line = p.stdout.readline()
        answer = json.loads(line)
        assert not answer["result"].get("isError"), answer
        shown = len(answer["result"]["content"][0]["text"].encode())
        sizes.append(f"| `{name}` {json.dumps(arguments)} | {len(line.encode()):,} | {shown:,} |")
finally:
    p.stdin.close()
    p.wait(timeout=10)
print(f"{n:,} issues, {runs} calls each, release build, {time.strftime('%Y-%m-%d')}")
print()
print("| source | tool call | round trip, median (min, max) |")
print("|---|---|---:|")
print("\n".join(rows))
print()
print("| list tool call | answer, bytes | of it, text content |")
print("|---|---:|---:|")
print("\n".join(sizes))
