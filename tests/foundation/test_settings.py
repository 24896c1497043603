"""Production start-up rules, checked in fresh processes as an operator would meet them."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = (ROOT / "playtomic_monitor" / "settings.py").read_text()
# Every variable settings.py reads, e.g. env.str("NAME", ...) or env.db_url("NAME").
SETTINGS_VARIABLES = frozenset(
    re.findall(r"env\.(?:str|bool|int|float|list|db_url)\(\s*\"([A-Z0-9_]+)\"", SETTINGS_SOURCE)
)
# Also never inherited: variables the project reads elsewhere (make run, CI, Django itself).
OTHER_PROJECT_VARIABLES = frozenset(
    {
        "CI",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_SUPERUSER_USERNAME",
        "DJANGO_SUPERUSER_PASSWORD",
        "DJANGO_SUPERUSER_EMAIL",
    }
)

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "k3y-" + "x9Zq2Lm8Rt5Vw7Yp1Ns4Hd6Jf0Gb3Kc" * 2,
    "ALLOWED_HOSTS": "monitor.example.org",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def _clean_environment() -> dict[str, str]:
    """The caller's environment without any variable the project reads, so a subprocess sees
    exactly what a test gives it and nothing a developer or CI happened to export."""
    dropped = SETTINGS_VARIABLES | OTHER_PROJECT_VARIABLES | PRODUCTION.keys()
    return {k: v for k, v in os.environ.items() if k not in dropped}


def _manage(args: list[str], env_overrides: dict[str, str], tmp_path: Path):
    env = _clean_environment()
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


def test_the_clean_environment_drops_the_backing_service_urls(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@127.0.0.1:1/x")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("CELERY_TASK_ALWAYS_EAGER", "True")
    env = _clean_environment()
    assert not {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"} & env.keys()


def test_debug_starts_with_nothing_configured(tmp_path):
    result = _manage(["check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr


EMBEDDED_DEFAULTS_PROBE = """
import json
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from playtomic_monitor.celery import app
with connection.cursor() as cursor:
    journal_mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    busy_timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
print(json.dumps({
    "debug": settings.DEBUG,
    "vendor": connection.vendor,
    "database": str(connection.settings_dict["NAME"]),
    "journal_mode": journal_mode,
    "busy_timeout": busy_timeout,
    "transaction_mode": connection.transaction_mode,
    "broker": app.connection_for_write().transport.driver_type,
    "cache": type(caches["default"]).__name__,
}))
"""


def test_nothing_configured_gives_wal_sqlite_a_filesystem_broker_and_a_database_cache(tmp_path):
    result = _manage(["shell", "-c", EMBEDDED_DEFAULTS_PROBE], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["debug"] is True
    assert facts["vendor"] == "sqlite"
    assert Path(facts["database"]).parent == tmp_path
    assert facts["journal_mode"] == "wal"
    assert facts["busy_timeout"] >= 5000
    assert facts["transaction_mode"] == "IMMEDIATE"
    assert facts["broker"] == "filesystem"
    assert facts["cache"] == "DatabaseCache"


# Each transaction reads before it writes: with deferred transactions two such writers
# deadlock on the lock upgrade and SQLite answers "database is locked" at once, whatever the
# busy timeout. Immediate transactions queue on the busy timeout instead.
CONCURRENT_WRITER = """
from django.db import connection, transaction
for i in range({writes}):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM writes")
            seen = cursor.fetchone()[0]
            cursor.execute("INSERT INTO writes (writer, seen) VALUES (%s, %s)", ["{name}", seen])
print("done")
"""


def test_two_processes_writing_the_embedded_database_at_once_never_see_it_locked(tmp_path):
    writes = 300
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE writes (id INTEGER PRIMARY KEY, writer TEXT, seen INTEGER)")
    env = _clean_environment()
    env.update({"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "playtomic_monitor.settings"})
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                CONCURRENT_WRITER.format(writes=writes, name=name),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [writer.communicate(timeout=180) for writer in writers]
    for writer, (stdout, stderr) in zip(writers, outputs, strict=True):
        assert "database is locked" not in stderr
        assert writer.returncode == 0, stderr
        assert stdout.strip().splitlines()[-1] == "done"
    with sqlite3.connect(database) as db:
        counts = dict(db.execute("SELECT writer, COUNT(*) FROM writes GROUP BY writer"))
    assert counts == {"a": writes, "b": writes}
