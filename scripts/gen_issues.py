#!/usr/bin/env python3
"""Writes N realistic issue files straight into <repo>/.issues for benchmarks.

Titles of 5-12 words, bodies of 50-400 words in paragraphs, 0-3 labels,
about 80% open; 1% of the bodies have the word "zeppelin" (the benchmark's
rare word), chosen by a second generator so that the rest is unchanged. The files are in yit's canonical form; bench.sh runs
`yit doctor` on the result, so a generator bug cannot go unnoticed.
Deterministic for a given N and seed.
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
    repo, n = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = random.Random(seed * 1_000_003 + n)
    rare = random.Random(seed * 7 + n)
    out = os.path.join(repo, ".issues")
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
        lines = [
            f"id: {ident}",
            f"title: {json.dumps(title)}",
            f"status: {rng.choice(STATUSES)}",
            f"priority: {rng.randint(0, 4)}",
            f"type: {rng.choice(TYPES)}",
            "labels: []" if not labels else "labels:\n" + "\n".join(f"  - {l}" for l in labels),
            f"assignee: {json.dumps(rng.choice(PEOPLE)) if rng.random() < 0.3 else 'null'}",
            f"author: {json.dumps(rng.choice(PEOPLE))}",
            f'created: "{stamp(created)}"',
            f'updated: "{stamp(created + rng.randint(0, 86400))}"',
            "body: |\n" + "\n".join(("  " + l) if l else "" for l in body.rstrip("\n").split("\n")),
            "comments: []",
        ]
        path = os.path.join(out, ident + ".yaml")
        with open(path, "x", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
