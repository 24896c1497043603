"""Staff pages of clubs: find and add a club, configure its monitoring. The club page itself
shows availability's data and lives in availability/views/club.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clubs import services
from clubs.forms import MonitoringConfigForm
from clubs.models import Club, MonitoringConfig
from clubs.monitoring_draft import monitoring_draft_keep


@staff_member_required
@require_POST
def club_monitoring(request: HttpRequest, club_id: int) -> HttpResponse:
    club = get_object_or_404(Club, pk=club_id)
    config = MonitoringConfig.objects.filter(club=club).first()
    data = request.POST.copy()
    data["club"] = str(club.pk)
    form = MonitoringConfigForm(data, instance=config)
    errors: dict[str, list[str]] | None = None
    if form.is_valid():
        try:
            services.monitoring_configure(
                club=club, monitoring=form.monitoring(), user=request.user
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            messages.success(request, _("Monitoring saved."))
            return redirect("club", club_id=club.pk)
    # The club page shows the form again as typed, each error beside its field.
    monitoring_draft_keep(session=request.session, club=club, data=data, errors=errors)
    messages.error(request, _("Monitoring not saved: see the form below."))
    return redirect(reverse("club", kwargs={"club_id": club.pk}) + "#monitoring")


@staff_member_required
def club_add(request: HttpRequest) -> HttpResponse:
    """Search Playtomic by name and import a result (POST)."""
    if request.method == "POST":
        try:
            club = services.club_import(tenant_id=request.POST.get("tenant_id", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("clubs:add")
        except services.PlaytomicUnavailable as exc:
            messages.error(request, exc.message)
            return redirect("clubs:add")
        courts = club.courts.count()
        messages.success(
            request,
            ngettext(
                "%(club)s imported with %(courts)s court.",
                "%(club)s imported with %(courts)s courts.",
                courts,
            )
            % {"club": club.name, "courts": courts},
        )
        return redirect("club", club_id=club.pk)
    query = (request.GET.get("q") or "").strip()
    results: list[Any] = []
    error = ""
    if query:
        try:
            results = services.club_search(query=query)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except services.PlaytomicUnavailable as exc:
            error = exc.message
    imported = dict(
        Club.objects.filter(playtomic_id__in=[t.tenant_id for t in results]).values_list(
            "playtomic_id", "id"
        )
    )
    rows = [{"tenant": t, "club_id": imported.get(t.tenant_id)} for t in results]
    return render(request, "clubs/add.html", {"query": query, "rows": rows, "error": error})
