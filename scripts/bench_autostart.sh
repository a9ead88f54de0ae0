#!/usr/bin/env bash
# Where the daemon starts paying off: everyday reads with and without it
# at several tracker sizes, and what one start costs (its load, until it
# serves), release build. The default of `yit.autostart` (5,000 issues) was
# chosen from this table (docs/performance.md, "When the daemon starts by
# itself").
#
#   scripts/bench_autostart.sh [SIZES...]     # default 1000 2000 5000 10000
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "bench_autostart.sh needs hyperfine" >&2; exit 1; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 2000 5000 10000)
cargo build --release --quiet
yit="$PWD/target/release/yit"
work=$(mktemp -d /tmp/yit-bench-autostart.XXXXXX)
trap '"$yit" daemon gc --all --under "$work" >/dev/null 2>&1; rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work"
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=yit.autostart GIT_CONFIG_VALUE_0=false
echo "| issues | read | no daemon | daemon | saved |"
echo "|---:|---|---:|---:|---:|"
median() { # command...: the median of 20 runs, in ms
  hyperfine --style none --warmup 3 --runs 20 -N --export-json "$work/h.json" "$*" >/dev/null 2>&1
  python3 -c 'import json,statistics,sys; t=json.load(open(sys.argv[1]))["results"][0]["times"]; print("%.1f" % (statistics.median(t) * 1000))' "$work/h.json"
}
for n in "${sizes[@]}"; do
  repo="$work/repo-$n"
  mkdir -p "$repo" && git -C "$repo" init -q && (cd "$repo" && "$yit" init -q)
  python3 scripts/gen_issues.py "$repo" "$n"
  cd "$repo"
  "$yit" list >/dev/null
  id=$("$yit" list --format ids --limit 1)
  declare -A without=()
  reads=("show $id" "list" "list --limit 50" "search zeppelin" "ready")
  for read in "${reads[@]}"; do without[$read]=$(median "$yit" $read); done
  start=$(python3 -c 'import time; print(time.monotonic())')
  "$yit" daemon start >/dev/null
  load=$(python3 -c "import time; print(f'{(time.monotonic() - $start) * 1000:.0f}')")
  for read in "${reads[@]}"; do
    with=$(median "$yit" $read)
    echo "| ${n} | \`${read/$id/ID}\` | ${without[$read]} ms | $with ms | $(python3 -c "print(f'{${without[$read]} - $with:.1f}')") ms |"
  done
  echo "| ${n} | \`daemon start\` (until it serves) | | $load ms | |"
  "$yit" daemon stop >/dev/null
  unset without
  cd - >/dev/null
done
