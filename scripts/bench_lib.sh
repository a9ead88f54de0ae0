# Shared by the benchmark scripts (sourced): one hyperfine run as one row
# of a Markdown table of medians. Needs $work (a scratch directory) and
# $results (the table being written).

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
