"""The subscription form of the pages: the model's fields, weekdays as checkboxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clubs.models import Club, Court
from notifications.models import NotificationPreference, Subscription
from notifications.services.subscriptions import SUBSCRIPTION_FIELDS
from playtomic_monitor.localtime import WEEKDAY_CHOICES

# ISO numbers (1 = Monday), as subscriptions store them; rules count from 0.
WEEKDAYS = [(day + 1, name) for day, name in WEEKDAY_CHOICES]


class SubscriptionForm(forms.ModelForm[Subscription]):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekdays"}),
        help_text=_("None: every day."),
    )
    clubs = forms.ModelMultipleChoiceField(
        label=_("Clubs"),
        queryset=Club.objects.filter(monitoring__enabled=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "choice-list"}),
        help_text=_("None: every club your groups book at."),
    )
    courts = forms.ModelMultipleChoiceField(
        label=_("Courts"),
        queryset=Court.objects.filter(is_active=True)
        .select_related("club")
        .order_by("club__name", "name"),
        required=False,
        help_text=_("None: any court."),
    )

    class Meta:
        model = Subscription
        fields = list(SUBSCRIPTION_FIELDS)
        widgets = {
            "time_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "time_to": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "time_from": _("Start times in the club's own time zone."),
            "time_to": _("Before the start time: the range runs past midnight."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_within_minutes"].label = _("How soon it starts")


class PreferenceForm(forms.ModelForm[NotificationPreference]):
    class Meta:
        model = NotificationPreference
        fields = ["language", "digest"]
