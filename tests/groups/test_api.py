"""The groups API: who may call what (owner, admin, member, outsider, anonymous), and what the
answers hold: an invite's secret only in the answer that made it."""

from __future__ import annotations

import pytest

from accounts.services import account_create
from groups.models import Group, Invite, LentAccount, Membership
from tests.groups.conftest import each_of_the_cast, membership
from tests.support.api import api_client

pytestmark = pytest.mark.django_db


def calls(group: Group, invite: Invite, loan: LentAccount) -> dict[str, tuple[str, str]]:
    g = group.pk
    return {
        "detail": ("get", f"/api/groups/{g}/"),
        "members": ("get", f"/api/groups/{g}/members/"),
        "invites": ("get", f"/api/groups/{g}/invites/"),
        "invite-create": ("post", f"/api/groups/{g}/invites/"),
        "invite-revoke": ("post", f"/api/groups/{g}/invites/{invite.pk}/revoke/"),
        "lent": ("get", f"/api/groups/{g}/lent-accounts/"),
        "withdraw": ("delete", f"/api/groups/{g}/lent-accounts/{loan.pk}/"),
    }


# The member is the lender of the lent account.
EXPECTED = {
    "detail": {"owner": 200, "admin": 200, "member": 200, "outsider": 404},
    "members": {"owner": 200, "admin": 200, "member": 200, "outsider": 404},
    "invites": {"owner": 200, "admin": 200, "member": 403, "outsider": 404},
    "invite-create": {"owner": 201, "admin": 201, "member": 403, "outsider": 404},
    "invite-revoke": {"owner": 200, "admin": 200, "member": 403, "outsider": 404},
    "lent": {"owner": 200, "admin": 200, "member": 200, "outsider": 404},
    "withdraw": {"owner": 403, "admin": 403, "member": 204, "outsider": 404},
}


@each_of_the_cast("call", EXPECTED)
def test_each_endpoint_answers_each_of_the_cast_as_their_role_allows(
    cast, group, invite, loan, who, call
):
    method, url = calls(group, invite, loan)[call]

    response = getattr(api_client(cast.get(who)), method)(url, {}, format="json")

    expected = 401 if who == "anonymous" else EXPECTED[call][who]
    assert response.status_code == expected, response.content[:300]


def test_the_group_list_holds_your_groups_with_your_role_and_their_size(group, admin, outsider):
    mine = api_client(admin).get("/api/groups/").json()
    theirs = api_client(outsider).get("/api/groups/").json()

    assert [(g["name"], g["role"], g["member_count"]) for g in mine["results"]] == [
        ("Tuesday padel", "admin", 3)
    ]
    assert theirs["results"] == []
    assert api_client().get("/api/groups/").status_code == 401


def test_anyone_signed_in_makes_a_group_and_owns_it(outsider):
    response = api_client(outsider).post("/api/groups/", {"name": "Sunday"}, format="json")

    assert response.status_code == 201
    assert response.json()["role"] == "owner" and response.json()["member_count"] == 1
    group = Group.objects.get(pk=response.json()["id"])
    assert membership(group, outsider).role == Membership.Role.OWNER


@pytest.mark.parametrize("name", ["", "x" * 101, "a\x00b", None])
def test_a_bad_group_name_is_a_400_with_a_field_message(member, name):
    response = api_client(member).post("/api/groups/", {"name": name}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()


def test_members_are_listed_owner_first_by_name_without_emails(group, member, owner):
    owner.email = "olga@example.test"
    owner.save()

    response = api_client(member).get(f"/api/groups/{group.pk}/members/")

    rows = response.json()["results"]
    assert [(r["name"], r["role"]) for r in rows] == [
        ("Olga", "owner"),
        ("Adrián", "admin"),
        ("member", "member"),
    ]
    assert "olga@example.test" not in response.content.decode()


def test_the_secret_is_in_the_answer_that_makes_the_invite_and_nowhere_else(group, admin):
    made = api_client(admin).post(
        f"/api/groups/{group.pk}/invites/", {"max_uses": None, "days": 2}, format="json"
    )

    body = made.json()
    assert made.status_code == 201
    assert body["link"] == f"http://testserver/join/{body['token']}/"
    assert body["max_uses"] is None and body["status"] == "active"
    assert body["prefix"] == body["token"][:8]
    listed = api_client(admin).get(f"/api/groups/{group.pk}/invites/")
    assert body["token"] not in listed.content.decode()
    assert "token" not in listed.json()["results"][0]


@pytest.mark.parametrize(
    "data",
    [{"max_uses": 0}, {"max_uses": 101}, {"days": 0}, {"days": 31}, {"max_uses": "x"}],
)
def test_a_bad_invite_is_a_400_with_a_field_message(group, admin, data):
    response = api_client(admin).post(f"/api/groups/{group.pk}/invites/", data, format="json")

    assert response.status_code == 400
    assert set(data) <= set(response.json())


def test_revoking_answers_the_revoked_invite(group, admin, invite):
    response = api_client(admin).post(f"/api/groups/{group.pk}/invites/{invite.pk}/revoke/")

    assert response.json()["status"] == "revoked"
    invite.refresh_from_db()
    assert invite.revoked_at is not None


def test_a_member_lends_an_own_account_and_withdraws_it(group, member):
    account = account_create(owner=member, email="x@example.test", password="pw", label="Spare")
    api = api_client(member)

    lent = api.post(
        f"/api/groups/{group.pk}/lent-accounts/", {"account": account.pk}, format="json"
    )
    listed = api.get(f"/api/groups/{group.pk}/lent-accounts/").json()["results"]
    withdrawn = api.delete(f"/api/groups/{group.pk}/lent-accounts/{lent.json()['id']}/")

    assert lent.status_code == 201
    assert lent.json()["account_label"] == "Spare" and lent.json()["lent_by_name"] == "member"
    assert [row["account"] for row in listed] == [account.pk]
    assert withdrawn.status_code == 204
    assert not LentAccount.objects.filter(account=account).exists()


@pytest.mark.parametrize("value", ["99999999999999999999", "x", None, -1])
def test_lending_needs_one_of_your_own_accounts(group, admin, loan, value):
    api = api_client(admin)

    bad = api.post(f"/api/groups/{group.pk}/lent-accounts/", {"account": value}, format="json")
    stolen = api.post(
        f"/api/groups/{group.pk}/lent-accounts/", {"account": loan.account_id}, format="json"
    )

    assert bad.status_code == 400 and "account" in bad.json()
    assert stolen.status_code == 400 and stolen.json() == {"account": ["Unknown account."]}


def test_an_outsider_cannot_lend_to_a_group(group, outsider):
    account = account_create(owner=outsider, email="o@example.test", password="pw")

    response = api_client(outsider).post(
        f"/api/groups/{group.pk}/lent-accounts/", {"account": account.pk}, format="json"
    )

    assert response.status_code == 404
    assert not LentAccount.objects.filter(account=account).exists()


def test_an_id_beyond_any_row_is_a_404(owner, group):
    huge = "99999999999999999999"
    api = api_client(owner)

    assert api.get(f"/api/groups/{huge}/").status_code == 404
    assert api.get(f"/api/groups/{huge}/members/").status_code == 404
    assert api.post(f"/api/groups/{group.pk}/invites/{huge}/revoke/").status_code == 404
    assert api.delete(f"/api/groups/{group.pk}/lent-accounts/{huge}/").status_code == 404


def test_every_groups_endpoint_is_in_the_schema_with_examples(client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = {path for path in schema["paths"] if path.startswith("/api/groups/")}

    assert paths == {
        "/api/groups/",
        "/api/groups/{group_id}/",
        "/api/groups/{group_id}/members/",
        "/api/groups/{group_id}/invites/",
        "/api/groups/{group_id}/invites/{invite_id}/revoke/",
        "/api/groups/{group_id}/lent-accounts/",
        "/api/groups/{group_id}/lent-accounts/{loan_id}/",
    }
    invite_list = schema["paths"]["/api/groups/{group_id}/invites/"]["get"]["responses"]["200"]
    assert invite_list["content"]["application/json"]["examples"]
