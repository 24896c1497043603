"""The subscription form of the pages: the model's fields, weekdays as checkboxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clubs.models import Club, Court
from notifications.models import NotificationPreference, Subscription

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


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
        fields = [
            "name",
            "enabled",
            "freed",
            "released",
            "clubs",
            "weekdays",
            "time_from",
            "time_to",
            "min_duration_minutes",
            "courts",
            "surface",
            "max_hourly_price",
            "starts_within_minutes",
        ]
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
