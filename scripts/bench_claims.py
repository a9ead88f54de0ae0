#!/usr/bin/env python3
"""Benchmarks of claims and sync (release build; figures in docs/performance.md).

  scripts/bench_claims.py [ISSUES] [RUNS]     default 1,000 issues, 50 claims

1. Claim latency: `yit claim ID` (a process each, as an agent runs it), RUNS
   issues one after another, wall time from the start of the process to its
   exit: in a clone without a remote (the lease is a local compare-and-swap
   of a ref), and in a clone of a bare remote on this disk (the lease is
   fetched, pushed with a lease, then mirrored).
2. `yit sync` in that clone with 100 changed issues: once with nothing new
   upstream (commit, fetch, push), once after another clone pushed 100 other
   changed issues (commit, fetch, merge with the field driver, push).

Everything runs in a scratch directory; no process is left running.
"""
import os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_tracker import release_and_tracker  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
yit, env, repo, _, work = release_and_tracker(n, "yit-bench-claims.")


def run(args, cwd, check=True):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=check)


def timed(args, cwd):
    start = time.perf_counter()
    out = run(args, cwd, check=False)
    took = (time.perf_counter() - start) * 1000
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: {out.stderr}")
    return took


def ms(values):
    return f"{statistics.median(values):.1f} ms (min {min(values):.1f}, max {max(values):.1f})"


run(["git", "add", "-A"], repo)
run(["git", "commit", "-qm", "issues"], repo)
# (an issue assigned to someone and never claimed is theirs: not claimable)
free = run([yit, "list", "assignee:none", "--format", "ids"], repo).stdout.split()
if len(free) < 2 * runs:
    raise SystemExit(f"only {len(free)} unassigned open issues for {2 * runs} claims")
ids = [i for i in run([yit, "list", "--format", "ids", "--all"], repo).stdout.split() if i not in free[:2 * runs]]

local = [timed([yit, "claim", i], repo) for i in free[:runs]]

remote = os.path.join(work, "origin.git")
run(["git", "clone", "-q", "--bare", repo, remote], work)
clones = []
for name in ["a", "b"]:
    path = os.path.join(work, name)
    run(["git", "clone", "-q", remote, path], work)
    run([yit, "init", "-q"], path)
    clones.append(path)
a, b = clones
through = [timed([yit, "claim", i], a) for i in free[runs:2 * runs]]

for i in ids[:100]:
    run([yit, "edit", i, "--priority", "0"], a)
push_only = timed([yit, "sync"], a)
for i in ids[100:200]:
    run([yit, "edit", i, "--priority", "1"], b)
run([yit, "sync"], b)
for i in ids[200:300]:
    run([yit, "edit", i, "--priority", "3"], a)
merged = timed([yit, "sync"], a)

print(f"{n:,} issues, release build, {time.strftime('%Y-%m-%d')}")
print()
print("| operation | wall time |")
print("|---|---:|")
print(f"| `yit claim ID`, a clone without a remote ({runs} claims) | {ms(local)} |")
print(f"| `yit claim ID`, through a bare remote on this disk ({runs} claims) | {ms(through)} |")
print(f"| `yit sync`, 100 changed issues, nothing new upstream | {push_only:.1f} ms |")
print(f"| `yit sync`, 100 changed issues, 100 others changed upstream (merged) | {merged:.1f} ms |")
subprocess.run(["rm", "-rf", work])
