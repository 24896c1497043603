"""import_booking_config / export_booking_config / book."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from booking.models import BookingAttempt, BookingRule
from tests.booking.conftest import sandbox_bookings

pytestmark = pytest.mark.django_db

CONFIG = """
rules:
  - name: Weekday evenings
    owner: member
    club: sandbox-padel-madrid
    weekdays: [mon, tue, wed, thu, fri]
    earliest_start: "18:00"
    latest_start: "21:30"
    durations: [90, 60]
    surface: prefer_indoor
    max_price: 60
    payment: [club, wallet]
    accounts: [Mine]
    release: {policy: fixed, days_before: 14, local_time: "08:30"}
    snipe: {enabled: true, min_notice_minutes: 120}
"""


def test_it_imports_a_rule_from_yaml_and_exports_it_back(tmp_path, club, account):
    path = tmp_path / "booking_config.yaml"
    path.write_text(CONFIG)
    out = StringIO()
    call_command("import_booking_config", str(path), stdout=out)
    rule = BookingRule.objects.get()
    assert rule.weekdays == [0, 1, 2, 3, 4]
    assert rule.durations == [90, 60]
    assert rule.next_release_at is not None
    assert "next release" in out.getvalue()
    exported = StringIO()
    call_command("export_booking_config", stdout=exported)
    text = exported.getvalue()
    assert "Weekday evenings" in text and "local_time: 08:30:00" in text
    assert "password" not in text and "@" not in text
    # Re-importing the export updates in place.
    path.write_text(text)
    call_command("import_booking_config", str(path), stdout=StringIO())
    assert BookingRule.objects.count() == 1


def test_it_rejects_a_bad_file_listing_every_problem_and_saves_nothing(tmp_path, club, account):
    bad = CONFIG.replace("[mon, tue, wed, thu, fri]", "[mon, funday]").replace("[90, 60]", "[45]")
    bad += """
  - name: Second
    owner: ghost
    club: sandbox-padel-madrid
"""
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    with pytest.raises(CommandError) as caught:
        call_command("import_booking_config", str(path))
    message = str(caught.value)
    assert "rules[0]: unknown weekday 'funday'" in message
    assert "rules[1]: no user named 'ghost'" in message
    assert BookingRule.objects.count() == 0


def test_book_now_runs_the_racer_in_process(make_rule, use_sandbox):
    rule, target, _ = make_rule(seconds=600)
    # Open the date right away at the sandbox.
    from django.utils import timezone

    use_sandbox.set_release(rule.club.playtomic_id, target, timezone.now())
    out = StringIO()
    call_command("book", "--rule", str(rule.pk), "--now", "--date", str(target), stdout=out)
    assert "booked" in out.getvalue()
    attempt = BookingAttempt.objects.get(rule=rule, target_date=target)
    assert attempt.trigger == BookingAttempt.Trigger.MANUAL
    assert len(sandbox_bookings(use_sandbox)) == 1


def test_book_dry_run_at_an_instant_rehearses(make_rule, use_sandbox):
    rule, target, release_at = make_rule(seconds=2)
    out = StringIO()
    call_command(
        "book", "--rule", str(rule.pk), "--at", release_at.isoformat(), "--dry-run", stdout=out
    )
    attempt = BookingAttempt.objects.get(rule=rule, target_date=target)
    assert attempt.state == BookingAttempt.State.REHEARSED
    assert sandbox_bookings(use_sandbox) == []
