""" "When can we play?": the free slots of the coming days at the group's clubs that fit its
rules (weekdays, hours, durations, players), earliest first, each with a link to book it on
Playtomic; filterable. Monitoring polls the sandbox over HTTP first, as the worker would."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from availability.services.polling import poll_club
from booking import play
from booking.models import BookingRule
from booking.services.rules import rule_save
from groups import services as group_services
from tests.clubs.conftest import politeness, reader
from tests.support.api import api_client
from tests.support.web import web

__all__ = ["politeness", "reader"]

pytestmark = pytest.mark.django_db

WEEKDAYS = [0, 1, 2, 3, 4]


@pytest.fixture
def evenings(group, member, account, club, reader) -> BookingRule:
    """The group wants 90 minutes on weekday evenings, four players; the club is polled."""
    group_services.account_lend(account=account, group=group, user=member)
    rule = rule_save(
        owner=member,
        group=group,
        accounts=[account],
        name="Weekday evenings",
        club=club,
        weekdays=WEEKDAYS,
        earliest_start=time(18, 0),
        latest_start=time(21, 0),
        durations=[90],
        court_preference=[],
        payment_methods=["club"],
        release_policy=BookingRule.ReleasePolicy.FIXED,
        release_days_before=7,
        release_local_time=time(8, 0),
    )
    run = poll_club(club=club, days_ahead=7)
    assert run.days_ok, run.error_kind
    return rule


def test_it_lists_free_90_minute_slots_on_weekday_evenings_with_booking_links(
    evenings, group, club
):
    now = timezone.now()
    options = play.play_options(group, now=now)

    assert options
    starts = [o.start for o in options]
    assert starts == sorted(starts)
    for option in options:
        local = option.local_start
        assert local.weekday() in WEEKDAYS
        assert time(18, 0) <= local.time() <= time(21, 0)
        assert option.duration == 90
        assert option.court.size == "double"
        assert option.start > now
        query = parse_qs(urlsplit(option.link).query)
        assert option.link.startswith("https://app.playtomic.com/payments?")
        assert query == {
            "type": ["CUSTOMER_MATCH"],
            "tenant_id": [club.playtomic_id],
            "resource_id": [option.court.playtomic_id],
            "start": [option.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")],
            "duration": ["90"],
        }
        assert option.price is not None and option.currency == "EUR"


def test_the_filters_narrow_the_list(evenings, group, club):
    now = timezone.now()
    every = play.play_options(group, now=now, limit=10_000)
    day = every[-1].local_start.date()

    on_day = play.play_options(group, now=now, filters=play.PlayFilters(day=day))
    late = play.play_options(group, now=now, filters=play.PlayFilters(time_from=time(20, 0)))
    indoor = play.play_options(group, now=now, filters=play.PlayFilters(surface=play.INDOOR))
    cheap = play.play_options(group, now=now, filters=play.PlayFilters(max_price=Decimal(1)))
    other_club = play.play_options(group, now=now, filters=play.PlayFilters(club=club.pk + 999))
    sixty = play.play_options(group, now=now, filters=play.PlayFilters(duration=60))

    assert on_day and {o.local_start.date() for o in on_day} == {day}
    assert late and all(o.local_start.time() >= time(20, 0) for o in late)
    assert indoor and all(o.court.indoor is True for o in indoor)
    assert cheap == [] and other_club == [] and sixty == []


def test_a_slot_seen_taken_is_not_offered(evenings, group, club, use_sandbox):
    now = timezone.now()
    first = play.play_options(group, now=now)[0]
    # Someone books it on Playtomic; the next poll sees it.
    use_sandbox.add_account("rival@sandbox.test", "pw-12345678")
    from tests.support.sandbox import logged_in_session

    s = logged_in_session(use_sandbox, "rival@sandbox.test", "pw-12345678")
    body = {
        "user_id": "me",
        "cart": {
            "requested_item": {
                "cart_item_type": "CUSTOMER_MATCH",
                "cart_item_data": {
                    "tenant_id": club.playtomic_id,
                    "resource_id": first.court.playtomic_id,
                    "start": first.start.strftime("%Y-%m-%dT%H:%M:%S"),
                    "duration": 90,
                },
            }
        },
    }
    assert s.post(f"{use_sandbox.url}/v1/payment_intents", json=body).status_code == 200
    poll_club(club=club, days_ahead=7)

    again = play.play_options(group, now=now, limit=10_000)

    assert (first.court.pk, first.start) not in {(o.court.pk, o.start) for o in again}


def test_a_group_without_rules_gets_nothing_and_the_page_says_why(group, owner):
    assert play.play_options(group, now=timezone.now()) == []
    page = web(owner).get(f"/booking/play/?group={group.pk}").content.decode()
    assert "no enabled rule yet" in page


def test_every_member_sees_the_page_with_booking_links(evenings, group, owner, admin, member):
    for user in (owner, admin, member):
        page = web(user).get(f"/booking/play/?group={group.pk}")
        assert page.status_code == 200
        text = page.content.decode()
        assert "https://app.playtomic.com/payments?type=CUSTOMER_MATCH" in text
        assert "Book on Playtomic" in text


def test_the_page_filters_by_the_query_string(evenings, group, member):
    late = web(member).get(f"/booking/play/?group={group.pk}&time_from=21:30")
    broken = web(member).get(f"/booking/play/?group={group.pk}&time_from=bad")

    assert "No free court fits right now" in late.content.decode()
    # A filter that does not parse is shown with its error; the others still apply.
    assert "Enter a valid time" in broken.content.decode()
    assert "Book on Playtomic" in broken.content.decode()


def test_the_api_answers_the_same_slots(evenings, group, owner):
    response = api_client(owner).get(f"/api/booking/play/?group={group.pk}&time_from=19:00")

    assert response.status_code == 200
    rows = response.json()
    assert rows
    for row in rows:
        local = datetime.fromisoformat(row["local_start"])
        assert local.time() >= time(19, 0)
        assert row["duration_minutes"] == 90
        assert row["booking_url"].startswith("https://app.playtomic.com/payments?")
        assert row["when"].endswith(("CET", "CEST"))


def test_an_outsider_gets_404_for_the_groups_slots(evenings, group, outsider):
    assert web(outsider).get(f"/booking/play/?group={group.pk}").status_code == 404
    assert api_client(outsider).get(f"/api/booking/play/?group={group.pk}").status_code == 404


def test_the_api_refuses_a_bad_filter(evenings, group, owner):
    response = api_client(owner).get(f"/api/booking/play/?group={group.pk}&duration=7&days=99")

    assert response.status_code == 400
    assert set(response.json()) == {"duration", "days"}


def test_todays_slots_that_have_started_are_not_offered(evenings, group):
    later = timezone.now() + timedelta(days=2)
    assert all(o.start > later for o in play.play_options(group, now=later))


def test_the_page_shows_one_row_per_start_with_the_other_free_courts_counted(
    evenings, group, member
):
    options = play.play_options(group, now=timezone.now())
    times = play.play_times(options)
    first = [o for o in options if o.start == options[0].start]

    assert times[0].option == options[0]
    assert times[0].other_courts == len(first) - 1 > 0
    assert len({(t.option.club.pk, t.option.start, t.option.duration) for t in times}) == len(times)
    page = web(member).get(f"/booking/play/?group={group.pk}").content.decode()
    assert f"and {len(first) - 1} more courts free" in page
