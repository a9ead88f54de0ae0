#!/usr/bin/env bash
# The daemon's exit latency per fault (release build); figures in
# docs/performance.md ("Daemon exit latency").
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
python3 scripts/bench_daemon_exit.py target/release/yit "${1:-20}"
