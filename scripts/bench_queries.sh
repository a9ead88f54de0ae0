#!/usr/bin/env bash
# Query benchmarks (issue 6): the query language, search, ready and board,
# from the index without a daemon and through the daemon, on generated
# trackers (scripts/gen_issues.py: 1% of bodies hold the word "zeppelin").
# Release build, hyperfine medians; prints a Markdown table.
#
#   scripts/bench_queries.sh               # N = 10000 and 100000
#   scripts/bench_queries.sh 10000
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench_queries.sh needs hyperfine" >&2; exit 1; }

cargo build --release --quiet
yit="$PWD/target/release/yit"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
work=$(mktemp -d /tmp/yit-bench-q.XXXXXX)
trap '"$yit" daemon gc --all --under "$work" >/dev/null 2>&1; rm -rf "$work"' EXIT
# no daemon starts by itself (yit.autostart's default at 5,000 issues):
# the rows that measure one start it
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=yit.autostart GIT_CONFIG_VALUE_0=false
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work" YIT_PAGER=""
results="$work/results.md"
echo "| issues | command | median | mean ± σ | runs |" > "$results"
echo "|---:|---|---:|---:|---:|" >> "$results"

source scripts/bench_lib.sh

queries=(
  "list label:bug priority:<=1"
  "list status:open -label:docs updated:<30d"
  "list zeppelin"
  "search zeppelin"
  "ready"
  "board"
)

run_queries() { # size, runs, name prefix
  for q in "${queries[@]}"; do
    read -r -a words <<< "$q"
    # (a query is one argument, as a shell would pass it quoted)
    cmd=("$yit" "${words[0]}")
    [ ${#words[@]} -le 1 ] || cmd+=("${q#* }")
    bench "$3yit $q" "$1" "$2" "$(printf '%q ' "${cmd[@]}")"
  done
}

for n in "${sizes[@]}"; do
  repo=$(make_tracker "$n")
  # some dependencies: every tenth issue waits for the next one
  python3 - "$repo" <<'PY'
import os, sys
d = os.path.join(sys.argv[1], ".issues")
names = sorted(f for f in os.listdir(d) if f != "config.yaml" and f.endswith(".yaml"))
for i in range(0, len(names) - 1, 10):
    with open(os.path.join(d, names[i]), "a") as f:
        f.write(f"depends_on: [{names[i + 1][:-5]}]\n")
PY
  (cd "$repo" && "$yit" doctor -q) || { echo "generated tracker of $n is not valid" >&2; exit 1; }
  runs=30
  [ "$n" -lt 100000 ] || runs=10
  (cd "$repo" && "$yit" list >/dev/null && "$yit" search zeppelin >/dev/null)
  # (benchmarks run in the tracker; bench_lib.sh writes to $work)
  cd "$repo"
  run_queries "$n" "$runs" ""
  "$yit" daemon start --idle-timeout 600 >/dev/null
  run_queries "$n" "$runs" "daemon: "
  "$yit" daemon stop >/dev/null
  cd - >/dev/null
done
cat "$results"
