# Shared by the benchmark scripts (sourced): generated trackers, and one
# hyperfine run as one row of a Markdown table of medians. Needs $yit (the
# binary), $work (a scratch directory) and $results (the table being written).

bench() { # name, size, runs, command... (two commands: both timed, as one row)
  local name=$1 size=$2 runs=$3; shift 3
  local prepare=()
  [ -z "${PREPARE:-}" ] || prepare=(--prepare "$PREPARE")
  hyperfine --style none --warmup 3 --runs "$runs" -N "${prepare[@]}" --export-json "$work/h.json" "$@" >/dev/null
  python3 - "$work/h.json" "$name" "$size" >> "$results" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
times = [t for r in results for t in r["times"]]
ms = lambda s: f"{s * 1000:.1f} ms"
sd = statistics.stdev(times) if len(times) > 1 else 0
print(f"| {int(sys.argv[3]):,} | `{sys.argv[2]}` | {ms(statistics.median(times))} | {ms(statistics.mean(times))} ± {ms(sd)} | {len(times)} |")
PY
}

make_tracker() { # size: a generated tracker of that many issues in $work; prints its path
  local repo="$work/repo-$1"
  mkdir -p "$repo"
  git -C "$repo" init -q
  (cd "$repo" && "$yit" init -q)
  python3 scripts/gen_issues.py "$repo" "$1"
  echo "$repo"
}
