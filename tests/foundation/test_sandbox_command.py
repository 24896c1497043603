from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from tests.support.sandbox import sandbox_command

ROOT = Path(__file__).resolve().parents[2]


def test_manage_py_sandbox_serves_the_sandbox_and_lists_its_accounts():
    with sandbox_command("--seed", "3", manage_py=True) as (url, output):
        assert "account player@sandbox.test" in output.readline()
        state = requests.get(f"{url}/_sandbox/state", timeout=5).json()
        assert len(state["clubs"]) >= 4


def test_manage_py_sandbox_rejects_a_bad_option_with_a_message():
    result = subprocess.run(
        [sys.executable, "manage.py", "sandbox", "--port", "not-a-port"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "invalid int value" in result.stderr
    assert "Traceback" not in result.stderr


def _sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "sandbox", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_sandbox_explains_out_of_range_options_without_a_traceback():
    for args, message in (
        (["--port", "99999999"], "a port is between 0 and 65535"),
        (["--port", "0", "--speed", "-1"], "must be a positive number"),
        (["--port", "0", "--now", "nope"], "expected a UTC instant"),
        (["--port", "0", "--error-rate", "5"], "a share is between 0 and 1"),
    ):
        result = _sandbox(*args)
        assert result.returncode == 2, args
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_manage_py_sandbox_explains_a_port_in_use():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = _sandbox("--port", str(taken.getsockname()[1]))

    assert result.returncode == 2
    assert "cannot listen on 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr
