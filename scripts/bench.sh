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
# no daemon outlives the benchmark, even when it fails halfway
trap '"$yit" daemon gc --all --under "$work" >/dev/null 2>&1; rm -rf "$work"' EXIT
# no daemon starts by itself (yit.autostart's default at 5,000 issues):
# the rows that measure one start it
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=yit.autostart GIT_CONFIG_VALUE_0=false
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work"
results="$work/results.md"
echo "| issues | command | median | mean ± σ | runs |" > "$results"
echo "|---:|---|---:|---:|---:|" >> "$results"

source scripts/bench_lib.sh

for n in "${sizes[@]}"; do
  repo=$(make_tracker "$n")
  (cd "$repo" && "$yit" doctor -q) || { echo "generated tracker of $n is not valid" >&2; exit 1; }
  id=$(cd "$repo" && "$yit" list --format ids --limit 1)
  runs=30 edits=100 cold=10
  [ "$n" -lt 100000 ] || { runs=5; edits=10; cold=3; }
  cd "$repo"
  # through the index (warm: built by the first run), and parsing every file
  "$yit" list >/dev/null
  bench "yit list > /dev/null" "$n" "$runs" "$yit list --color never --format table"
  bench "yit list --limit 50" "$n" "$runs" "$yit list --limit 50"
  bench "yit list --label bug" "$n" "$runs" "$yit list --label bug"
  bench "yit list --json > /dev/null" "$n" "$runs" "$yit list --json"
  bench "yit list --no-index > /dev/null" "$n" "$runs" "$yit list --no-index"
  bench "yit list --limit 50 --no-index" "$n" "$runs" "$yit list --limit 50 --no-index"
  PREPARE="rm -rf .git/yit/index" bench "yit list --limit 50 (cold: index rebuilt)" "$n" "$cold" "$yit list --limit 50"
  bench "yit show ID" "$n" "$runs" "$yit show $id"
  bench "yit new TITLE --body ..." "$n" "$edits" "$yit new 'Benchmark issue with a title of nine words' --label perf --body 'A short body for the benchmark.'"
  # editing commands on one issue, by full id (as scripts pass it) and by
  # a short prefix (as people type it); --prepare puts the original file
  # back before every run, so every run changes the issue the same way
  short=${id:0:6}
  cp ".issues/$id.yaml" "$work/original.yaml"
  # (sync, so that the copy is not flushed by the timed command's fsync)
  restore="sh -c 'cp $work/original.yaml .issues/$id.yaml && sync'"
  PREPARE=$restore bench "yit edit ID --priority 0" "$n" "$edits" "$yit edit $id --priority 0 --status in_progress"
  PREPARE=$restore bench "yit edit PREFIX --priority 0" "$n" "$edits" "$yit edit $short --priority 0 --status in_progress"
  PREPARE=$restore bench "yit close ID" "$n" "$edits" "$yit close $id --as closed"
  PREPARE=$restore bench "yit label add ID LABEL" "$n" "$edits" "$yit label add $id benchmark"
  PREPARE=$restore bench "yit comment ID TEXT" "$n" "$edits" "$yit comment $id 'A comment from the benchmark'"
  # through the daemon
  "$yit" daemon start --idle-timeout 600 >/dev/null
  bench "daemon: yit list --limit 50" "$n" "$runs" "$yit list --limit 50"
  bench "daemon: yit list > /dev/null" "$n" "$runs" "$yit list --color never"
  bench "daemon: yit list --label bug" "$n" "$runs" "$yit list --label bug"
  bench "daemon: yit list --json > /dev/null" "$n" "$runs" "$yit list --json"
  bench "daemon: yit show ID" "$n" "$runs" "$yit show $id"
  PREPARE=$restore bench "daemon: yit edit ID --priority 0" "$n" "$edits" "$yit edit $id --priority 0 --status in_progress"
  PREPARE=$restore bench "daemon: yit close ID" "$n" "$edits" "$yit close $id --as closed"
  PREPARE=$restore bench "daemon: yit label add ID LABEL" "$n" "$edits" "$yit label add $id benchmark"
  PREPARE=$restore bench "daemon: yit comment ID TEXT" "$n" "$edits" "$yit comment $id 'A comment from the benchmark'"
  bench "daemon: yit new TITLE --body ..." "$n" "$edits" "$yit new 'Benchmark issue with a title of nine words' --label perf --body 'A short body for the benchmark.'"
  # memory: resident (what status reports; includes the binary's code
  # pages, shared with every yit process) and private (the daemon's own
  # heap and stacks), against the issue files
  pid=$("$yit" daemon status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["daemon"]["pid"])')
  files=$(du -sb --exclude=config.yaml .issues | cut -f1)
  python3 - "$pid" "$files" "$n" >> "$results" <<'PY'
import sys
pid, files, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
kb = {}
for line in open(f"/proc/{pid}/smaps_rollup"):
    parts = line.split()
    if len(parts) == 3 and parts[2] == "kB":
        kb[parts[0].rstrip(":")] = int(parts[1]) * 1024
mib = lambda b: f"{b / 1048576:.1f} MiB"
rss, private = kb["Rss"], kb["Anonymous"]
print(f"| {n:,} | daemon memory: resident / private / issue files | {mib(rss)} ({rss / files:.1f}×) / {mib(private)} ({private / files:.1f}×) / {mib(files)} | | |")
PY
  "$yit" daemon stop >/dev/null
  latency=$(python3 "$OLDPWD/scripts/watch_latency.py" "$yit" "$repo")
  echo "| ${n} | rename to \`yit watch\` event | ${latency} | | 50 |" >> "$results"
  cd - >/dev/null
done
cat "$results"
