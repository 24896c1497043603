"""The club page's monitoring form speaks plainly and, on an error, comes back as typed with
each message beside its field."""

from __future__ import annotations

import pytest

from clubs.models import MonitoringConfig
from tests.availability.analytics_history import make_club

pytestmark = pytest.mark.django_db

TYPED = {
    "enabled": "on",
    "frequency_minutes": "45",
    "start_time_local": "09:30",
    "end_time_local": "07:00",  # before the start: refused
    "days_ahead": "4",
    "sports": "Padel",
}


def test_it_names_the_fields_in_plain_words(client, staff):
    club = make_club()
    client.force_login(staff)

    page = client.get(f"/clubs/{club.pk}/").content.decode()

    assert "Until (club time)" in page
    assert "End time local" not in page
    assert "Start time local" not in page
    assert (
        'name="end_time_local" type="time"' in page or 'type="time" name="end_time_local"' in page
    )


def test_a_refused_form_comes_back_as_typed_with_the_error_beside_its_field(client, staff):
    club = make_club()
    client.force_login(staff)

    response = client.post(f"/clubs/{club.pk}/monitoring/", TYPED, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#monitoring")
    assert not MonitoringConfig.objects.exists()
    assert 'value="45"' in page
    assert 'value="09:30"' in page
    assert 'value="07:00"' in page
    assert 'value="4"' in page
    assert 'value="Padel"' in page
    errors = response.context["form"].errors
    assert list(errors) == ["end_time_local"]
    field = page[page.index('id="field-end_time_local"') :]
    assert 'id="id_end_time_local_error"' in field[: field.index('id="field-days_ahead"')]


def test_the_typed_values_are_shown_once_then_the_stored_config_again(client, staff):
    club = make_club()
    client.force_login(staff)
    client.post(f"/clubs/{club.pk}/monitoring/", TYPED)

    first = client.get(f"/clubs/{club.pk}/").content.decode()
    second = client.get(f"/clubs/{club.pk}/").content.decode()

    assert 'value="Padel"' in first
    assert 'value="Padel"' not in second
    assert "id_end_time_local_error" not in second


def test_the_stored_sports_are_shown_separated_by_commas(client, staff):
    club = make_club()
    MonitoringConfig.objects.update_or_create(club=club, defaults={"sports": ["PADEL", "TENNIS"]})
    client.force_login(staff)

    page = client.get(f"/clubs/{club.pk}/").content.decode()

    assert 'value="PADEL, TENNIS"' in page
