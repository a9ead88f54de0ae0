#!/usr/bin/env python3
"""Writes N realistic issue files straight into <repo>/.issues for benchmarks.

Titles of 5-12 words, bodies of 50-400 words in paragraphs, 0-3 labels,
about 80% open; 1% of the bodies have the word "zeppelin" (the benchmark's
rare word), chosen by a second generator so that the rest is unchanged;
links from a third: about 10% of the issues wait for one or two earlier
ones and 5% have an earlier one as their parent (so no cycle). The files are in yit's canonical form; bench.sh runs
`yit doctor` on the result, so a generator bug cannot go unnoticed.
Deterministic for a given N and seed.

With `--beads FILE`, the same issues are also written as beads JSONL
(`.beads/issues.jsonl` as beads_rust 0.7 exports it, ids `bd-<yit id>`: description,
issue_type, labels, assignee, created_by, and links as `dependencies` of
type `blocks` and `parent-child`), for scripts/bench_br.sh.

    gen_issues.py REPO N [SEED] [--beads FILE]
"""
import json
import os
import random
import sys

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
WORDS = (
    "crash panic error fails build test index daemon lock file merge branch commit "
    "config status label user issue repo cache query list show parse yaml json "
    "slow fast memory leak handle thread socket timeout retry network disk path "
    "unicode emoji title body comment author editor terminal color width table "
    "release version upgrade docs example review deploy flaky windows linux mac "
    "the a of to in and on for with when after before while it is not does"
).split()
LABELS = ["bug", "crash", "ui", "docs", "perf", "good-first-issue", "regression", "security", "windows"]
STATUSES = ["open"] * 7 + ["in_progress"] + ["closed"] * 2
TYPES = ["bug", "feature", "task", "chore"]
PEOPLE = ["Ann Lee <ann@example.com>", "Bob Stone <bob@example.com>", "Chen Wu <chen@example.com>"]


def words(rng, lo, hi):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def main():
    args = sys.argv[1:]
    beads = None
    if "--beads" in args:
        at = args.index("--beads")
        beads = open(args[at + 1], "w", encoding="utf-8")
        del args[at:at + 2]
    repo, n = args[0], int(args[1])
    seed = int(args[2]) if len(args) > 2 else 1
    rng = random.Random(seed * 1_000_003 + n)
    rare = random.Random(seed * 7 + n)
    links = random.Random(seed * 31 + n)
    out = os.path.join(repo, ".issues")
    made = []
    for i in range(n):
        ident = "".join(rng.choice(ALPHABET) for _ in range(10))
        title = words(rng, 5, 12).capitalize()
        total = rng.randint(50, 400)
        paragraphs = []
        while total > 0:
            k = min(total, rng.randint(20, 80))
            paragraphs.append(words(rng, k, k).capitalize() + ".")
            total -= k
        if rare.random() < 0.01:
            paragraphs.append("Seen with the Zeppelin build.")
        body = "\n\n".join(paragraphs) + "\n"
        labels = rng.sample(LABELS, rng.randint(0, 3))
        created = 1767225600 + i * 60  # 2026-01-01 onwards
        stamp = lambda t: __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(t))
        depends, parent = [], None
        if made and links.random() < 0.10:
            depends = sorted(set(links.choice(made) for _ in range(links.randint(1, 2))))
        if made and links.random() < 0.05:
            parent = links.choice(made)
        made.append(ident)
        status, priority, kind = rng.choice(STATUSES), rng.randint(0, 4), rng.choice(TYPES)
        assignee = rng.choice(PEOPLE) if rng.random() < 0.3 else None
        author = rng.choice(PEOPLE)
        updated = created + rng.randint(0, 86400)
        lines = [
            f"id: {ident}",
            f"title: {json.dumps(title)}",
            f"status: {status}",
            f"priority: {priority}",
            f"type: {kind}",
            "labels: []" if not labels else "labels:\n" + "\n".join(f"  - {l}" for l in labels),
            f"assignee: {json.dumps(assignee) if assignee else 'null'}",
            f"author: {json.dumps(author)}",
            f'created: "{stamp(created)}"',
            f'updated: "{stamp(updated)}"',
            "body: |\n" + "\n".join(("  " + l) if l else "" for l in body.rstrip("\n").split("\n")),
            "comments: []",
        ]
        if parent:
            lines.append(f"parent: {parent}")
        if depends:
            lines.append("depends_on:\n" + "\n".join(f"  - {d}" for d in depends))
        if beads:
            beads_status = {"open": "open", "in_progress": "in_progress", "closed": "closed"}[status]
            record = {
                "id": f"bd-{ident}", "title": title, "description": body, "status": beads_status,
                "priority": priority, "issue_type": kind, "created_at": stamp(created),
                "created_by": author, "updated_at": stamp(updated),
            }
            if status == "closed":
                record["closed_at"] = stamp(updated)
            if assignee:
                record["assignee"] = assignee
            if labels:
                record["labels"] = labels
            deps = [(d, "blocks") for d in depends] + ([(parent, "parent-child")] if parent else [])
            if deps:
                record["dependencies"] = [
                    {"issue_id": f"bd-{ident}", "depends_on_id": f"bd-{d}", "type": t, "created_at": stamp(created),
                     "created_by": author, "metadata": "{}", "thread_id": ""}
                    for d, t in deps
                ]
            beads.write(json.dumps(record, ensure_ascii=False) + "\n")
        path = os.path.join(out, ident + ".yaml")
        with open(path, "x", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
