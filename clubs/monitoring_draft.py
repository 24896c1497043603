"""What a staff member typed in the club page's monitoring form, carried across the redirect.

The form posts to clubs' own view, which cannot render the club page (availability's, a layer
above). On an error it keeps the typed values and the service's messages in the session; the
club page then shows the form bound to them, each message beside its field."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.utils.datastructures import MultiValueDict

from clubs.forms import MonitoringConfigForm
from clubs.models import Club, MonitoringConfig

SESSION_KEY = "clubs:monitoring-draft:%d"


def monitoring_draft_keep(
    *,
    session: SessionBase,
    club: Club,
    data: MultiValueDict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> None:
    typed = {key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"}
    session[SESSION_KEY % club.pk] = {"data": typed, "errors": errors or {}}


def monitoring_form_for_page(
    *, session: SessionBase, club: Club, config: MonitoringConfig | None
) -> MonitoringConfigForm:
    """The form the club page shows: bound to a draft left by a failed save (once), else
    filled from the stored config."""
    draft = session.pop(SESSION_KEY % club.pk, None)
    if not draft:
        return MonitoringConfigForm(instance=config, initial={"club": club.pk})
    form = MonitoringConfigForm(MultiValueDict(draft["data"]), instance=config)
    if form.is_valid():
        for field, messages in draft["errors"].items():
            form.add_error(field if field in form.fields else None, messages)
    return form
