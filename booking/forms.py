from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import PlaytomicAccount
from booking.models import BookingRule
from playtomic_monitor.api import MAX_DB_ID


def _int_list(text: str, what: str) -> list[int]:
    parts = [part for part in text.replace(" ", "").split(",") if part]
    # isdecimal, not isdigit: "²" is a digit that int() refuses. Long runs of digits are no
    # weekday, duration or court id; the service reports them by range.
    if any(not part.isdecimal() or len(part) > 19 for part in parts):
        raise forms.ValidationError(f"Enter {what} as whole numbers separated by commas.")
    return [int(part) for part in parts]


class OwnAccountsField(forms.ModelMultipleChoiceField[PlaytomicAccount]):
    """Rejects ids no row can have before they reach an `IN (...)` query, which SQLite and
    psycopg refuse with an overflow instead of matching nothing."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            text = str(pk)
            if not text.isdecimal() or not 1 <= int(text) <= MAX_DB_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class RuleForm(forms.ModelForm[BookingRule]):
    """Lists are typed as comma-separated text; the service validates the values."""

    weekdays_text = forms.CharField(
        label="Weekdays", initial="0,1,2,3,4", help_text="0 = Monday ... 6 = Sunday"
    )
    durations_text = forms.CharField(
        label="Durations (minutes, in order)", initial="90", help_text="for example 90,60"
    )
    courts_text = forms.CharField(label="Court preference (court ids, in order)", required=False)
    payment_text = forms.CharField(label="Payment methods (in order)", initial="club,wallet,card")
    accounts = OwnAccountsField(queryset=PlaytomicAccount.objects.none())

    class Meta:
        model = BookingRule
        fields = [
            "name",
            "club",
            "earliest_start",
            "latest_start",
            "only_listed_courts",
            "surface",
            "max_price",
            "number_of_players",
            "rotate_accounts",
            "release_policy",
            "release_days_before",
            "release_local_time",
            "burst_seconds",
            "dry_run",
            "snipe_cancellations",
            "snipe_min_notice_minutes",
            "snipe_inside_cancellation_window",
            "enabled",
        ]

    def __init__(self, *args: Any, owner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = PlaytomicAccount.objects.filter(owner=owner)  # type: ignore[attr-defined]
        rule = self.instance
        if rule.pk:
            self.initial["weekdays_text"] = ",".join(map(str, rule.weekdays))
            self.initial["durations_text"] = ",".join(map(str, rule.durations))
            self.initial["courts_text"] = ",".join(map(str, rule.court_preference))
            self.initial["payment_text"] = ",".join(rule.payment_methods)
            self.initial["accounts"] = list(rule.accounts.all())

    # The lists are parsed while cleaning, so a typo is an error next to its field.
    def clean_weekdays_text(self) -> list[int]:
        return _int_list(self.cleaned_data["weekdays_text"], "weekdays")

    def clean_durations_text(self) -> list[int]:
        return _int_list(self.cleaned_data["durations_text"], "durations")

    def clean_courts_text(self) -> list[int]:
        return _int_list(self.cleaned_data["courts_text"], "court ids")

    def clean_payment_text(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data["payment_text"].split(",") if p.strip()]

    def rule_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields["weekdays"] = data["weekdays_text"]
        fields["durations"] = data["durations_text"]
        fields["court_preference"] = data["courts_text"]
        fields["payment_methods"] = data["payment_text"]
        return fields
