"""Forms of the clubs app. Validation rules live in clubs.services; forms only map them onto
fields so the admin and pages show each message next to its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clubs.models import MonitoringConfig
from clubs.services import MONITORING_FIELDS, MonitoringSettings, monitoring_validate
from playtomic_monitor.comma_separated import CommaSeparatedField


class MonitoringConfigForm(forms.ModelForm[MonitoringConfig]):
    sports = CommaSeparatedField(
        label=_("Sports"),
        help_text=_("The sports to watch, separated by commas: PADEL, TENNIS. Empty: padel."),
    )

    class Meta:
        model = MonitoringConfig
        fields = ["club", *MONITORING_FIELDS]
        labels = {
            "enabled": _("Monitoring on"),
            "frequency_minutes": _("Look every (minutes)"),
            "start_time_local": _("From (club time)"),
            "end_time_local": _("Until (club time)"),
            "days_ahead": _("Days ahead to watch"),
            "account": _("Read as (Playtomic account)"),
        }
        help_texts = {
            "account": _("Playtomic answers only logged-in readers. Empty: a staff account."),
        }
        widgets = {
            "start_time_local": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
            "end_time_local": forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        }

    def clean_sports(self) -> list[str] | None:
        """The sport ids typed, or None (empty: the club's default sports)."""
        return [sport.upper() for sport in self.cleaned_data["sports"]] or None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        club = data.get("club")
        required = ("frequency_minutes", "start_time_local", "end_time_local", "days_ahead")
        if club is None or any(data.get(name) is None for name in required):
            return data
        try:
            monitoring_validate(club=club, monitoring=self.monitoring(), user=None)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data

    def monitoring(self) -> MonitoringSettings:
        """The cleaned settings, for monitoring_configure."""
        return MonitoringSettings.from_mapping(self.cleaned_data)
