"""A lent account's email and password appear in no page, API answer or admin page of the
groups, whoever looks (its owner included); nor does an invite's secret once its page was
shown."""

from __future__ import annotations

import pytest

from groups import services
from tests.groups.conftest import LENT_EMAIL, LENT_PASSWORD
from tests.support.api import api_client
from tests.support.web import web

pytestmark = pytest.mark.django_db


def test_a_lent_accounts_secrets_never_appear_in_a_page_or_an_answer(
    group, owner, admin, member, staff, loan
):
    staff.is_superuser = True
    staff.save()
    account = loan.account
    secrets = [LENT_EMAIL, LENT_PASSWORD, LENT_EMAIL.split("@")[0]]
    texts = []
    for user in (owner, admin, member):
        client = web(user)
        for url in ("/groups/", f"/groups/{group.pk}/"):
            texts.append(client.get(url).content.decode())
        api = api_client(user)
        for url in (
            "/api/groups/",
            f"/api/groups/{group.pk}/",
            f"/api/groups/{group.pk}/members/",
            f"/api/groups/{group.pk}/invites/",
            f"/api/groups/{group.pk}/lent-accounts/",
        ):
            texts.append(api.get(url).content.decode())
    lent_again = api_client(member).post(
        f"/api/groups/{group.pk}/lent-accounts/", {"account": account.pk}, format="json"
    )
    texts.append(lent_again.content.decode())
    admin_site = web(staff)
    for url in (
        "/admin/groups/group/",
        f"/admin/groups/group/{group.pk}/change/",
        "/admin/groups/lentaccount/",
        f"/admin/groups/lentaccount/{loan.pk}/change/",
    ):
        response = admin_site.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())

    assert "Weekend account" in texts[1]  # the label is what people see
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_an_invites_secret_is_shown_once_and_never_in_the_admin(group, owner, staff):
    staff.is_superuser = True
    staff.save()
    client = web(owner)
    client.post(f"/groups/{group.pk}/invites/", {"uses": "1", "days": "7"})
    shown = client.get(f"/groups/{group.pk}/").context["new_link"]
    secret = shown.rstrip("/").rsplit("/", 1)[1]
    invite = group.invites.order_by("-id").first()

    texts = [
        client.get(f"/groups/{group.pk}/").content.decode(),
        api_client(owner).get(f"/api/groups/{group.pk}/invites/").content.decode(),
        web(staff).get("/admin/groups/invite/").content.decode(),
        web(staff).get(f"/admin/groups/invite/{invite.pk}/change/").content.decode(),
    ]

    assert invite.prefix in texts[2]
    for text in texts:
        assert secret not in text
    assert services.invite_accept(secret=secret, user=staff).group == group
