#!/usr/bin/env bash
# Same-hour comparison of two builds: an earlier revision against the
# working tree, release builds, in one generated tracker, in alternating
# rounds (before, after, before, after) so that the machine's drift between
# rounds shows in both columns. Prints a Markdown table of hyperfine medians,
# one figure per round.
#
#   scripts/bench_compare.sh REV            # 10,000 issues, 2 rounds
#   scripts/bench_compare.sh REV 1000 3     # size, rounds
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/bench_compare.sh REV [ISSUES] [ROUNDS]" >&2; exit 2; }
rev=$(git rev-parse --short "$1")
n=${2:-10000}
rounds=${3:-2}
command -v hyperfine >/dev/null || { echo "needs hyperfine: sudo apt-get install hyperfine" >&2; exit 1; }

# the earlier revision is built once in its own worktree and target
# directory, kept under target/ for the next comparison
old_tree="$PWD/target/compare/$rev"
if [ ! -x "$old_tree/target/release/yit" ]; then
  git worktree remove --force "$old_tree/src" 2>/dev/null || true
  git worktree add -q --detach "$old_tree/src" "$rev"
  CARGO_TARGET_DIR="$old_tree/target" cargo build --release --quiet --manifest-path "$old_tree/src/Cargo.toml"
  git worktree remove --force "$old_tree/src"
fi
cargo build --release --quiet
before="$old_tree/target/release/yit"
after="$PWD/target/release/yit"

work=$(mktemp -d /tmp/yit-compare.XXXXXX)
trap '"$after" daemon gc --all --under "$work" >/dev/null 2>&1; rm -rf "$work"' EXIT
# no daemon starts by itself (yit.autostart's default at 5,000 issues):
# the rows that measure one start it
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=yit.autostart GIT_CONFIG_VALUE_0=false
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com" GIT_CONFIG_NOSYSTEM=1 HOME="$work"
yit=$after
results="$work/unused.md"
source scripts/bench_lib.sh
repo=$(make_tracker "$n")
cd "$repo"
id=$("$after" list --format ids --limit 1)
cp ".issues/$id.yaml" "$work/original.yaml"
restore="sh -c 'cp $work/original.yaml .issues/$id.yaml && sync'"
# eight issues changed at once (journaled): their files put back each run
eight=$("$after" list --format ids --limit 8 | tr '\n' ' ')
mkdir -p "$work/eight"
for i in $eight; do cp ".issues/$i.yaml" "$work/eight/"; done
restore8="sh -c 'cp $work/eight/*.yaml .issues/ && sync'"

median() { # runs, prepare, command: prints hyperfine's median in ms
  local runs=$1 prepare=$2; shift 2
  local args=()
  [ -z "$prepare" ] || args=(--prepare "$prepare")
  hyperfine --style none --warmup 3 --runs "$runs" -N "${args[@]}" --export-json "$work/h.json" "$*" >/dev/null
  python3 -c 'import json,sys; m = json.load(open(sys.argv[1]))["results"][0]["median"]; print("%.1f" % (m * 1000))' "$work/h.json"
}

rows=(
  "list --limit 50 (index)|20||list --limit 50"
  "list > /dev/null (index)|20||list --color never"
  "list --limit 50 --no-index|10||list --limit 50 --no-index"
  "show ID (index)|20||show $id"
  "edit ID --priority 0 (no daemon)|20|$restore|edit $id --priority 0 --status in_progress"
  "list --json > /dev/null (index)|20||list --json"
  "search crash --limit 20 (index)|20||search crash --limit 20"
  "label add 8 IDs (no daemon)|20|$restore8|label add $eight bench-label"
  "daemon: list --limit 50|20||list --limit 50"
  "daemon: list > /dev/null|20||list --color never"
  "daemon: show ID|20||show $id"
  "daemon: edit PREFIX --priority 0|20|$restore|edit ${id:0:6} --priority 0 --status in_progress"
  "daemon: search crash --limit 20|20||search crash --limit 20"
)
declare -A cell
for round in $(seq "$rounds"); do
  for side in before after; do
    bin=${!side}
    rm -rf .git/yit/index
    "$bin" list >/dev/null
    for row in "${rows[@]}"; do
      IFS='|' read -r name runs prepare args <<<"$row"
      if [[ $name == daemon:* ]] && ! "$bin" daemon status -q >/dev/null 2>&1; then
        "$bin" daemon start --idle-timeout 600 >/dev/null
      fi
      # shellcheck disable=SC2086 # the row's arguments are words
      m=$(median "$runs" "$prepare" "$bin" $args)
      cell["$name|$side"]="${cell["$name|$side"]:+${cell["$name|$side"]}, }$m"
    done
    "$bin" daemon stop >/dev/null 2>&1 || true
  done
done
echo "$n issues, $rounds rounds, medians in ms ($rev against the working tree)"
echo
echo "| command | before ($rev) | after |"
echo "|---|---:|---:|"
for row in "${rows[@]}"; do
  name=${row%%|*}
  echo "| \`$name\` | ${cell["$name|before"]} | ${cell["$name|after"]} |"
done
