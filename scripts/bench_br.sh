#!/usr/bin/env bash
# yit and beads_rust (`br`, SQLite) side by side, in one run: the same
# generated issues (scripts/gen_issues.py, with links) in both, each read
# and write timed by one hyperfine call holding both commands, so that
# both see the same machine at the same moment. Release build of yit;
# installs nothing: give it a `br` binary.
#
#   scripts/bench_br.sh BR [SIZES...]      # default sizes 1000 10000 100000
#
# br 0.7.6 installs with
#   cargo +nightly install beads_rust --version 0.7.6 --locked --no-default-features
# (its lock file needs a newer rustc than stable; ~16 minutes on 2 cores).
# Prints a Markdown table of medians (the figures of docs/performance.md,
# "yit and br side by side").
set -euo pipefail
cd "$(dirname "$0")/.."
br=${1:?usage: scripts/bench_br.sh BR [SIZES...]}
br=$(realpath "$br")
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
command -v hyperfine >/dev/null || { echo "bench_br.sh needs hyperfine: sudo apt-get install hyperfine" >&2; exit 1; }
"$br" --version >/dev/null || { echo "$br does not run" >&2; exit 1; }

cargo build --release --quiet
yit="$PWD/target/release/yit"
work=$(mktemp -d /tmp/yit-bench-br.XXXXXX)
# (the rows measured so far are printed even when a later one fails)
trap '"$yit" daemon gc --all --under "$work" >/dev/null 2>&1; cat "$work/table.md" 2>/dev/null; rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work"
# the daemon rows start one; the others must not get one by themselves
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=yit.autostart GIT_CONFIG_VALUE_0=false

table="$work/table.md"
echo "| issues | command | yit | br | br/yit |" > "$table"
echo "|---:|---|---:|---:|---:|" >> "$table"

pair() { # name size runs yit-command br-command: one row, both medians
  local name=$1 size=$2 runs=$3
  echo "row: $name ($size)" >&2
  hyperfine --style none --warmup 3 --runs "$runs" -N "${prepare[@]}" \
    --export-json "$work/h.json" "$4" "$5" >/dev/null
  python3 - "$work/h.json" "$name" "$size" >> "$table" <<'PY'
import json, statistics, sys
yit, br = (statistics.median(r["times"]) * 1000 for r in json.load(open(sys.argv[1]))["results"])
print(f"| {int(sys.argv[3]):,} | {sys.argv[2]} | {yit:.1f} ms | {br:.1f} ms | {br / yit:.1f}× |")
PY
}

for n in "${sizes[@]}"; do
  # trackers made by an earlier run may be given (BENCH_BR_REPOS/repo-N,
  # both trackers in it): br's import of 100,000 issues takes many minutes
  repo="${BENCH_BR_REPOS:-$work}/repo-$n"
  made=false
  if [ ! -e "$repo/.beads/beads.db" ]; then
    made=true
    mkdir -p "$repo"
    git -C "$repo" init -q
    (cd "$repo" && "$yit" init -q)
    python3 scripts/gen_issues.py "$repo" "$n" --beads "$work/issues-$n.jsonl"
    (cd "$repo" && "$br" init --prefix bd >/dev/null 2>&1)
    cp "$work/issues-$n.jsonl" "$repo/.beads/issues.jsonl"
    (cd "$repo" && "$br" sync --import-only >/dev/null) || { echo "br could not import $n issues" >&2; exit 1; }
  fi
  cd "$repo"
  "$yit" doctor -q || { echo "generated tracker of $n is not valid" >&2; exit 1; }
  count=$("$br" count --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
  [ "$count" != 0 ] || { echo "br holds no issue of the $n" >&2; exit 1; }
  # an issue with what `show` lists around it (the parent with the most
  # children; br sums up an epic's children), and one without links
  id=$(grep -rh --include='*.yaml' '^parent: ' .issues | sort | uniq -c | sort -rn | awk 'NR == 1 {print $3}')
  plain=$(python3 - <<'PY'
import os, re
named, free = set(), []
for name in sorted(os.listdir(".issues")):
    if name == "config.yaml" or not name.endswith(".yaml"):
        continue
    text = open(os.path.join(".issues", name)).read()
    links = re.findall(r"^parent: (\S+)|^  - ([0-9a-z]{10})$", text, re.M)
    named.update(x for pair in links for x in pair if x)
    if not re.search(r"^(parent|depends_on):", text, re.M):
        free.append(name[:-5])
print(next(i for i in free if i not in named))
PY
)
  runs=20 writes=30
  [ "$n" -lt 100000 ] || { runs=10; writes=10; }
  prepare=()
  pair '`--version`' "$n" 100 "$yit --version" "$br --version"
  pair '`show ID`, no daemon' "$n" "$runs" "$yit show $plain" "$br show bd-$plain"
  pair '`show ID` of a parent, no daemon' "$n" "$runs" "$yit show $id" "$br show bd-$id"
  pair '`list`, no daemon' "$n" "$runs" "$yit list" "$br list"
  pair '`search WORD`, no daemon' "$n" "$runs" "$yit search zeppelin" "$br search zeppelin"
  pair '`ready`, no daemon' "$n" "$runs" "$yit ready" "$br ready"
  pair '`new TITLE`, no daemon' "$n" "$writes" \
    "$yit new 'Benchmark issue with a title of nine words' -q" \
    "$br q 'Benchmark issue with a title of nine words'"
  # a close of the same open issue without links each run (br refuses to
  # close an issue that waits for open ones), put back before the next
  put_back="cp $work/victim.yaml .issues/$plain.yaml && $br reopen bd-$plain >/dev/null 2>&1; sync"
  cp ".issues/$plain.yaml" "$work/victim.yaml"
  prepare=(--prepare "sh -c '$put_back'")
  pair '`close ID`, no daemon' "$n" "$writes" "$yit close $plain -q" "$br close bd-$plain"
  sh -c "$put_back"
  prepare=()
  "$yit" daemon start --idle-timeout 3600 >/dev/null
  pair '`show ID`, daemon' "$n" "$runs" "$yit show $plain" "$br show bd-$plain"
  pair '`show ID` of a parent, daemon' "$n" "$runs" "$yit show $id" "$br show bd-$id"
  pair '`list`, daemon' "$n" "$runs" "$yit list" "$br list"
  pair '`search WORD`, daemon' "$n" "$runs" "$yit search zeppelin" "$br search zeppelin"
  pair '`ready`, daemon' "$n" "$runs" "$yit ready" "$br ready"
  "$yit" daemon stop >/dev/null
  cd - >/dev/null
  [ "$made" = false ] || rm -rf "$repo"
done
