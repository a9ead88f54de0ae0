#!/usr/bin/env python3
"""Gives a benchmark tracker a git history: COMMITS commits after the first
(one in ten changes an issue file, the others a source file) and BRANCHES
local branches at spread-out commits. Uses `git fast-import`, so 10,000
commits take seconds. Run in a repository whose .issues is committed.

    gen_history.py REPO COMMITS BRANCHES

Prints the id of the issue changed most often (for `yit log`).
"""
import os
import random
import re
import subprocess
import sys

repo, commits, branches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(7)
issues_dir = os.path.join(repo, ".issues")
names = sorted(n for n in os.listdir(issues_dir) if n.endswith(".yaml") and n != "config.yaml")
# a few issues get most of the changes, as in real trackers
hot = names[:20]
texts = {}


def text_of(name):
    if name not in texts:
        with open(os.path.join(issues_dir, name), encoding="utf-8") as f:
            texts[name] = f.read()
    return texts[name]


def git(*args, **kw):
    return subprocess.run(["git", "-C", repo, *args], check=True, **kw)


head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], check=True,
                      capture_output=True, text=True).stdout.strip()
out = []
when = 1767225600  # 2026-01-01
counts = {}
for i in range(1, commits + 1):
    when += 60
    if i % 10 == 0:
        name = rng.choice(hot) if rng.random() < 0.5 else rng.choice(names)
        counts[name] = counts.get(name, 0) + 1
        text = text_of(name)
        text = re.sub(r"^priority: \d", f"priority: {rng.randint(0, 4)}", text, count=1, flags=re.M)
        text = re.sub(r"^status: \w+", "status: " + rng.choice(["open", "in_progress", "closed"]),
                      text, count=1, flags=re.M)
        texts[name] = text
        path, data, msg = f".issues/{name}", text, f"yit: edit {name[:-5]}"
    else:
        path = f"src/file{i % 50}.txt"
        data, msg = f"line {i}\n", f"change {i}"
    blob = data.encode()
    out.append(f"commit refs/heads/main\ncommitter Bench <bench@example.com> {when} +0000\n"
               f"data {len(msg.encode())}\n{msg}\n")
    if i == 1:
        out.append(f"from {head}\n")
    out.append(f"M 100644 inline {path}\ndata {len(blob)}\n")
    out.append(data)
    out.append("\n")
stream = "".join(out).encode()
git("fast-import", "--quiet", input=stream)
git("checkout", "-q", "-f", "main")
refs = "".join(f"create refs/heads/branch{b:03d} main~{(b * 37) % commits}\n" for b in range(branches))
git("update-ref", "--stdin", input=refs.encode())
print(max(counts, key=counts.get)[:-5])
