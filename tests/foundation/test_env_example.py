"""`.env.example` is the operator's list of every setting: it must name each variable that
settings.py reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = re.compile(r"env\.(?:str|bool|int|float|list|db_url)\(\s*\"([A-Z0-9_]+)\"")


def _documented() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0].strip() for line in lines if re.match(r"^[A-Z0-9_]+=", line)}


def test_the_reader_finds_the_variables_settings_reads():
    read = set(READ.findall((ROOT / "playtomic_monitor" / "settings.py").read_text()))
    assert {"DATABASE_URL", "REDIS_URL", "DEBUG", "PLAYTOMIC_RATE_PER_SECOND"} <= read


def test_every_variable_settings_reads_is_in_env_example():
    read = set(READ.findall((ROOT / "playtomic_monitor" / "settings.py").read_text()))
    assert sorted(read - _documented()) == []
