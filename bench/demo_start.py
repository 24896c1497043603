"""How soon `make demo` answers, and how it stops: `python -m bench.demo_start`.

Runs `make demo` in its own process group on VAR_DIR (default: a fresh temporary directory, as
a fresh clone has), times from the start to the first HTTP 200 of the login page, optionally
(`--history`) to the end of the history replay, then sends SIGTERM to the group, as a service
manager would, and times until every process has gone. Prints a table and merges
`demo_first_200_s`, `demo_history_s` and `demo_stop_s` into var/bench/results.json. Not part of
`make bench`: it needs ports 8000 and 8800 and a few minutes of both cores.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.common import ROOT, merge_results, print_table

LOGIN = "http://127.0.0.1:8000/accounts/login/"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.demo_start")
    parser.add_argument("--var-dir", default=os.environ.get("VAR_DIR", ""))
    parser.add_argument("--history", action="store_true", help="also wait for the replay")
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args(argv)
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="demo-start-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    log = var_dir / "demo-start.log"
    env = {**os.environ, "VAR_DIR": str(var_dir)}
    env.pop("PLAYTOMIC_BASE_URL", None)
    started = time.monotonic()
    with log.open("w") as out:
        demo = subprocess.Popen(
            ["make", "demo"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    figures: dict[str, float] = {}
    try:
        while not _answers(LOGIN):
            if demo.poll() is not None or time.monotonic() - started > args.timeout:
                raise SystemExit(f"make demo never answered; see {log}")
            time.sleep(0.25)
        figures["demo_first_200_s"] = time.monotonic() - started
        if args.history:
            while "History filled in" not in log.read_text():
                if demo.poll() is not None or time.monotonic() - started > args.timeout:
                    raise SystemExit(f"the history replay did not finish; see {log}")
                time.sleep(1)
            figures["demo_history_s"] = time.monotonic() - started
    finally:
        stopping = time.monotonic()
        os.killpg(demo.pid, signal.SIGTERM)
        # Reap make (the group's leader) as it exits, or its zombie keeps the group "alive".
        while (demo.poll() is None or _group_alive(demo.pid)) and time.monotonic() - stopping < 60:
            time.sleep(0.1)
        stopped = not _group_alive(demo.pid)
        if not stopped:
            ps = ["ps", "-o", "pid,stat,etime,cmd", "-g", str(demo.pid)]
            print(
                "Still running 60 s after SIGTERM:\n"
                + subprocess.run(ps, check=False, capture_output=True, text=True).stdout
            )
            os.killpg(demo.pid, signal.SIGKILL)
        demo.wait()
    figures["demo_stop_s"] = time.monotonic() - stopping
    leftovers = [name for name in ("demo.env", "demo-history.json") if (var_dir / name).exists()]
    rows = [("figure", "seconds")] + [(name, f"{value:.1f}") for name, value in figures.items()]
    print_table(f"make demo on {var_dir} (log: {log})", rows)
    print(f"  stopped cleanly: {stopped}; files left behind: {leftovers or 'none'}")
    merge_results(figures)


if __name__ == "__main__":
    main()
