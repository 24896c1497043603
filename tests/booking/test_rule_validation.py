"""rule_save rejects values outside what a column holds or a club offers, with a message per
field and nothing written. Before, a YAML import could store a 1e20 price (every rules and
attempts read then failed on SQLite), a NaN price crashed the comparison, and a negative
notice was reported as a duplicate name."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from booking.models import BookingRule
from booking.services.rules import rule_save

pytestmark = pytest.mark.django_db


def save(member: Any, club: Any, account: Any, **fields: Any) -> BookingRule:
    values: dict[str, Any] = {
        "name": "Evenings",
        "club": club,
        "earliest_start": time(18),
        "latest_start": time(21, 30),
        "release_policy": BookingRule.ReleasePolicy.FIXED,
        "release_days_before": 7,
        "release_local_time": time(8, 30),
    }
    values.update(fields)
    return rule_save(owner=member, accounts=[account], **values)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"max_price": Decimal("1e20")}, "max_price"),
        ({"max_price": Decimal("NaN")}, "max_price"),
        ({"max_price": Decimal("Infinity")}, "max_price"),
        ({"max_price": Decimal("10.005")}, "max_price"),
        ({"durations": [30 * 10**9]}, "durations"),
        ({"release_days_before": -1}, "release_days_before"),
        ({"release_days_before": 10**6}, "release_days_before"),
        ({"snipe_min_notice_minutes": -5}, "snipe_min_notice_minutes"),
        ({"snipe_min_notice_minutes": 10**12}, "snipe_min_notice_minutes"),
        ({"name": "x" * 101}, "name"),
        ({"name": "a\x00b"}, "name"),
    ],
)
def test_it_rejects_out_of_range_values_with_a_field_message_and_writes_nothing(
    member, club, account, fields, field
):
    with pytest.raises(ValidationError) as caught:
        save(member, club, account, **fields)

    assert field in caught.value.message_dict
    assert not BookingRule.objects.exists()


def test_it_accepts_the_bounds_themselves(member, club, account):
    rule = save(
        member,
        club,
        account,
        max_price=Decimal("999999.99"),
        durations=[360],
        release_days_before=0,
        snipe_min_notice_minutes=0,
        name="x" * 100,
    )

    assert rule.pk is not None
