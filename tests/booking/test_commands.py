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


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'release: {policy: fixed, days_before: 14, local_time: "08:30"}',
            "release: fixed",
            "rules[0].release: expected a mapping",
        ),
        ("max_price: 60", "max_price: .nan", "rules[0].max_price: The maximum price must be"),
        ("max_price: 60", "max_price: 1e20", "rules[0].max_price: The maximum price must be"),
        ("durations: [90, 60]", "durations: 90", "rules[0].durations: expected a list"),
        (
            "max_price: 60",
            "max_price: 60\n    players: .inf",
            "rules[0].players: expected a whole number",
        ),
        (
            "days_before: 14",
            "days_before: -1",
            "rules[0].release_days_before: Release days before: a whole number from 0 to 365",
        ),
    ],
)
def test_import_booking_config_explains_values_of_the_wrong_shape(
    tmp_path, account, club, old, new, message
):
    assert old in CONFIG
    path = tmp_path / "bad.yaml"
    path.write_text(CONFIG.replace(old, new))

    with pytest.raises(CommandError) as caught:
        call_command("import_booking_config", str(path))

    assert message in str(caught.value)
    assert BookingRule.objects.count() == 0


@pytest.mark.parametrize("old", ["Weekday evenings", "member", "Mine"])
def test_import_booking_config_explains_a_nul_character_instead_of_crashing(
    tmp_path, account, club, old
):
    path = tmp_path / "nul.yaml"
    path.write_text(CONFIG.replace(old, f'"{old}\\0"'))

    with pytest.raises(CommandError) as caught:
        call_command("import_booking_config", str(path))

    assert "must not contain NUL characters" in str(caught.value)
    assert BookingRule.objects.count() == 0


def test_import_booking_config_explains_a_file_that_is_not_text(tmp_path, db):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00rules")

    with pytest.raises(CommandError, match="it is not UTF-8 text"):
        call_command("import_booking_config", str(path))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "nope"], "--date must be a date YYYY-MM-DD"),
        (["--date", "2026-02-30"], "--date must be a date YYYY-MM-DD"),
        (["--date", "2000-01-01"], "is in the past in the club's time zone"),
        (["--date", "9999-12-31"], "--date must be within a year of today"),
        (["--at", "0001-01-01T00:00:00+05:00"], "--at is outside the calendar"),
        (["--at", "9999-12-31T23:59:59-05:00"], "--at is outside the calendar"),
        (["--at", "2000-01-01T00:00:00Z"], "--at must be within a year of now"),
    ],
)
def test_book_explains_a_bad_date_or_instant_without_racing(make_rule, use_sandbox, args, message):
    rule, _, _ = make_rule(seconds=600)
    use_sandbox.clear_requests()

    with pytest.raises(CommandError, match=message):
        call_command("book", "--rule", str(rule.pk), "--dry-run", *args, stdout=StringIO())

    assert use_sandbox.requests() == []


GROUP_CONFIG = """
rules:
  - name: Tuesday doubles
    owner: admin
    group: Tuesday padel
    club: sandbox-padel-madrid
    weekdays: [tue]
    earliest_start: "19:00"
    latest_start: "20:00"
    players: 4
    who_plays: [admin, member]
    split_payment: false
    payment: [club]
    accounts: [Mine]
    release: {policy: fixed, days_before: 7, local_time: "08:00"}
"""


def test_a_rule_in_yaml_names_its_group_and_who_plays_and_exports_them_back(
    tmp_path, club, account, group, admin, member
):
    from groups.services import account_lend

    account_lend(account=account, group=group, user=member)
    path = tmp_path / "group.yaml"
    path.write_text(GROUP_CONFIG)

    call_command("import_booking_config", str(path), stdout=StringIO())

    rule = BookingRule.objects.get()
    assert (rule.group, rule.owner, rule.split_payment) == (group, admin, False)
    assert [link.user for link in rule.player_links.all()] == [admin, member]
    assert list(rule.accounts.all()) == [account]  # the member's, lent to the group
    exported = StringIO()
    call_command("export_booking_config", stdout=exported)
    assert "group: Tuesday padel" in exported.getvalue()
    assert "- admin\n" in exported.getvalue() and "split_payment: false" in exported.getvalue()


def test_a_rule_in_yaml_for_a_group_its_owner_is_not_in_is_refused(tmp_path, club, account, group):
    path = tmp_path / "group.yaml"
    path.write_text(GROUP_CONFIG.replace("owner: admin", "owner: outsider"))
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="outsider")

    with pytest.raises(CommandError, match="in no group called 'Tuesday padel'"):
        call_command("import_booking_config", str(path), stdout=StringIO())
