"""The form behind the API token page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from playtomic_monitor.services import DEFAULT_TOKEN_DAYS

TOKEN_LIFETIMES = [
    (30, _("30 days")),
    (DEFAULT_TOKEN_DAYS, _("90 days")),
    (365, _("1 year")),
]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, so you know which one to revoke: e.g. grafana."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=TOKEN_LIFETIMES,
        initial=DEFAULT_TOKEN_DAYS,
        help_text=_("After that the API refuses it; make a new one."),
    )
