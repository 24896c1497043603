from __future__ import annotations

from typing import Any

from django import forms

from booking.models import BookingRule, PlaytomicAccount


class AccountForm(forms.Form):
    label = forms.CharField(max_length=100, required=False)
    email = forms.EmailField()
    password = forms.CharField(widget=forms.PasswordInput(render_value=False))


def _int_list(text: str, what: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise forms.ValidationError(f"Enter {what} as numbers separated by commas.") from None


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
    accounts = forms.ModelMultipleChoiceField(queryset=PlaytomicAccount.objects.none())

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

    def rule_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields["weekdays"] = _int_list(data["weekdays_text"], "weekdays")
        fields["durations"] = _int_list(data["durations_text"], "durations")
        fields["court_preference"] = _int_list(data["courts_text"], "court ids")
        fields["payment_methods"] = [
            p.strip() for p in data["payment_text"].split(",") if p.strip()
        ]
        return fields
