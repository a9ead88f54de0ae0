#!/usr/bin/env bash
# Migration speed (docs/performance.md, "Migration in and out"): importing
# N beads issues (JSONL) into an empty tracker, the same import again
# (nothing changed), a dry run, an export to beads and to Backlog.md, and
# an import of those Backlog.md task files; release build, medians of
# hyperfine runs. The issues are gen_issues.py's (bodies of 50-400 words,
# labels, links), with comments added: 0-3 on most issues, 200 on one in a
# hundred, some naming other issues' ids, some in unicode.
#
#   scripts/bench_migrate.sh [SIZES...]     # default 1000 10000
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench_migrate.sh needs hyperfine" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
cargo build --release --quiet
yit="$PWD/target/release/yit"
work=$(mktemp -d /tmp/yit-bench-migrate.XXXXXX)
trap '"$yit" daemon gc --all --under "$work" >/dev/null 2>&1; rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work"
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=yit.autostart GIT_CONFIG_VALUE_0=false
median() { # runs prepare command: the median in ms (through a shell: the
  # commands run seconds, the shell's millisecond does not count)
  hyperfine --style none --runs "$1" --prepare "$2" --export-json "$work/h.json" "$3" >/dev/null 2>&1
  python3 -c 'import json,statistics,sys; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print("%.0f" % (statistics.median(t) * 1000))' "$work/h.json"
}
echo "| issues | JSONL size | import | again (unchanged) | --dry-run | export --to beads | export --to backlog | import from backlog |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  gen="$work/gen-$n"
  mkdir -p "$gen" && git -C "$gen" init -q && (cd "$gen" && "$yit" init -q)
  python3 scripts/gen_issues.py "$gen" "$n" --beads "$work/plain-$n.jsonl"
  python3 - "$work/plain-$n.jsonl" "$work/issues-$n.jsonl" <<'EOF'
import json, random, sys
rng = random.Random(5)
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
ids = [o["id"] for o in lines]
people = ["alice", "Bob Stone <bob@example.com>", "Zoë Ångström", "陈伟"]
for i, o in enumerate(lines):
    count = 200 if rng.random() < 0.01 else rng.randint(0, 3)
    comments = []
    for c in range(count):
        text = "Looked at this again; " + " ".join(rng.choice(["it", "still", "fails", "on", "café", "naïve", "日本", "the", "build"]) for _ in range(rng.randint(5, 40)))
        if rng.random() < 0.1:
            text += f" Same as {rng.choice(ids)}."
        comments.append({"id": i * 1000 + c + 1, "issue_id": o["id"], "author": rng.choice(people),
                         "text": text, "created_at": o["created_at"]})
    if comments:
        o["comments"] = comments
    if rng.random() < 0.05:
        o["description"] += f"\nSee also {rng.choice(ids)}.\n"
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for o in lines:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
EOF
  source="$work/issues-$n.jsonl"
  size=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) / 1e6:.1f} MB')" "$source")
  # every run imports into a tracker of its own, and none is removed until
  # the end: ext4 makes a file created right after thousands were deleted
  # several times slower (its allocator steps around recently freed
  # inodes), which would time the benchmark's own clean-up
  repo="$work/cur-$n"
  fresh="d=\$(mktemp -d $work/run-$n.XXXXXX) && git -C \$d init -q && (cd \$d && $yit init -q) && ln -sfn \$d $repo"
  runs=5
  first=$(median $runs "$fresh" "cd $repo && $yit import --from beads $source -q")
  again=$(median $runs "true" "cd $repo && $yit import --from beads $source -q")
  dry=$(median $runs "true" "cd $repo && $yit import --from beads $source --dry-run -q")
  out_beads=$(median $runs "true" "cd $repo && $yit export --to beads $work/out-$n.jsonl -q")
  # (an export over its own files replaces them: no new file after the first run)
  out_backlog=$(median $runs "true" "cd $repo && $yit export --to backlog $work/backlog-$n -q 2>/dev/null")
  # the exported task files, imported into a fresh tracker
  other="$work/other-$n"
  fresh_other="d=\$(mktemp -d $work/other-$n.XXXXXX) && git -C \$d init -q && (cd \$d && $yit init -q) && ln -sfn \$d $other"
  in_backlog=$(median $runs "$fresh_other" "cd $other && $yit import --from backlog $work/backlog-$n -q")
  echo "| $n | $size | $first | $again | $dry | $out_beads | $out_backlog | $in_backlog |"
done
