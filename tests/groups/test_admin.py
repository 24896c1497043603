"""The groups admin: changelists answer without a query per row, and nothing in it makes an
invite (whose secret it could not show)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import account_create
from groups import services

pytestmark = pytest.mark.django_db

CHANGELISTS = ["/admin/groups/group/", "/admin/groups/invite/", "/admin/groups/lentaccount/"]


def add_group(index: int) -> None:
    owner = get_user_model().objects.create_user(username=f"owner{index}", password="x")
    group = services.group_create(name=f"Group {index}", created_by=owner)
    services.invite_create(group=group, actor=owner)
    account = account_create(owner=owner, email=f"o{index}@example.test", password="pw")
    services.account_lend(account=account, group=group, user=owner)


@pytest.mark.parametrize("url", CHANGELISTS)
def test_a_changelist_costs_as_many_queries_for_ten_rows_as_for_one(admin_client, url):
    add_group(0)
    admin_client.get(url)

    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for index in range(1, 10):
        add_group(index)
    with CaptureQueriesContext(connection) as ten:
        assert admin_client.get(url).status_code == 200

    assert len(ten) <= len(one)


def test_the_admin_cannot_add_an_invite_or_a_loan(admin_client):
    assert admin_client.get("/admin/groups/invite/add/").status_code == 403
    assert admin_client.get("/admin/groups/lentaccount/add/").status_code == 403


def test_every_list_filter_answers(admin_client):
    add_group(0)
    for url in CHANGELISTS:
        changelist = admin_client.get(url).context["cl"]
        for spec in changelist.filter_specs:
            for choice in spec.choices(changelist):
                response = admin_client.get(url + choice["query_string"])
                assert response.status_code == 200, (url, choice["query_string"])
                assert "errornote" not in response.content.decode()
