"""The client's reads against the sandbox over real HTTP: tenants, availability, local days."""

from datetime import UTC, date, datetime, timedelta

import pytest

from playtomic import BadRequest, NotFound, PlaytomicClient, Tenant, WindowTooLarge
from playtomic.timewindows import local_date_of
from tests.support.sandbox import frozen_sandbox, logged_in_client

# A Friday before Europe's spring DST change (Sun 2027-03-28) and Sydney's autumn one
# (Sun 2027-04-04).
NOW = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)
NEXT_DAY = date(2027, 3, 27)
EUROPE_SHORT_DAY = date(2027, 3, 28)
SYDNEY_LONG_DAY = date(2027, 4, 4)


sandbox = frozen_sandbox(now=NOW, scope="module")


@pytest.fixture(scope="module")
def client(sandbox) -> PlaytomicClient:
    return logged_in_client(sandbox)


@pytest.fixture(scope="module")
def clubs(client) -> list[Tenant]:
    return list(client.iter_tenants(active_only=False, size=2))


def test_it_pages_through_every_sandbox_club(client, clubs):
    slugs = {t.slug for t in clubs}

    assert len(clubs) == len(slugs) == 6
    assert "sandbox-padel-valencia" in slugs
    assert all(t.timezone for t in clubs)
    assert {t.slug for t in client.iter_tenants(size=100)} == slugs - {"sandbox-padel-valencia"}


def test_it_searches_by_name_slug_and_coordinate(client):
    (by_slug,) = client.search_tenants(slug="sandbox-padel-madrid")
    by_name = client.search_tenants(name="padel madrid")
    near_madrid = client.search_tenants(coordinate=(40.42, -3.68), radius_m=20_000)

    assert by_slug.name == "Sandbox Padel Madrid"
    assert by_slug.timezone == "Europe/Madrid"
    assert [t.tenant_id for t in by_name] == [by_slug.tenant_id]
    assert [t.tenant_id for t in near_madrid] == [by_slug.tenant_id]
    assert client.search_tenants(slug="sandbox-padel-valencia") == []
    assert len(client.search_tenants(slug="sandbox-padel-valencia", active_only=False)) == 1


def test_it_reads_a_tenant_like_the_search_did(client, clubs):
    for tenant in clubs:
        assert client.get_tenant(tenant.tenant_id) == tenant


def test_it_parses_the_sandbox_clubs_completely(clubs):
    by_slug = {t.slug: t for t in clubs}
    madrid, london = by_slug["sandbox-padel-madrid"], by_slug["sandbox-racquets-london"]

    assert madrid.currency == "EUR" and london.currency == "GBP"
    assert madrid.allows_onsite_payment is True and london.allows_onsite_payment is False
    assert madrid.booking_ahead_limit_minutes == 20160
    assert madrid.cancellation_policy_hours == 24
    assert len(madrid.courts) == 10
    assert {c.size for c in madrid.courts} == {"single", "double"}
    assert set(london.sport_ids) == {"PADEL", "TENNIS"}
    assert {c.durations for c in london.courts if c.sport_id == "TENNIS"} == {(60, 120)}
    assert madrid.opening_hours.interval_on(NEXT_DAY, madrid.timezone) is not None


def test_it_raises_not_found_for_an_unknown_tenant(client):
    with pytest.raises(NotFound) as caught:
        client.get_tenant("00000000-0000-4000-8000-000000000000")

    assert caught.value.status_code == "NOT_FOUND"


def test_it_refuses_a_window_over_25_hours_without_asking_the_sandbox(sandbox, client, clubs):
    sandbox.clear_requests()
    start = NOW + timedelta(days=1)

    with pytest.raises(WindowTooLarge):
        client.get_availability(
            clubs[0].tenant_id, start_min=start, start_max=start + timedelta(hours=25, seconds=1)
        )

    assert sandbox.requests(path="/v1/availability") == []
    # The limit itself is allowed, by the client and by the sandbox.
    client.get_availability(
        clubs[0].tenant_id, start_min=start, start_max=start + timedelta(hours=25)
    )


def sport_cases():
    return [
        ("sandbox-padel-madrid", "PADEL"),
        ("sandbox-racquets-london", "PADEL"),
        ("sandbox-racquets-london", "TENNIS"),
        ("sandbox-padel-pickleball-cdmx", "PADEL"),
        ("sandbox-padel-pickleball-cdmx", "PICKLEBALL"),
        ("sandbox-padel-sydney", "PADEL"),
        ("sandbox-padel-antwerpen", "PADEL"),
    ]


@pytest.mark.parametrize("day", [NEXT_DAY, EUROPE_SHORT_DAY, SYDNEY_LONG_DAY])
@pytest.mark.parametrize(("slug", "sport_id"), sport_cases())
def test_it_returns_exactly_the_local_day_for_every_club(client, clubs, slug, sport_id, day):
    tenant = next(t for t in clubs if t.slug == slug)
    courts = {c.resource_id: c for c in tenant.courts if c.sport_id == sport_id}

    entries = client.availability_for_local_day(tenant.tenant_id, day, tenant.timezone, sport_id)
    slots = [s for e in entries for s in e.slots]

    opens, closes = tenant.opening_hours.interval_on(day, tenant.timezone)
    for entry in entries:
        assert entry.resource_id in courts
        for slot in entry.slots:
            assert slot.start.tzinfo == UTC
            assert slot.start.date() == entry.start_date
            assert local_date_of(slot.start, tenant.timezone) == day
            assert opens <= slot.start and slot.end <= closes
            assert slot.duration_minutes in courts[entry.resource_id].durations
            assert slot.price.currency == tenant.currency
            assert slot.price.amount > 0
    assert len({(s.resource_id, s.start, s.duration_minutes) for s in slots}) == len(slots)
    if day in (NEXT_DAY, EUROPE_SHORT_DAY):
        # Nothing is booked (demand off) and these days are released: every court offers
        # its first slot right at opening time.
        assert {e.resource_id for e in entries} == set(courts)
        assert min(s.start for s in slots) == opens.astimezone(UTC)


def test_it_asks_for_the_short_dst_day_in_one_23_hour_utc_window(sandbox, client, clubs):
    madrid = next(t for t in clubs if t.slug == "sandbox-padel-madrid")
    sandbox.clear_requests()

    client.availability_for_local_day(madrid.tenant_id, EUROPE_SHORT_DAY, "Europe/Madrid")

    (logged,) = sandbox.requests(path="/v1/availability")
    assert "start_min=2027-03-27T23%3A00%3A00" in logged["query"]
    assert "start_max=2027-03-28T21%3A59%3A59" in logged["query"]


def test_it_prices_prorated_slots_exactly(client, clubs):
    # Madrid single courts: 90 min costs 35 EUR off-peak and 45 EUR in the peak band from
    # 16:00 local, prorated by minutes (the notes' "38.33 EUR" example).
    madrid = next(t for t in clubs if t.slug == "sandbox-padel-madrid")
    single = next(c for c in madrid.courts if c.size == "single")
    start = datetime(2027, 3, 29, 13, 0, tzinfo=UTC)  # Monday 15:00 Madrid (CEST)

    entries = client.get_availability(
        madrid.tenant_id, start_min=start, start_max=start + timedelta(minutes=30)
    )
    prices = {
        (s.start.strftime("%H:%M"), s.duration_minutes): str(s.price)
        for e in entries
        if e.resource_id == single.resource_id
        for s in e.slots
    }

    assert prices[("13:00", 90)] == "38.33 EUR"
    assert prices[("13:30", 90)] == "41.67 EUR"
    assert prices[("13:30", 60)] == "25 EUR"
    assert prices[("13:00", 60)] == "20 EUR"


@pytest.mark.parametrize("bad_id", ["..", ".", "", "x" * 65])
def test_an_id_is_one_escaped_path_segment_or_refused_before_sending(sandbox, client, bad_id):
    sandbox.clear_requests()

    with pytest.raises(BadRequest):
        client.get_tenant(bad_id)

    assert sandbox.requests() == []


def test_an_id_with_a_slash_stays_inside_its_own_path_segment(sandbox, client):
    sandbox.clear_requests()

    with pytest.raises(NotFound):
        client.get_tenant("x/../../matches")

    # Sent as /v1/tenants/x%2F..%2F..%2Fmatches: one tenant lookup, never the matches list.
    (request,) = sandbox.requests()
    assert request["path"].startswith("/v1/tenants/")
