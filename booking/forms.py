from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import PlaytomicAccount
from booking import selectors
from booking.models import BookingRule
from booking.play import PlayFilters
from booking.services.rules import RULE_FIELDS
from clubs.models import Club, Court
from groups.models import Group
from groups.selectors import display_name
from playtomic_monitor.api import MAX_DB_ID
from playtomic_monitor.comma_separated import CommaSeparatedField
from playtomic_monitor.localtime import WEEKDAY_CHOICES, local_date
from playtomic_monitor.ordered_choices import OrderedCheckboxes, OrderedChoiceField

# The rule's durations are typed ("90, 60"); every other list is picked.
TYPED_AS_TEXT = {"durations": "durations_text"}
PAYMENT_CHOICES = [
    ("club", _("At the club")),
    ("wallet", _("Playtomic wallet")),
    ("card", _("Card")),
]
RELEASE_CHOICES = [
    (BookingRule.ReleasePolicy.ROLLING.value, _("When the club opens the day, as it usually does")),
    (BookingRule.ReleasePolicy.FIXED.value, _("At a set time, a set number of days before")),
]


def _int_list(parts: list[str], what: str) -> list[int]:
    # isdecimal, not isdigit: "²" is a digit that int() refuses. Long runs of digits are no
    # duration; the service reports them by range.
    if any(not part.isdecimal() or len(part) > 19 for part in parts):
        raise forms.ValidationError(
            _("Enter %(what)s as whole numbers separated by commas.") % {"what": what}
        )
    return [int(part) for part in parts]


def fallback_clubs_by_reference(references: list[str]) -> list[Club]:
    """Club ids or slugs -> those clubs, in order; an unknown one is a field error."""
    clubs, unknown = selectors.clubs_by_reference(references)
    if unknown:
        raise forms.ValidationError(
            _("No club %(clubs)s (use a club id or slug).")
            % {"clubs": ", ".join(repr(u[:40]) for u in unknown)}
        )
    return clubs


def _time_picker(step_seconds: int) -> forms.TimeInput:
    time_format = "%H:%M:%S" if step_seconds < 60 else "%H:%M"
    return forms.TimeInput(format=time_format, attrs={"type": "time", "step": step_seconds})


def _court_label(court: Court) -> str:
    surfaces = {True: str(_("indoor")), False: str(_("outdoor"))}
    details = [
        surfaces[court.indoor] if court.indoor is not None else "",
        {"double": str(_("doubles")), "single": str(_("singles"))}.get(court.size, ""),
    ]
    shown = ", ".join(detail for detail in details if detail)
    return f"{court.name} · {court.club.name}" + (f" ({shown})" if shown else "")


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
    """Weekdays are checkboxes valued as the API and the stored rule number them (0 = Monday);
    courts, fallback clubs and payment methods are picked in the member's order; durations are
    typed. The service validates the values. The form is made for one group (the rule's, or
    the one a new rule is for): the accounts offered are those the rule may book with in it,
    the players its members."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekdays"}),
        error_messages={"required": _("Pick at least one day.")},
    )
    durations_text = CommaSeparatedField(
        label=_("Game length (minutes)"),
        required=True,
        initial=[90],
        help_text=_("One or more lengths, the one you prefer first: for example 90, 60."),
    )
    court_preference = OrderedChoiceField(
        label=_("Courts, favourite first"),
        coerce=int,
        help_text=_(
            "Tick the courts you want and put them in order. With none ticked, any court "
            "that fits will do."
        ),
    )
    fallback_clubs = OrderedChoiceField(
        label=_("Other clubs to try, in order"),
        coerce=int,
        help_text=_("Tried one after another when the club above has no court free."),
    )
    payment_methods = OrderedChoiceField(
        label=_("How to pay, in order"),
        choices=PAYMENT_CHOICES,
        initial=["club", "wallet", "card"],
        help_text=_("The first one the club accepts is used."),
    )
    accounts = OwnAccountsField(
        label=_("Playtomic accounts that book"),
        queryset=PlaytomicAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
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
    release_policy = forms.ChoiceField(
        label=_("When the club opens its courts"), choices=RELEASE_CHOICES
    )

    class Meta:
        model = BookingRule
        fields = [name for name in RULE_FIELDS if name not in TYPED_AS_TEXT]
        labels = {
            "name": _("Name"),
            "club": _("Club"),
            "earliest_start": _("Start from (club time)"),
            "latest_start": _("Start at the latest (club time)"),
            "fallback_earliest_start": _("Second choice: start from"),
            "fallback_latest_start": _("Second choice: start at the latest"),
            "only_listed_courts": _("Only the courts ticked above"),
            "surface": _("Indoor or outdoor"),
            "max_price": _("Price cap per booking"),
            "number_of_players": _("Number of players"),
            "split_payment": _("Split the price among the players"),
            "rotate_accounts": _("Take turns with the accounts"),
            "release_days_before": _("Days before the game"),
            "release_local_time": _("At (club time)"),
            "burst_seconds": _("Keep trying for (seconds)"),
            "dry_run": _("Rehearsal: hold the court but never pay"),
            "snipe_cancellations": _("Also take courts freed by cancellations"),
            "snipe_min_notice_minutes": _("Only with at least this notice (minutes)"),
            "snipe_inside_cancellation_window": _(
                "Even when it would be too late to cancel for free"
            ),
            "enabled": _("Active"),
        }
        help_texts = {
            "name": _("For example: Weekday evenings."),
            "earliest_start": _("Games start on the hour or the half hour."),
            "fallback_earliest_start": _(
                "Another window the same day, tried after the first. Leave both empty for none."
            ),
            "number_of_players": _("3 or 4 play on a doubles court, 1 or 2 on a singles court."),
            "split_payment": _("When the club allows it; otherwise the booking account pays."),
            "release_days_before": _("For a set time: how many days ahead the club opens a day."),
            "release_local_time": _("For a set time: the club's clock time when it opens."),
            "burst_seconds": _("How long to keep asking for a court from the moment it opens."),
            "dry_run": _("To try a rule out: nothing is paid and the hold lapses."),
            "enabled": _("An inactive rule keeps its settings but books nothing."),
        }
        widgets = {
            "earliest_start": _time_picker(1800),
            "latest_start": _time_picker(1800),
            "fallback_earliest_start": _time_picker(1800),
            "fallback_latest_start": _time_picker(1800),
            "release_local_time": _time_picker(1),
            "max_price": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
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
        clubs = list(Club.objects.order_by("name"))
        self.fields["fallback_clubs"].choices = [(club.pk, club.name) for club in clubs]  # type: ignore[attr-defined]
        courts = list(
            # A court gone from the club stays offered while the rule names it, so the rule
            # can be saved again (and the court unticked).
            Court.objects.filter(Q(is_active=True) | Q(pk__in=rule.court_preference or []))
            .select_related("club")
            .order_by("club__name", "reservation_priority", "name", "pk")
        )
        self.fields["court_preference"].choices = [(c.pk, _court_label(c)) for c in courts]  # type: ignore[attr-defined]
        widget = self.fields["court_preference"].widget
        assert isinstance(widget, OrderedCheckboxes)
        widget.row_data = {str(c.pk): {"club": str(c.club_id)} for c in courts}
        currencies = {rule.club.currency} if rule.pk else {c.currency for c in clubs}
        if len(currencies) == 1 and "" not in currencies:
            self.fields["max_price"].label = _("Price cap per booking (%(currency)s)") % {
                "currency": currencies.pop()
            }
        self.fields["max_price"].help_text = _(
            "The most one booking may cost in all, in the club's currency. Leave empty for no cap."
        )
        if rule.pk:
            self.initial["durations_text"] = rule.durations
            self.initial["accounts"] = list(rule.accounts.all())
            self.initial["players"] = [link.user for link in rule.player_links.all()]
            self.initial["fallback_clubs"] = [link.club_id for link in rule.fallback_links.all()]

    # Durations are parsed while cleaning, so a typo is an error next to its field.
    def clean_durations_text(self) -> list[int]:
        return _int_list(self.cleaned_data["durations_text"], str(_("game lengths")))

    def clean_fallback_clubs(self) -> list[Club]:
        ids = self.cleaned_data["fallback_clubs"]
        by_id = Club.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]

    def field_for_error(self, key: str) -> str | None:
        """The form field beside which the service's error on `key` belongs (None: the top)."""
        key = TYPED_AS_TEXT.get(key, key)
        return key if key in self.fields else None

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields in the order a member thinks about a rule, under plain headings."""
        names = [
            (
                _("What"),
                [
                    "name",
                    "club",
                    "weekdays",
                    "earliest_start",
                    "latest_start",
                    "durations_text",
                    "fallback_earliest_start",
                    "fallback_latest_start",
                ],
            ),
            (_("Where"), ["court_preference", "only_listed_courts", "surface", "fallback_clubs"]),
            (
                _("Who and how"),
                [
                    "number_of_players",
                    "players",
                    "accounts",
                    "rotate_accounts",
                    "max_price",
                    "split_payment",
                    "payment_methods",
                ],
            ),
            (
                _("When to book"),
                [
                    "release_policy",
                    "release_days_before",
                    "release_local_time",
                    "burst_seconds",
                    "dry_run",
                ],
            ),
            (
                _("Cancellations"),
                [
                    "snipe_cancellations",
                    "snipe_min_notice_minutes",
                    "snipe_inside_cancellation_window",
                    "enabled",
                ],
            ),
        ]
        return [(str(title), [self[name] for name in fields]) for title, fields in names]

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
            *((d.isoformat(), local_date(d)) for d in days),
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
