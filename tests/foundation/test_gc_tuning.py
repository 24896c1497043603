"""The long-running processes freeze what they loaded at start-up, so full garbage collections
during requests and tasks walk only what those made (docs/architecture.md)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

from celery.signals import worker_process_init

import playtomic_monitor.celery  # noqa: F401 (connects the pool child's start-up hook)


def test_the_web_application_freezes_django_and_every_view_once_loaded():
    script = (
        "import gc, sys\n"
        "import playtomic_monitor.wsgi\n"
        "print(gc.get_freeze_count(), 'availability.views.club' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "playtomic_monitor.settings"}

    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout.split()

    frozen, views_loaded = int(out[0]), out[1] == "True"
    assert views_loaded
    assert frozen > 50_000  # Django and the apps, not a handful of objects


def test_a_worker_pool_child_freezes_what_it_inherited_before_its_first_task():
    before = gc.get_freeze_count()
    try:
        worker_process_init.send(sender=None)

        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
