from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from accounts.models import PlaytomicAccount
from groups.models import Group
from playtomic_monitor.timestamps import TimestampedModel


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


def default_durations() -> list[int]:
    return [90]


def default_payment_methods() -> list[str]:
    return ["club", "wallet", "card"]


class BookingRule(TimestampedModel):
    """What a group wants booked at one club, and when the club releases it. The rule belongs
    to its `group` (every member sees it and its attempts); `owner` is the member who made it.
    A person on their own has a group of one (`groups.services.personal_group_for`).

    `next_release_at` / `next_target_date` are denormalised from the release policy so the
    reconciler and the pages can query them; `booking.services.rule_schedule_sync` keeps them
    and the rule's beat entry in step."""

    class Surface(models.TextChoices):
        ANY = "any", _("Indoor or outdoor, no preference")
        PREFER_INDOOR = "prefer_indoor", _("Prefer indoor")
        PREFER_OUTDOOR = "prefer_outdoor", _("Prefer outdoor")
        INDOOR_ONLY = "indoor_only", _("Indoor only")
        OUTDOOR_ONLY = "outdoor_only", _("Outdoor only")

    class ReleasePolicy(models.TextChoices):
        ROLLING = "rolling", _("Club's rolling booking_ahead_limit")
        FIXED = "fixed", _("Fixed local time N days before")

    PAYMENT_METHODS = ("club", "wallet", "card")

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="booking_rules", verbose_name=_("group")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="booking_rules",
        verbose_name=_("created by"),
    )
    name = models.CharField(max_length=100)
    club = models.ForeignKey("clubs.Club", on_delete=models.CASCADE, related_name="booking_rules")
    weekdays = models.JSONField(default=default_weekdays)  # date.weekday() numbers, 0 = Monday
    earliest_start = models.TimeField()  # club-local wall clock
    latest_start = models.TimeField()
    # A second window the same day, tried (at every club of the rule) after the main one.
    fallback_earliest_start = models.TimeField(null=True, blank=True)
    fallback_latest_start = models.TimeField(null=True, blank=True)
    # Other clubs, tried in order after `club` ("any of these"). `club` stays the first
    # preference: its zone and release policy set the rule's release instant T.
    fallback_clubs = models.ManyToManyField(
        "clubs.Club", through="RuleFallbackClub", related_name="+", blank=True
    )
    durations = models.JSONField(default=default_durations)  # minutes, in order of preference
    # Court pks in order of preference; courts not listed are acceptable after them unless
    # `only_listed_courts` is set.
    court_preference = models.JSONField(default=list, blank=True)
    only_listed_courts = models.BooleanField(default=False)
    surface = models.CharField(max_length=20, choices=Surface.choices, default=Surface.ANY)
    max_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    # 3 or 4 players book doubles courts, 1 or 2 singles courts. The named players (group
    # members) are registered on the match; the other places stay open seats.
    number_of_players = models.PositiveSmallIntegerField(default=4)
    players = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="RulePlayer", related_name="+", blank=True
    )
    # Ask Playtomic to split the price among the players; the club may refuse (then the
    # booking account pays it all).
    split_payment = models.BooleanField(default=True)
    payment_methods = models.JSONField(default=default_payment_methods)  # subset, in order
    accounts = models.ManyToManyField(PlaytomicAccount, related_name="booking_rules")
    rotate_accounts = models.BooleanField(default=False)
    release_policy = models.CharField(
        max_length=10, choices=ReleasePolicy.choices, default=ReleasePolicy.ROLLING
    )
    release_days_before = models.PositiveSmallIntegerField(null=True, blank=True)
    release_local_time = models.TimeField(null=True, blank=True)
    burst_seconds = models.FloatField(default=10.0)
    dry_run = models.BooleanField(default=False)
    snipe_cancellations = models.BooleanField(default=False)
    snipe_min_notice_minutes = models.PositiveIntegerField(default=120)
    # Booking a freed slot that starts inside the club's free-cancellation window commits the
    # group to pay; off by default.
    snipe_inside_cancellation_window = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    next_release_at = models.DateTimeField(null=True, blank=True, db_index=True)
    next_target_date = models.DateField(null=True, blank=True)
    periodic_task = models.OneToOneField(
        PeriodicTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="booking_rule_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class RulePlayer(models.Model):
    """A group member who plays in what the rule books, registered on the match with their
    Playtomic user id (their own account's) when one is known."""

    rule = models.ForeignKey(BookingRule, on_delete=models.CASCADE, related_name="player_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rule", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "user"], name="rule_player_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.user} ({self.position})"


class RuleFallbackClub(models.Model):
    """One of a rule's other clubs, tried after the rule's own club in `position` order."""

    rule = models.ForeignKey(BookingRule, on_delete=models.CASCADE, related_name="fallback_links")
    club = models.ForeignKey(
        "clubs.Club", on_delete=models.CASCADE, related_name="fallback_rule_links"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rule", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "club"], name="rule_fallback_club_once"),
            models.UniqueConstraint(fields=["rule", "position"], name="rule_fallback_position"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.club} ({self.position})"


class BookingAttempt(TimestampedModel):
    """One try at one rule's target date. Unique per (rule, target date): a second racer for
    the same date can only get here through the conditional UPDATE that claims the row."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ARMED = "armed", _("Armed")
        FIRING = "firing", _("Firing")
        UNKNOWN = "unknown", _("Unknown, pending reconciliation")
        BOOKED = "booked", _("Booked")
        REHEARSED = "rehearsed", _("Dry run succeeded")
        FAILED = "failed", _("Failed")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    class Trigger(models.TextChoices):
        RELEASE = "release", _("Release")
        SNIPE = "snipe", _("Cancellation sniping")
        MANUAL = "manual", _("Manual")

    ACTIVE_STATES = (State.SCHEDULED, State.ARMED, State.FIRING, State.UNKNOWN)
    IN_FLIGHT_STATES = (State.ARMED, State.FIRING, State.UNKNOWN)
    FINAL_STATES = (State.BOOKED, State.REHEARSED, State.FAILED, State.MISSED, State.CANCELLED)

    rule = models.ForeignKey(BookingRule, on_delete=models.CASCADE, related_name="attempts")
    target_date = models.DateField()  # club-local play date
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.RELEASE)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.SCHEDULED, db_index=True
    )
    round = models.PositiveSmallIntegerField(default=1)  # re-opened by sniping after a miss
    release_at = models.DateTimeField()  # T: the instant the burst aims at
    deadline_at = models.DateTimeField()  # T + burst: after this nothing new is sent
    dry_run = models.BooleanField(default=False)
    account = models.ForeignKey(
        PlaytomicAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts"
    )
    claim_token = models.CharField(max_length=64, blank=True)
    armed_at = models.DateTimeField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)  # first booking request sent
    finished_at = models.DateTimeField(null=True, blank=True)
    clock_offset_ms = models.FloatField(null=True, blank=True)
    rtt_ms = models.FloatField(null=True, blank=True)
    requests_sent = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    court = models.ForeignKey(
        "clubs.Court", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    slot_start = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    price = models.CharField(max_length=30, blank=True)
    payment_method = models.CharField(max_length=20, blank=True)
    payment_intent_id = models.CharField(max_length=64, blank=True)
    match_id = models.CharField(max_length=64, blank=True)
    # Who was registered on the match: [{"user_id": Playtomic id, "name": str, "member": user
    # pk or None}], the booking account's player first.
    players = models.JSONField(default=list, blank=True)
    # How many parts Playtomic split the price into (1: the booking account paid it all).
    split_parts = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-release_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "target_date"], name="booking_attempt_unique_rule_date"
            )
        ]
        indexes = [models.Index(fields=["state", "deadline_at"], name="attempt_state_deadline")]

    def __str__(self) -> str:
        return f"{self.rule} for {self.target_date} ({self.state})"


class AttemptEvent(models.Model):
    """A timeline entry of an attempt, in milliseconds relative to its release instant T."""

    attempt = models.ForeignKey(BookingAttempt, on_delete=models.CASCADE, related_name="events")
    round = models.PositiveSmallIntegerField(default=1)
    at = models.DateTimeField()
    ms_from_release = models.FloatField()
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["attempt", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.ms_from_release:+.1f} ms"


class CalendarFeed(models.Model):
    """A member's secret calendar link (ICS) of their groups' booked games. Only the SHA-256
    digest of its secret is stored, as for invites: the link is shown once, when it is made;
    making a new one replaces it, and the old link stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
