from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import dateformat
from django.utils.translation import gettext_lazy as _

from accounts.models import PlaytomicAccount
from booking import selectors
from booking.models import BookingRule
from booking.play import PlayFilters
from booking.services.rules import RULE_FIELDS
from clubs.models import Club
from groups.models import Group
from groups.selectors import display_name
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
        raise forms.ValidationError(
            _("Enter %(what)s as whole numbers separated by commas.") % {"what": what}
        )
    return [int(part) for part in parts]


def fallback_clubs_from_text(text: str) -> list[Club]:
    """Club ids or slugs separated by commas -> those clubs, in order; an unknown one is a
    field error."""
    clubs, unknown = selectors.clubs_by_reference(part for part in text.split(",") if part.strip())
    if unknown:
        raise forms.ValidationError(
            _("No club %(clubs)s (use a club id or slug).")
            % {"clubs": ", ".join(repr(u[:40]) for u in unknown)}
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


class MemberChoiceField(forms.ModelMultipleChoiceField[User]):
    """Members of the rule's group, shown by the name they gave."""

    def label_from_instance(self, obj: User) -> str:
        return display_name(obj)


class RuleForm(forms.ModelForm[BookingRule]):
    """Lists are typed as comma-separated text; the service validates the values. The form is
    made for one group (the rule's, or the one a new rule is for): the accounts offered are
    those the rule may book with in it, the players its members."""

    weekdays_text = forms.CharField(
        label=_("Weekdays"), initial="0,1,2,3,4", help_text=_("0 = Monday ... 6 = Sunday")
    )
    durations_text = forms.CharField(
        label=_("Durations (minutes, in order)"), initial="90", help_text=_("for example 90,60")
    )
    courts_text = forms.CharField(label=_("Court preference (court ids, in order)"), required=False)
    fallback_clubs = forms.CharField(
        label=_("Fallback clubs (in order)"),
        required=False,
        help_text=_("Tried after the club above: club ids or slugs separated by commas"),
    )
    payment_text = forms.CharField(
        label=_("Payment methods (in order)"), initial="club,wallet,card"
    )
    accounts = OwnAccountsField(
        label=_("Playtomic accounts"),
        queryset=PlaytomicAccount.objects.none(),
        help_text=_("The creator's own accounts and those lent to the group."),
    )
    players = MemberChoiceField(
        label=_("Who plays"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Registered on the match when their own Playtomic account is known; the other "
            "places stay open seats."
        ),
    )

    class Meta:
        model = BookingRule
        fields = [name for name in RULE_FIELDS if name not in TYPED_AS_TEXT]
        labels = {
            "name": _("Name"),
            "club": _("Club"),
            "earliest_start": _("Earliest start (club time)"),
            "latest_start": _("Latest start (club time)"),
            "fallback_earliest_start": _("Fallback window: earliest start"),
            "fallback_latest_start": _("Fallback window: latest start"),
            "only_listed_courts": _("Only the listed courts"),
            "surface": _("Surface"),
            "max_price": _("Maximum price"),
            "number_of_players": _("Number of players"),
            "split_payment": _("Split the price among the players"),
            "rotate_accounts": _("Take turns with the accounts"),
            "release_policy": _("Release policy"),
            "release_days_before": _("Release: days before"),
            "release_local_time": _("Release: club time"),
            "burst_seconds": _("Burst (seconds)"),
            "dry_run": _("Dry run (hold, never pay)"),
            "snipe_cancellations": _("Snipe cancellations"),
            "snipe_min_notice_minutes": _("Sniping: minimum notice (minutes)"),
            "snipe_inside_cancellation_window": _("Sniping: inside the cancellation window"),
            "enabled": _("Enabled"),
        }
        help_texts = {
            "number_of_players": _("3 or 4 play on a doubles court, 1 or 2 on a singles court."),
            "split_payment": _("When the club allows it; otherwise the booking account pays."),
        }

    def __init__(self, *args: Any, owner: Any, group: Group, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.instance
        creator = rule.owner if rule.pk else owner
        self.group = group
        self.fields["accounts"].queryset = selectors.rule_account_choices(group, creator)  # type: ignore[attr-defined]
        self.fields["players"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            group_memberships__group=group
        ).order_by("first_name", "username")
        if rule.pk:
            self.initial["weekdays_text"] = ",".join(map(str, rule.weekdays))
            self.initial["durations_text"] = ",".join(map(str, rule.durations))
            self.initial["courts_text"] = ",".join(map(str, rule.court_preference))
            self.initial["payment_text"] = ",".join(rule.payment_methods)
            self.initial["accounts"] = list(rule.accounts.all())
            self.initial["players"] = [link.user for link in rule.player_links.all()]
            self.initial["fallback_clubs"] = ",".join(
                str(link.club_id) for link in rule.fallback_links.all()
            )

    # The lists are parsed while cleaning, so a typo is an error next to its field.
    def clean_weekdays_text(self) -> list[int]:
        return _int_list(self.cleaned_data["weekdays_text"], str(_("weekdays")))

    def clean_durations_text(self) -> list[int]:
        return _int_list(self.cleaned_data["durations_text"], str(_("durations")))

    def clean_courts_text(self) -> list[int]:
        return _int_list(self.cleaned_data["courts_text"], str(_("court ids")))

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
        fields["players"] = list(data["players"])
        return fields


class PlayFilterForm(forms.Form):
    """The filters of "When can we play?", read from the query string. Choices are the
    group's own clubs, the coming days and the durations its rules want."""

    club = forms.TypedChoiceField(label=_("Club"), coerce=int, required=False, empty_value=None)
    day = forms.TypedChoiceField(
        label=_("Day"), coerce=date.fromisoformat, required=False, empty_value=None
    )
    time_from = forms.TimeField(
        label=_("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_to = forms.TimeField(
        label=_("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration = forms.TypedChoiceField(
        label=_("Duration"), coerce=int, required=False, empty_value=None
    )
    surface = forms.ChoiceField(
        label=_("Surface"),
        required=False,
        choices=[("", _("Any")), ("indoor", _("Indoor")), ("outdoor", _("Outdoor"))],
    )
    max_price = forms.DecimalField(
        label=_("Up to (price)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(1_000_000),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )

    def __init__(
        self,
        *args: Any,
        clubs: list[Club],
        days: list[date],
        durations: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["club"].choices = [("", _("All clubs")), *((c.pk, c.name) for c in clubs)]  # type: ignore[attr-defined]
        self.fields["day"].choices = [  # type: ignore[attr-defined]
            ("", _("Any day")),
            *((d.isoformat(), dateformat.format(d, "D j M")) for d in days),
        ]
        self.fields["duration"].choices = [  # type: ignore[attr-defined]
            ("", _("Any length")),
            *((m, _("%(minutes)d min") % {"minutes": m}) for m in durations),
        ]

    def filters(self) -> PlayFilters:
        # A filter that does not parse is left out (and shown with its error); the rest apply.
        self.is_valid()
        data = self.cleaned_data
        return PlayFilters(
            club=data.get("club"),
            day=data.get("day"),
            time_from=data.get("time_from"),
            time_to=data.get("time_to"),
            duration=data.get("duration"),
            surface=data.get("surface") or None,
            max_price=data.get("max_price"),
        )
