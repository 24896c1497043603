"""Apps depend downward only. `lint-imports` (make check) guards imports; this guards what it
cannot see: string task names ("booking.tasks.x") and string model references
("accounts.PlaytomicAccount", apps.get_model("clubs", "Club")). The project package's wiring
(settings, urls, the Celery app) composes every app and is exempt, as are migrations."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
][0]["layers"]
RANK = {app: len(LAYERS) - i for i, app in enumerate(LAYERS)}  # higher rank = higher layer
WIRING = {"settings.py", "urls.py", "celery.py", "wsgi.py", "asgi.py"}
APP = "|".join(map(re.escape, LAYERS))
TASK_NAME = re.compile(rf"^({APP})\.tasks\.\w+$")
MODEL_REF = re.compile(rf"^({APP})\.[A-Z]\w*$")


def upward_references(app: str, source: str) -> list[str]:
    """The string references in `source` (code of `app`) that name a higher app."""
    found = []
    for node in ast.walk(ast.parse(source)):
        target = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = TASK_NAME.match(node.value) or MODEL_REF.match(node.value)
            target = match.group(1) if match else None
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in RANK
        ):
            target = str(node.args[0].value)
        if target is not None and RANK[target] > RANK[app]:
            found.append(f"{app} -> {target} (line {getattr(node, 'lineno', '?')})")
    return found


def app_sources() -> list[tuple[str, Path]]:
    sources = []
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            if app == "playtomic_monitor" and len(rel.parts) == 2 and rel.name in WIRING:
                continue
            sources.append((app, path))
    return sources


def test_no_app_names_a_higher_apps_task_or_model_in_a_string():
    offenders = [
        f"{path.relative_to(ROOT)}: {ref}"
        for app, path in app_sources()
        for ref in upward_references(app, path.read_text(encoding="utf-8"))
    ]

    assert offenders == []


def test_the_check_sees_an_upward_task_name_a_model_reference_and_get_model():
    source = (
        "A = 'booking.tasks.race_now'\n"
        "B = models.ForeignKey('booking.BookingRule', on_delete=models.CASCADE)\n"
        "C = apps.get_model('availability', 'PollRun')\n"
        "D = 'accounts.PlaytomicAccount'\n"  # downward from clubs: allowed
    )

    assert len(upward_references("clubs", source)) == 3


def test_every_app_in_the_tree_has_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"playtomic"}

    assert apps <= set(LAYERS)
