#!/usr/bin/env python3
"""Median delay from an editor-style save (write elsewhere, rename over) of
an issue file to its event from `yit watch`, over 50 saves.

    scripts/watch_latency.py YIT REPO
"""
import json
import os
import statistics
import subprocess
import sys
import time

yit, repo = sys.argv[1], sys.argv[2]
issues = os.path.join(repo, ".issues")
name = next(n for n in sorted(os.listdir(issues)) if n.endswith(".yaml") and n != "config.yaml")
path = os.path.join(issues, name)
original = open(path, encoding="utf-8").read()
watch = subprocess.Popen([yit, "watch"], cwd=repo, stdout=subprocess.PIPE, text=True)
try:
    assert json.loads(watch.stdout.readline())["event"] == "ready"
    delays = []
    for n in range(50):
        tmp = os.path.join(issues, ".bench.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            # a change yit sees: the title (a comment alone changes no field)
            f.write(original.replace("title: ", f"title: Save {n} ", 1))
        start = time.monotonic()
        os.rename(tmp, path)
        event = json.loads(watch.stdout.readline())
        delays.append(time.monotonic() - start)
        assert event["event"] == "changed", event
    print(f"{statistics.median(delays) * 1000:.1f} ms (max {max(delays) * 1000:.1f} ms)")
finally:
    watch.kill()
    watch.wait()
    with open(path, "w", encoding="utf-8") as f:
        f.write(original)
