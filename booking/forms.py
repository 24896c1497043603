from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import PlaytomicAccount
from booking import selectors
from booking.models import BookingRule
from booking.services.rules import RULE_FIELDS
from clubs.models import Club
from playtomic_monitor.api import MAX_DB_ID

# Rule fields holding lists, typed as comma-separated text: rule field -> form field.
TYPED_AS_TEXT = {
    "weekdays": "weekdays_text",
    "durations": "durations_text",
    "court_preference": "courts_text",
    "payment_methods": "payment_text",
}


def _int_list(text: str, what: str) -> list[int]:
    parts = [part for part in text.replace(" ", "").split(",") if part]
    # isdecimal, not isdigit: "²" is a digit that int() refuses. Long runs of digits are no
    # weekday, duration or court id; the service reports them by range.
    if any(not part.isdecimal() or len(part) > 19 for part in parts):
        raise forms.ValidationError(f"Enter {what} as whole numbers separated by commas.")
    return [int(part) for part in parts]


def fallback_clubs_from_text(text: str) -> list[Club]:
    """Club ids or slugs separated by commas -> those clubs, in order; an unknown one is a
    field error."""
    clubs, unknown = selectors.clubs_by_reference(part for part in text.split(",") if part.strip())
    if unknown:
        raise forms.ValidationError(
            "No club " + ", ".join(repr(u[:40]) for u in unknown) + " (use a club id or slug)."
        )
    return clubs


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
    fallback_clubs = forms.CharField(
        label="Fallback clubs (in order)",
        required=False,
        help_text="Tried after the club above: club ids or slugs separated by commas",
    )
    payment_text = forms.CharField(label="Payment methods (in order)", initial="club,wallet,card")
    accounts = OwnAccountsField(queryset=PlaytomicAccount.objects.none())

    class Meta:
        model = BookingRule
        fields = [name for name in RULE_FIELDS if name not in TYPED_AS_TEXT]

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
            self.initial["fallback_clubs"] = ",".join(
                str(link.club_id) for link in rule.fallback_links.all()
            )

    # The lists are parsed while cleaning, so a typo is an error next to its field.
    def clean_weekdays_text(self) -> list[int]:
        return _int_list(self.cleaned_data["weekdays_text"], "weekdays")

    def clean_durations_text(self) -> list[int]:
        return _int_list(self.cleaned_data["durations_text"], "durations")

    def clean_courts_text(self) -> list[int]:
        return _int_list(self.cleaned_data["courts_text"], "court ids")

    def clean_fallback_clubs(self) -> list[Club]:
        return fallback_clubs_from_text(self.cleaned_data["fallback_clubs"])

    def clean_payment_text(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data["payment_text"].split(",") if p.strip()]

    def rule_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        for name, text_field in TYPED_AS_TEXT.items():
            fields[name] = data[text_field]
        fields["fallback_clubs"] = data["fallback_clubs"]
        return fields
