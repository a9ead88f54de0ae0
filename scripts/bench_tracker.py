"""Shared by the Python benchmarks (bench_serve.py, bench_mcp.py): a release
build of yit and a generated tracker of N issues (scripts/gen_issues.py) in a
scratch directory with a hermetic git identity."""
import os, subprocess, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def release_and_tracker(n, prefix):
    """(yit, env, repo, the first issue's id, the scratch directory)."""
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    yit = os.path.join(ROOT, "target/release/yit")
    work = tempfile.mkdtemp(prefix=prefix)
    env = dict(os.environ, HOME=work, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="Bench",
               GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME="Bench",
               GIT_COMMITTER_EMAIL="bench@example.com",
               # no daemon starts by itself: the rows that measure one start it
               GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="yit.autostart", GIT_CONFIG_VALUE_0="false")
    repo = os.path.join(work, "repo")
    os.makedirs(repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run([yit, "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["python3", os.path.join(ROOT, "scripts/gen_issues.py"), repo, str(n)], check=True, env=env)
    issue = subprocess.run([yit, "list", "--format", "ids", "--limit", "1"], cwd=repo, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    return yit, env, repo, issue, work
