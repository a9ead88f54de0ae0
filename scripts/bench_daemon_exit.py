#!/usr/bin/env python3
"""Exit latency of the daemon for each fault: the time from the fault to the
process being gone (polled every 0.5 ms), median and max of N runs.

Usage: scripts/bench_daemon_exit.py YIT_BINARY [RUNS]   (see bench_daemon_exit.sh)
"""
import os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

yit = os.path.abspath(sys.argv[1])
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
env = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com", YIT_LOG="off")
env.pop("YIT_LIFELINE_FD", None)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def start(repo, args=(), pass_fds=(), extra_env=None):
    owner = [] if "--exit-with-pid" in args else ["--exit-with-pid", str(os.getpid())]
    out = subprocess.run([yit, "-C", repo, "daemon", "start", *owner, *args],
                         env=dict(env, **(extra_env or {})), pass_fds=pass_fds,
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().removeprefix("started the daemon (pid ").rstrip(")"))


def one(fault, top):
    repo = os.path.join(top, "repo")
    os.makedirs(repo)
    subprocess.run(["git", "init", "-q", repo], env=env, check=True)
    subprocess.run([yit, "-C", repo, "init", "-q"], env=env, check=True)
    subprocess.run([yit, "-C", repo, "new", "-q", "Bench"], env=env, check=True, stdout=subprocess.DEVNULL)
    state = os.path.join(repo, ".git", "yit")
    keep = []
    if fault == "owner exits":
        owner = subprocess.Popen(["sleep", "60"])
        pid = start(repo, ["--exit-with-pid", str(owner.pid)])
    elif fault == "lifeline closes":
        r, w = os.pipe()
        os.set_inheritable(r, True)
        pid = start(repo, pass_fds=(r,), extra_env={"YIT_LIFELINE_FD": str(r)})
        os.close(r)
    elif fault == "idle timeout":
        pid = start(repo, ["--idle-timeout", "0.2"])
    else:
        pid = start(repo)
    time.sleep(0.05)
    t = time.monotonic()
    if fault == "rm -rf repository": shutil.rmtree(repo)
    elif fault == "rm -rf .git": shutil.rmtree(os.path.join(repo, ".git"))
    elif fault == "rm -rf .git/yit": shutil.rmtree(state)
    elif fault == "socket removed": os.remove(os.path.join(state, "daemon.sock"))
    elif fault == "socket replaced":
        os.remove(os.path.join(state, "daemon.sock"))
        open(os.path.join(state, "daemon.sock"), "w").close()
    elif fault == "repository moved": os.rename(repo, os.path.join(top, "moved"))
    elif fault == ".issues removed": shutil.rmtree(os.path.join(repo, ".issues"))
    elif fault == "owner exits": owner.kill(); owner.wait()
    elif fault == "lifeline closes": os.close(w)
    elif fault == "idle timeout": t += 0.2 - 0.05  # from the end of the idle time
    elif fault == "SIGTERM": os.kill(pid, signal.SIGTERM)
    elif fault == "SIGINT": os.kill(pid, signal.SIGINT)
    elif fault == "SIGTERM mid-request":
        s = socket.socket(socket.AF_UNIX)
        s.connect(os.path.join(state, "daemon.sock"))
        s.recv(4096)
        s.send(b'{"op":"list","query":{"sta')
        keep.append(s)
        t = time.monotonic()
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.0005)
    took = time.monotonic() - t
    if alive(pid):
        os.kill(pid, signal.SIGKILL)
        raise SystemExit(f"{fault}: the daemon did not exit within 10 s")
    return took


FAULTS = ["rm -rf repository", "rm -rf .git", "rm -rf .git/yit", "socket removed", "socket replaced",
          "repository moved", ".issues removed", "owner exits", "lifeline closes", "idle timeout",
          "SIGTERM", "SIGINT", "SIGTERM mid-request"]
print(f"| fault | median ms | max ms |  ({runs} runs each)")
print("|---|---:|---:|")
for fault in FAULTS:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="yit-bench-exit-") as top:
            times.append(one(fault, top))
    print(f"| {fault} | {statistics.median(times) * 1000:.1f} | {max(times) * 1000:.1f} |", flush=True)
