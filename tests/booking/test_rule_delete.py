"""Deleting a rule from its page: a confirmation page first (no JavaScript needed), then the
rule and its pending schedule go; only its creator and the group's admins may."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from booking.models import BookingRule
from tests.support.web import web

pytestmark = pytest.mark.django_db


def test_the_rule_page_links_to_a_confirmation_that_deletes_nothing_yet(member, make_rule):
    rule, _, _ = make_rule(seconds=3600)

    detail = web(member).get(f"/booking/rules/{rule.pk}/").content.decode()
    confirm = web(member).get(f"/booking/rules/{rule.pk}/delete/")

    assert f'href="/booking/rules/{rule.pk}/delete/"' in detail
    assert confirm.status_code == 200
    assert "Its next booking attempt is cancelled" in confirm.content.decode()
    assert (
        f'<a class="btn" href="/booking/rules/{rule.pk}/">Keep it</a>' in confirm.content.decode()
    )
    assert BookingRule.objects.filter(pk=rule.pk).exists()


def test_confirming_deletes_the_rule_and_its_pending_schedule(member, make_rule):
    rule, _, _ = make_rule(seconds=3600)
    assert rule.periodic_task_id is not None
    task_pk = rule.periodic_task_id

    response = web(member).post(f"/booking/rules/{rule.pk}/delete/")

    assert response.status_code == 302
    assert response["Location"] == "/booking/"
    assert not BookingRule.objects.filter(pk=rule.pk).exists()
    assert not PeriodicTask.objects.filter(pk=task_pk).exists()


def test_someone_who_may_not_change_the_rule_cannot_delete_it(member, outsider, make_rule):
    rule, _, _ = make_rule(seconds=3600)

    assert web(outsider).get(f"/booking/rules/{rule.pk}/delete/").status_code == 404
    assert web(outsider).post(f"/booking/rules/{rule.pk}/delete/").status_code == 404
    assert BookingRule.objects.filter(pk=rule.pk).exists()
