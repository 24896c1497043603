from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clubs.models import Club, Court


class CellState(models.TextChoices):
    FREE = "free", _("Free")
    TAKEN = "taken", _("Taken")
    NOT_RELEASED = "not_released", _("Not released")


class PollRun(models.Model):
    """One poll of one club: what was asked, what was seen, how it ended. Cells are only
    "observed" while a run covers them, so "not observed" is never confused with "free"."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Queued")  # a manual fetch waiting for the poll worker
        RUNNING = "running", _("Running")
        OK = "ok", _("OK")
        PARTIAL = "partial", _("Partial")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Manual")
        DEMO = "demo", _("Demo backfill")

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="poll_runs")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    days = models.JSONField(default=list, blank=True)  # club-local ISO dates asked for
    days_ok = models.JSONField(default=list, blank=True)  # club-local ISO dates stored
    requests_made = models.PositiveIntegerField(default=0)
    cells_seen = models.PositiveIntegerField(default=0)
    changes_written = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error_kind = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    # The process polling ("host:pid"), for whoever reads a run a dead worker left.
    owner = models.CharField(max_length=100, blank=True)
    # Running: the poll renews this as it goes; once it has passed, the worker is taken for
    # dead and the settle sweep fails the run. Queued: when a worker should have claimed it.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Messages sent for a queued manual fetch (the sweep sends one more if none is claimed).
    dispatches = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["club", "-started_at"], name="pollrun_club_started"),
            # The settle sweep and /health/ read only the few runs not finished yet.
            models.Index(
                fields=["lease_expires_at"],
                name="pollrun_open_lease",
                condition=models.Q(outcome__in=["queued", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.club} @ {self.started_at:%Y-%m-%d %H:%M} ({self.outcome})"


class SlotState(models.Model):
    """Current state of one 30-minute cell of one court (one row per court and cell)."""

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="slot_states")
    start = models.DateTimeField()  # UTC start of the 30-minute cell
    local_date = models.DateField()  # the club-local date the cell belongs to
    state = models.CharField(max_length=12, choices=CellState.choices)
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    first_seen_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    observed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["court", "start"], name="slotstate_unique_cell")
        ]
        indexes = [models.Index(fields=["local_date", "court"], name="slotstate_day_court")]

    def __str__(self) -> str:
        return f"{self.court} {self.start:%Y-%m-%d %H:%M} {self.state}"


class SlotChange(models.Model):
    """Append-only transition of one cell. Any past snapshot is the last change at or before T;
    lead times, cancellations and fill curves come from these rows."""

    class Kind(models.TextChoices):
        FIRST_SEEN = "first_seen", "First seen"
        TAKEN = "taken", "Free -> taken"
        FREED = "freed", "Taken -> free"
        RELEASED = "released", "Released"
        WITHDRAWN = "withdrawn", "Became not released"

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="slot_changes")
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="slot_changes")
    poll_run = models.ForeignKey(
        PollRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    start = models.DateTimeField()  # UTC start of the cell
    local_date = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    old_state = models.CharField(max_length=12, choices=CellState.choices, blank=True)
    new_state = models.CharField(max_length=12, choices=CellState.choices)
    observed_at = models.DateTimeField()
    lead_minutes = models.IntegerField()  # minutes from observation to the cell's start
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-observed_at"]
        indexes = [
            models.Index(fields=["court", "start", "observed_at"], name="slotchange_cell_time"),
            models.Index(fields=["club", "local_date"], name="slotchange_club_day"),
            models.Index(fields=["club", "observed_at"], name="slotchange_club_observed"),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.start:%Y-%m-%d %H:%M} {self.kind}"


class AvailabilityEvent(models.Model):
    """Outbox row for the rest of the system (notifications, cancellation sniping), written in
    the same transaction as the changes that caused it, with one EventDelivery per consumer
    (availability/outbox.py)."""

    class Kind(models.TextChoices):
        SLOT_FREED = "slot_freed", "Taken cell became free"
        SLOTS_RELEASED = "slots_released", "Cells newly released"

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="availability_events")
    court = models.ForeignKey(
        Court, on_delete=models.CASCADE, null=True, blank=True, related_name="availability_events"
    )
    poll_run = models.ForeignKey(
        PollRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    local_date = models.DateField()
    start = models.DateTimeField()  # UTC start of the first cell concerned
    end = models.DateTimeField()  # UTC end of the last cell concerned
    payload = models.JSONField(default=dict, blank=True)
    # Raised while replaying history (the demo's backfill): kept for the record, handed to
    # no consumer, so nobody snipes or is alerted about the past.
    replay = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.club} {self.start:%Y-%m-%d %H:%M}"


class EventDelivery(models.Model):
    """One consumer's copy of one event: the consumer claims it with a conditional UPDATE
    (pending -> claimed) and acts only if it won; the relay re-sends what stays pending and
    frees claims whose worker died (availability/outbox.py)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        CLAIMED = "claimed", "Claimed"
        DONE = "done", "Done"

    event = models.ForeignKey(
        AvailabilityEvent, on_delete=models.CASCADE, related_name="deliveries"
    )
    consumer = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    relayed_at = models.DateTimeField(null=True, blank=True)
    relays = models.PositiveIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="eventdelivery_once")
        ]
        indexes = [
            # The sweep reads only what is not done yet.
            models.Index(
                fields=["state", "created_at"],
                name="eventdelivery_open",
                condition=~models.Q(state="done"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.consumer}: event {self.event_id} ({self.state})"


# Lead times (minutes before a cell's start) at which fill curves and chances are read; the
# summary keeps one pair of counts per lead, so changing them needs a migration and a rebuild.
LEADS: tuple[int, ...] = (0, 60, 180, 360, 720, 1440, 2880, 4320, 7200, 10080, 14400, 20160)


class StartSummary(models.Model):
    """Derived, rebuildable: the cells of one club, sport and UTC start (all its courts) on a
    closed club-local day, counted the way the analytics selectors count them. Year-long
    heatmaps, daily figures and fill curves add up these rows instead of reading every cell
    and transition. SlotState and SlotChange stay the source of truth:
    `availability.services.summaries.summary_build` writes these rows from them."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="start_summaries")
    sport_id = models.CharField(max_length=40, blank=True)
    start = models.DateTimeField()  # UTC start shared by the courts' cells
    local_date = models.DateField()
    weekday = models.PositiveSmallIntegerField()  # ISO weekday of the local start
    hour = models.PositiveSmallIntegerField()  # local hour of the start
    # Final states (SlotState) of the cells.
    taken = models.PositiveIntegerField(default=0)
    free = models.PositiveIntegerField(default=0)
    not_released = models.PositiveIntegerField(default=0)
    # Latest SlotState.changed_at among the free or taken cells (sell-out lead times), and the
    # whole minutes from it to the start (0 if later), which is what the selector reads.
    last_change = models.DateTimeField(null=True, blank=True)
    last_change_lead = models.IntegerField(null=True, blank=True)
    # Last offered prices of the cells that have one.
    price_count = models.PositiveIntegerField(default=0)
    price_sum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_min = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    price_max = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    changes = models.PositiveIntegerField(default=0)  # SlotChange rows of the cells
    # Cancellation rate: free -> taken transitions plus cells first seen taken, and
    # taken -> free transitions, of the cells.
    bookings = models.PositiveIntegerField(default=0)
    cancellations = models.PositiveIntegerField(default=0)
    # Fill curve: per lead, cells taken and cells free or taken at start - lead
    # (fields taken_<lead> and known_<lead>, one pair per entry of LEADS).
    for _lead in LEADS:
        locals()[f"taken_{_lead}"] = models.PositiveIntegerField(default=0)
        locals()[f"known_{_lead}"] = models.PositiveIntegerField(default=0)
    del _lead

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["club", "sport_id", "start"], name="startsummary_unique_start"
            )
        ]
        indexes = [models.Index(fields=["club", "local_date"], name="startsummary_club_day")]

    def __str__(self) -> str:
        return f"{self.club_id} {self.sport_id} {self.start:%Y-%m-%d %H:%M}"


class CourtDaySummary(models.Model):
    """Derived, rebuildable like StartSummary: the final states of one court's cells on a
    closed club-local day, for the per-court figures (StartSummary adds the courts up)."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="court_day_summaries")
    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="day_summaries")
    local_date = models.DateField()
    taken = models.PositiveIntegerField(default=0)
    free = models.PositiveIntegerField(default=0)
    not_released = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["court", "local_date"], name="courtdaysummary_unique")
        ]
        indexes = [models.Index(fields=["club", "local_date"], name="courtdaysummary_club_day")]

    def __str__(self) -> str:
        return f"{self.court_id} {self.local_date}"


# The StartSummary columns WeekdayHourTotal keeps running totals of.
TOTAL_FIELDS: tuple[str, ...] = (
    "taken",
    "free",
    "changes",
    *(f"{kind}_{lead}" for lead in LEADS for kind in ("taken", "known")),
)


class WeekdayHourTotal(models.Model):
    """Derived, rebuildable like StartSummary: for one club, sport, summarized local date and
    local hour, the StartSummary columns of TOTAL_FIELDS added up over that date and every
    earlier summarized date on the same weekday. The heatmap and fill curve of any range of
    closed days are then the difference of two rows per weekday and hour (the last date of
    each weekday in the range, and the last one before it), whatever the range's length.
    A row is written for every date and hour whose total is not zero, so a missing row
    means zero."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="weekday_hour_totals")
    sport_id = models.CharField(max_length=40, blank=True)
    local_date = models.DateField()
    hour = models.PositiveSmallIntegerField()  # local hour
    for _name in TOTAL_FIELDS:
        locals()[_name] = models.PositiveIntegerField(default=0)
    del _name

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["club", "local_date", "sport_id", "hour"], name="weekdayhourtotal_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.club_id} {self.sport_id} {self.local_date} {self.hour}h"


class SummaryMark(models.Model):
    """How far a club's StartSummary rows reach: every local date up to `through` that has
    cells is summarized, later dates are computed from SlotState/SlotChange."""

    club = models.OneToOneField(Club, on_delete=models.CASCADE, related_name="summary_mark")
    through = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.club_id} summarized through {self.through}"
