"""Production start-up rules, checked in fresh processes as an operator would meet them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "k3y-" + "x9Zq2Lm8Rt5Vw7Yp1Ns4Hd6Jf0Gb3Kc" * 2,
    "ALLOWED_HOSTS": "monitor.example.org",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def _manage(args: list[str], env_overrides: dict[str, str], tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env.update({"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "playtomic_monitor.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS"])
def test_it_refuses_to_start_without_a_production_secret(missing, tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = _manage(["check"], env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Configuration error: {missing} must be set when DEBUG is off."
    )
    assert "Traceback" not in result.stderr


def test_check_deploy_passes_with_no_warnings_in_production(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_starts_with_nothing_configured(tmp_path):
    result = _manage(["check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
