"""Issue 9: a manual fetch is a task on the `poll` queue. The page and the API answer at once
with a queued PollRun; the worker claims it (queued -> running, once), stores day after day
and saves its progress as it goes; the club page and the APIs show it."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from availability.models import PollRun
from availability.services import polling
from availability.tasks import poll_club_now
from clubs.models import Club
from playtomic_monitor.celery import app as celery_app
from tests.availability.analytics_history import make_club
from tests.support.api import api_client

pytestmark = pytest.mark.django_db

AVAILABILITY = "/v1/availability"


@pytest.fixture
def broker_down(monkeypatch: Any) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", refuse)


def progress_url(run: PollRun) -> str:
    return f"/clubs/{run.club_id}/polls/{run.pk}/"


def fetch_from_the_page(client: Any, club: Club, capture: Any) -> tuple[Any, PollRun]:
    with capture(execute=True):
        response = client.post(f"/clubs/{club.pk}/fetch/")
    return response, PollRun.objects.get(club=club)


def test_fetch_now_redirects_at_once_with_a_queued_run_and_asks_playtomic_nothing(
    client, staff, madrid, use_sandbox, sent, django_capture_on_commit_callbacks
):
    client.force_login(staff)

    response, run = fetch_from_the_page(client, madrid, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == f"/clubs/{madrid.pk}/?poll={run.pk}"
    assert (run.outcome, run.trigger) == (PollRun.Outcome.QUEUED, PollRun.Trigger.MANUAL)
    assert len(run.days) == 8 and run.days_ok == []  # today plus the default 7 days
    assert sent == [("availability.tasks.poll_club_now", [run.pk], "poll")]
    assert use_sandbox.requests(path=AVAILABILITY) == []


def test_the_page_shows_the_queued_run_and_a_reload_link_without_javascript(
    client, staff, madrid, sent, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response, run = fetch_from_the_page(client, madrid, django_capture_on_commit_callbacks)

    page = client.get(response["Location"]).content.decode()

    assert f'data-poll-url="{progress_url(run)}"' in page
    assert "Waiting for a poll worker to fetch 8 days." in page
    assert f'href="?poll={run.pk}">Reload</a>' in page
    assert "js/poll-progress.js" in page


def test_the_worker_fills_the_run_and_members_read_it_finished(
    client, staff, member, madrid, use_sandbox, sent, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response, run = fetch_from_the_page(client, madrid, django_capture_on_commit_callbacks)

    poll_club_now(run.pk)  # what the poll worker does with the message
    client.force_login(member)
    progress = client.get(progress_url(run))
    page = client.get(response["Location"]).content.decode()

    assert progress.status_code == 200
    body = progress.json()
    assert body["outcome"] == "ok" and body["finished"] is True
    assert body["days_ok"] == body["days"] and len(body["days"]) == 8
    assert body["cells_seen"] > 0 and body["changes_written"] == body["cells_seen"]
    assert (body["error_kind"], body["error_message"]) == ("", "")
    assert len(use_sandbox.requests(path=AVAILABILITY)) == 8
    assert f"Done: 8 of 8 days stored, {body['cells_seen']} cells seen" in page
    assert "js/poll-progress.js" not in page  # nothing left to watch


def test_the_run_shows_its_days_in_the_database_while_it_polls(
    client, staff, madrid, sent, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    _, run = fetch_from_the_page(client, madrid, django_capture_on_commit_callbacks)
    stored_before_each_day: list[tuple[str, int]] = []
    ingest_day = polling.ingest_day

    def watch(**kwargs: Any) -> Any:
        row = PollRun.objects.get(pk=run.pk)
        stored_before_each_day.append((row.outcome, len(row.days_ok)))
        return ingest_day(**kwargs)

    monkeypatch.setattr(polling, "ingest_day", watch)
    poll_club_now(run.pk)

    assert stored_before_each_day == [("running", day) for day in range(8)]


def test_a_second_delivery_of_the_same_message_does_nothing(
    staff, madrid, use_sandbox, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(staff).post(f"/api/clubs/{madrid.pk}/fetch-availability?days=1")
    run_id = response.json()["id"]

    poll_club_now(run_id)
    first = PollRun.objects.get(pk=run_id)
    requests = len(use_sandbox.requests(path=AVAILABILITY))
    poll_club_now(run_id)

    again = PollRun.objects.get(pk=run_id)
    assert first.outcome == PollRun.Outcome.OK and requests == 2
    assert len(use_sandbox.requests(path=AVAILABILITY)) == requests
    assert (again.outcome, again.finished_at, again.cells_seen) == (
        first.outcome,
        first.finished_at,
        first.cells_seen,
    )
    assert PollRun.objects.count() == 1


def test_the_api_answers_202_with_the_queued_run_and_where_to_read_it(
    staff, member, madrid, use_sandbox, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(staff).post(f"/api/clubs/{madrid.pk}/fetch-availability?days=2")

    assert response.status_code == 202, response.content
    run = response.json()
    assert run["outcome"] == "queued" and len(run["days"]) == 3 and run["days_ok"] == []
    assert run["url"] == f"http://testserver/api/clubs/{madrid.pk}/poll-runs/{run['id']}"
    assert response["Location"] == run["url"]
    assert sent == [("availability.tasks.poll_club_now", [run["id"]], "poll")]
    assert use_sandbox.requests(path=AVAILABILITY) == []

    poll_club_now(run["id"])
    done = api_client(member).get(run["url"])

    assert done.status_code == 200
    assert done.json()["outcome"] == "ok" and done.json()["days_ok"] == run["days"]


def test_a_poll_run_is_read_only_through_its_own_club(staff, madrid):
    other = make_club("Elsewhere")
    run = PollRun.objects.create(club=madrid, started_at=timezone.now(), days=["2026-03-28"])
    api = api_client(staff)

    assert api.get(f"/api/clubs/{madrid.pk}/poll-runs/{run.pk}").status_code == 200
    assert api.get(f"/api/clubs/{other.pk}/poll-runs/{run.pk}").status_code == 404
    assert api.get(f"/api/clubs/{madrid.pk}/poll-runs/{run.pk + 1}").status_code == 404


@pytest.mark.parametrize("days", ["-1", "15", "many"])
def test_the_api_rejects_days_outside_the_horizon_with_a_field_message(staff, madrid, sent, days):
    response = api_client(staff).post(f"/api/clubs/{madrid.pk}/fetch-availability?days={days}")

    assert response.status_code == 400
    assert response.json()["days"]
    assert not PollRun.objects.exists() and sent == []


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_api_answers_503_and_the_run_is_failed(
    staff, madrid, use_sandbox, broker_down
):
    response = api_client(staff).post(f"/api/clubs/{madrid.pk}/fetch-availability?days=1")

    assert response.status_code == 503
    body = response.json()
    assert (body["outcome"], body["error_kind"]) == ("failed", "broker_unavailable")
    assert "task broker did not answer" in body["error_message"]
    run = PollRun.objects.get()
    assert (run.outcome, run.error_kind) == (PollRun.Outcome.FAILED, "broker_unavailable")
    assert run.finished_at is not None
    assert use_sandbox.requests(path=AVAILABILITY) == []
    poll_club_now(run.pk)  # a message that got through after all finds nothing to do
    assert PollRun.objects.get().outcome == PollRun.Outcome.FAILED


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_page_says_so(client, staff, madrid, broker_down):
    client.force_login(staff)

    page = client.post(f"/clubs/{madrid.pk}/fetch/", follow=True)

    assert page.redirect_chain == [(f"/clubs/{madrid.pk}/", 302)]
    assert b"msg-error" in page.content and b"task broker did not answer" in page.content
    assert PollRun.objects.get().error_kind == "broker_unavailable"


def test_members_may_not_start_a_fetch(client, member, madrid, sent):
    client.force_login(member)

    page = client.post(f"/clubs/{madrid.pk}/fetch/")
    api = api_client(member).post(f"/api/clubs/{madrid.pk}/fetch-availability?days=1")

    assert page.status_code == 302 and "login" in page["Location"]
    assert api.status_code == 403
    assert not PollRun.objects.exists() and sent == []


def test_anonymous_visitors_see_no_progress_and_unknown_runs_are_404(client, member, madrid):
    run = PollRun.objects.create(club=madrid, started_at=timezone.now(), days=[])
    other = make_club("Elsewhere")

    anonymous = client.get(progress_url(run))
    client.force_login(member)

    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert client.get(progress_url(run)).status_code == 200
    assert client.get(f"/clubs/{other.pk}/polls/{run.pk}/").status_code == 404
    assert client.post(progress_url(run)).status_code == 405


def test_the_page_shows_an_unfinished_manual_fetch_to_everyone_but_not_a_scheduled_poll(
    client, member, madrid
):
    scheduled = PollRun.objects.create(
        club=madrid, trigger=PollRun.Trigger.SCHEDULE, started_at=timezone.now(), days=["x"]
    )
    client.force_login(member)
    quiet = client.get(f"/clubs/{madrid.pk}/").content.decode()
    manual = PollRun.objects.create(
        club=madrid,
        trigger=PollRun.Trigger.MANUAL,
        outcome=PollRun.Outcome.RUNNING,
        started_at=timezone.now(),
        days=["2026-03-28", "2026-03-29", "2026-03-30"],
        days_ok=["2026-03-28"],
    )

    page = client.get(f"/clubs/{madrid.pk}/").content.decode()

    assert scheduled.outcome == PollRun.Outcome.RUNNING and 'id="poll"' not in quiet
    assert f'data-poll-url="{progress_url(manual)}"' in page
    assert "Fetching: 1 of 3 days stored" in page
    assert "Fetch now" not in page  # members watch, staff start
