"""`playtomic/` is framework-free: importing it must not pull Django in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import playtomic
import playtomic.client
import playtomic.sandbox.server
assert "playtomic.sandbox.server" in sys.modules
print(sorted(name for name in sys.modules if name == "django" or name.startswith("django.")))
"""


def test_importing_the_client_and_the_sandbox_leaves_django_unloaded():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
