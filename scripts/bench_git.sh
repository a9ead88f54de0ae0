#!/usr/bin/env bash
# The git benchmark: 10,000 issues and 10,000 commits (one in ten touching
# .issues, by `git fast-import`), 200 local branches; times `log`,
# `list --at`, `diff`, `merge-file` and `branches` (release build,
# hyperfine medians). Prints a Markdown table; docs/performance.md has it.
#
#   scripts/bench_git.sh [ISSUES] [COMMITS] [BRANCHES]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench_git.sh needs hyperfine (see scripts/bench.sh)" >&2; exit 1; }
n=${1:-10000} commits=${2:-10000} branches=${3:-200}
cargo build --release --quiet
yit="$PWD/target/release/yit"
work=$(mktemp -d /tmp/yit-bench-git.XXXXXX)
trap 'rm -rf "$work"' EXIT
# no daemon starts by itself (yit.autostart's default at 5,000 issues):
# the rows that measure one start it
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=yit.autostart GIT_CONFIG_VALUE_0=false
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_COMMITTER_NAME="Bench" \
  GIT_COMMITTER_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work"
repo="$work/repo"
mkdir -p "$repo"
git -C "$repo" init -q -b main
(cd "$repo" && "$yit" init -q)
python3 scripts/gen_issues.py "$repo" "$n"
git -C "$repo" add -A
git -C "$repo" commit -qm "the issues"
hot=$(python3 scripts/gen_history.py "$repo" "$commits" "$branches")
cd "$repo"
# three versions of one issue for merge-file: priority on one side,
# status and a label on the other
file=".issues/$hot.yaml"
cp "$file" "$work/base.yaml"
sed 's/^priority: [0-9]/priority: 0/' "$file" > "$work/ours.yaml"
sed 's/^status: [a-z_]*/status: closed/; s/^labels: \[\]/labels: [fixed]/' "$file" > "$work/theirs.yaml"
results="$work/results.md"
echo "| command | median | runs |" > "$results"
echo "|---|---:|---:|" >> "$results"
bench() { # name, runs, command
  local name=$1 runs=$2; shift 2
  local prepare=()
  [ -z "${PREPARE:-}" ] || prepare=(--prepare "$PREPARE")
  hyperfine --style none --warmup 1 --runs "$runs" -N "${prepare[@]}" --export-json "$work/h.json" "$@" >/dev/null
  python3 - "$work/h.json" "$name" "$runs" >> "$results" <<'PY'
import json, statistics, sys
times = json.load(open(sys.argv[1]))["results"][0]["times"]
print(f"| `{sys.argv[2]}` | {statistics.median(times) * 1000:.1f} ms | {sys.argv[3]} |")
PY
}
count=$("$yit" log "$hot" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["commits"]))')
PREPARE="sh -c 'rm -f .git/yit/history.v*'" bench "yit log ID, first run ($count commits; builds the history cache)" 3 "$yit log $hot"
bench "yit log ID, cached" 10 "$yit log $hot"
bench "yit list --at HEAD~100 --limit 50" 10 "$yit list --at HEAD~100 --limit 50"
bench "yit diff HEAD~100 HEAD" 10 "$yit diff HEAD~100 HEAD"
PREPARE="cp $work/ours.yaml $work/result.yaml" bench "yit merge-file BASE OURS THEIRS" 30 \
  "$yit merge-file $work/base.yaml $work/result.yaml $work/theirs.yaml $file"
bench "yit branches ($branches branches)" 5 "$yit branches"
echo "$n issues, $commits commits, $branches branches"
cat "$results"
