from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from availability.models import PollRun
from clubs.models import Club
from tests.clubs.conftest import MADRID

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_search_clubs_lists_matches(reader: Any):
    assert "sandbox-padel-madrid" in run("search_clubs", "madrid")


def test_search_clubs_explains_bad_input(reader: Any):
    with pytest.raises(CommandError, match="at least 2 characters"):
        run("search_clubs", "m")
    with pytest.raises(CommandError, match="latitude,longitude"):
        run("search_clubs", "--near", "north")


def test_import_club_imports_and_can_turn_monitoring_on(reader: Any):
    assert "Imported Sandbox Padel Madrid" in run("import_club", "--slug", MADRID, "--monitor")
    assert Club.objects.get().monitoring.enabled


def test_import_club_explains_an_unknown_slug(reader: Any):
    with pytest.raises(CommandError, match="no club with this slug"):
        run("import_club", "--slug", "nowhere")


def test_poll_club_prints_the_poll_run(madrid: Club):
    assert "PollRun" in run("poll_club", MADRID, "--days-ahead", "0")
    assert PollRun.objects.get().outcome == PollRun.Outcome.OK


def test_poll_club_explains_an_unknown_club(db: Any):
    with pytest.raises(CommandError, match="No club 'nowhere'"):
        run("poll_club", "nowhere")


def test_poll_club_explains_bad_days(madrid: Club):
    with pytest.raises(CommandError, match="days_ahead: Choose between 0 and 14"):
        run("poll_club", str(madrid.pk), "--days-ahead", "99")


def test_poll_club_explains_a_club_key_that_is_a_digit_but_not_a_number(db: Any):
    with pytest.raises(CommandError, match="No club '²'"):
        run("poll_club", "²")
