import copy
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from playtomic import SchemaError, parse_tenant, parse_tenants
from tests.playtomic.captured import load, refused_field


def test_it_parses_the_captured_tenant_search_response():
    (tenant,) = parse_tenants(load("tenants.json"))

    assert tenant.tenant_id == "53dbecb5-218f-4517-9b92-30dcac52a261"
    assert tenant.slug == "lemon-padel-club"
    assert tenant.name == "Lemon Padel Club | Limburg"
    assert tenant.playtomic_status == "ACTIVE"
    assert tenant.timezone == "Europe/Berlin"
    assert tenant.zone == ZoneInfo("Europe/Berlin")
    assert tenant.address.city == "Limburg an der Lahn"
    assert tenant.address.country_code == "DE"
    assert (tenant.address.latitude, tenant.address.longitude) == (50.3859, 8.0621)
    assert tenant.booking_ahead_limit_minutes == 43200
    assert tenant.cancellation_policy_hours == 20
    assert tenant.sport_ids == ("PADEL",)
    assert tenant.currency == "EUR"
    assert tenant.properties == {}


def test_it_parses_courts_with_sorted_durations_and_properties():
    tenant = parse_tenant(load("tenants.json")[0])
    single, double, outdoor = tenant.courts

    assert single.resource_id == "1238fd02-0000-4000-8000-000000000001"
    assert single.indoor is True
    assert single.size == "single"
    assert single.feature == "crystal"
    assert single.durations == (60, 90, 120)
    assert double.durations == (60, 90, 120)
    assert double.reservation_priority == 1
    assert outdoor.indoor is False
    assert outdoor.feature is None
    # booking_settings null: the usual increments are assumed.
    assert outdoor.durations == (60, 90, 120)


def test_it_derives_onsite_payment_from_courts_unless_the_club_property_says_otherwise():
    raw = load("tenants.json")[0]
    assert parse_tenant(raw).allows_onsite_payment is True

    raw["properties"] = {"ALLOWS_CASH_PAYMENT": "false"}
    assert parse_tenant(raw).allows_onsite_payment is False

    assert parse_tenant(load("inactive-club.json")).allows_onsite_payment is False


def test_it_reads_opening_hours_with_midnight_closing_as_end_of_day():
    tenant = parse_tenant(load("tenants.json")[0])
    zone = ZoneInfo("Europe/Berlin")

    friday = tenant.opening_hours.interval_on(date(2026, 3, 6), "Europe/Berlin")
    monday = tenant.opening_hours.interval_on(date(2026, 3, 2), zone)

    assert friday == (datetime(2026, 3, 6, 9, tzinfo=zone), datetime(2026, 3, 7, 0, tzinfo=zone))
    assert monday == (datetime(2026, 3, 2, 9, tzinfo=zone), datetime(2026, 3, 2, 22, tzinfo=zone))
    friday_hours = tenant.opening_hours.for_weekday(4)
    assert friday_hours is not None and friday_hours.closing == time(0)


def test_it_uses_holiday_hours_and_handles_closing_after_midnight():
    tenant = parse_tenant(load("inactive-club.json"))
    zone = ZoneInfo("Europe/Amsterdam")

    friday = tenant.opening_hours.interval_on(date(2026, 3, 6), zone)
    holiday = tenant.opening_hours.interval_on(date(2026, 3, 6), zone, holiday=True)

    assert friday == (datetime(2026, 3, 6, 8, tzinfo=zone), datetime(2026, 3, 7, 2, tzinfo=zone))
    assert holiday == (datetime(2026, 3, 6, 10, tzinfo=zone), datetime(2026, 3, 6, 18, tzinfo=zone))


def test_it_returns_no_interval_for_a_day_without_hours():
    raw = load("inactive-club.json")
    del raw["opening_hours"]["SUNDAY"]

    assert parse_tenant(raw).opening_hours.interval_on(date(2026, 3, 8), "UTC") is None


def test_it_converts_cancellation_policy_units_to_hours():
    raw = load("inactive-club.json")
    assert parse_tenant(raw).cancellation_policy_hours == 24

    raw["default_cancelation_policy"] = {"amount": 90, "unit": "MINUTES"}
    assert parse_tenant(raw).cancellation_policy_hours == 2

    del raw["default_cancelation_policy"]
    assert parse_tenant(raw).cancellation_policy_hours is None


def test_it_ignores_unknown_fields_and_tolerates_missing_optional_ones():
    raw = {
        "tenant_id": "t-1",
        "tenant_name": "Bare Club",
        "address": {"timezone": "America/Mexico_City"},
        "something_new": {"nested": [1, 2]},
        "resources": [{"resource_id": "r-1", "name": "Court 1", "sport_id": "PADEL", "x": 1}],
    }

    tenant = parse_tenant(raw)

    assert tenant.slug is None
    assert tenant.currency is None
    assert tenant.booking_ahead_limit_minutes is None
    assert tenant.opening_hours.days == {}
    assert tenant.sport_ids == ("PADEL",)
    assert tenant.courts[0].is_active is True
    assert tenant.courts[0].indoor is None
    assert tenant.courts[0].size is None


def test_it_names_the_path_of_a_missing_court_id():
    raw = load("tenants.json")
    del raw[0]["resources"][2]["resource_id"]

    with pytest.raises(SchemaError) as caught:
        parse_tenants(raw)

    assert caught.value.field == "[0].resources[2].resource_id"
    assert caught.value.kind == "schema"


def test_it_names_the_path_of_a_mistyped_field():
    raw = copy.deepcopy(load("tenants.json")[0])
    raw["resources"][1]["booking_settings"]["allowed_duration_increments"] = [60, "long"]

    assert (
        refused_field(parse_tenant, raw)
        == "resources[1].booking_settings.allowed_duration_increments[1]"
    )


def test_it_refuses_a_tenant_without_a_time_zone():
    raw = load("tenants.json")[0]
    del raw["address"]["timezone"]

    assert refused_field(parse_tenant, raw) == "address.timezone"


def test_it_refuses_an_unknown_time_zone():
    raw = load("tenants.json")[0]
    raw["address"]["timezone"] = "Mars/Olympus"

    with pytest.raises(SchemaError, match=r"address\.timezone"):
        parse_tenant(raw)


def test_it_accepts_a_content_envelope_around_tenants():
    tenants = parse_tenants({"content": load("tenants.json"), "total_elements": 1})

    assert [t.slug for t in tenants] == ["lemon-padel-club"]


def test_it_refuses_a_tenant_list_that_is_not_a_list():
    with pytest.raises(SchemaError):
        parse_tenants({"tenant_id": "x"})
