from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from playtomic_monitor.health import system_health


@never_cache
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    report = system_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
