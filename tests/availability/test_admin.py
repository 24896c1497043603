"""The availability admin changelists: their query count does not grow with their rows (no
N+1), and every list filter answers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.clubs.test_admin import (
    assert_every_list_filter_answers,
    assert_queries_do_not_grow_with_rows,
)

AVAILABILITY_CHANGELISTS = [
    "/admin/availability/pollrun/",
    "/admin/availability/slotstate/",
    "/admin/availability/slotchange/",
    "/admin/availability/availabilityevent/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", AVAILABILITY_CHANGELISTS)
def test_an_availability_changelist_costs_as_many_queries_for_twenty_rows_as_for_one(
    admin_client: Any, admin_user: Any, url: str
) -> None:
    assert_queries_do_not_grow_with_rows(admin_client, admin_user, url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", AVAILABILITY_CHANGELISTS)
def test_every_list_filter_of_an_availability_changelist_answers(
    admin_client: Any, admin_user: Any, url: str
) -> None:
    assert_every_list_filter_answers(admin_client, admin_user, url)
