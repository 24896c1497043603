"""Template context every page gets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from playtomic_monitor.demo_run import history_progress_read


def demo_history(request: HttpRequest) -> dict[str, Any]:
    """`demo_history`: how far a running demo's history replay has got (None when there is
    none), for the banner in base.html. A file read, no query."""
    return {"demo_history": history_progress_read(settings.VAR_DIR)}
