#!/usr/bin/env bash
# The benchmark: release build, generated trackers of 1,000 and 10,000
# issues, hyperfine timings. Prints a Markdown table of medians; the figures
# in docs/performance.md come from this script.
#
#   scripts/bench.sh            # N = 1000 and 10000
#   scripts/bench.sh 1000       # one size only
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y -qq hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
  else
    echo "bench.sh needs hyperfine: sudo apt-get install hyperfine" >&2
    exit 1
  fi
fi

cargo build --release --quiet
yit="$PWD/target/release/yit"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
work=$(mktemp -d /tmp/yit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work"
results="$work/results.md"
echo "| issues | command | median | mean ± σ | runs |" > "$results"
echo "|---:|---|---:|---:|---:|" >> "$results"

bench() { # name, size, runs, command...
  local name=$1 size=$2 runs=$3; shift 3
  hyperfine --style none --warmup 3 --runs "$runs" -N --export-json "$work/h.json" "$@" >/dev/null 2>&1 \
    || hyperfine --style none --warmup 3 --runs "$runs" --export-json "$work/h.json" "$@" >/dev/null
  python3 - "$work/h.json" "$name" "$size" "$runs" >> "$results" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
ms = lambda s: f"{s * 1000:.1f} ms"
print(f"| {int(sys.argv[3]):,} | `{sys.argv[2]}` | {ms(r['median'])} | {ms(r['mean'])} ± {ms(r['stddev'] or 0)} | {sys.argv[4]} |")
PY
}

for n in "${sizes[@]}"; do
  repo="$work/repo-$n"
  mkdir -p "$repo"
  git -C "$repo" init -q
  (cd "$repo" && "$yit" init -q)
  python3 scripts/gen_issues.py "$repo" "$n"
  (cd "$repo" && "$yit" doctor -q) || { echo "generated tracker of $n is not valid" >&2; exit 1; }
  id=$(cd "$repo" && "$yit" list --format ids --limit 1)
  cd "$repo"
  bench "yit list > /dev/null" "$n" 30 "$yit list --color never --format table"
  bench "yit list --limit 50" "$n" 30 "$yit list --limit 50"
  bench "yit list --label bug" "$n" 30 "$yit list --label bug"
  bench "yit list --json > /dev/null" "$n" 20 "$yit list --json"
  bench "yit show ID" "$n" 50 "$yit show $id"
  bench "yit new TITLE --body ..." "$n" 100 "$yit new 'Benchmark issue with a title of nine words' --label perf --body 'A short body for the benchmark.'"
  cd - >/dev/null
done
cat "$results"
