"""Who may open and use each group page: the owner, an admin, a member, an outsider (404,
never a hint the group exists) and an anonymous visitor (sent to log in)."""

from __future__ import annotations

from typing import Any

import pytest

from groups import services
from groups.models import Group, Invite, LentAccount, Membership
from tests.groups.conftest import each_of_the_cast, membership
from tests.support.web import web

pytestmark = pytest.mark.django_db


def urls(group: Group, member: Any, invite: Invite, loan: LentAccount) -> dict[str, str]:
    g = group.pk
    m = membership(group, member).pk
    return {
        "detail": f"/groups/{g}/",
        "leave": f"/groups/{g}/leave/",
        "invite-create": f"/groups/{g}/invites/",
        "invite-revoke": f"/groups/{g}/invites/{invite.pk}/revoke/",
        "remove": f"/groups/{g}/members/{m}/remove/",
        "role": f"/groups/{g}/members/{m}/role/",
        "make-owner": f"/groups/{g}/members/{m}/make-owner/",
        "lend": f"/groups/{g}/lent/",
        "withdraw": f"/groups/{g}/lent/{loan.pk}/withdraw/",
    }


# What each of the cast gets: 200 a page, 302 done (back to the page), 403 refused, 404 as if
# the group did not exist (the owner leaving is refused with a message on the page). The
# "member" is the one acted upon by remove/role/make-owner (they cannot remove themselves:
# they leave), and the lender of the lent account.
EXPECTED = {
    ("detail", "GET"): {"owner": 200, "admin": 200, "member": 200, "outsider": 404},
    ("invite-create", "POST"): {"owner": 302, "admin": 302, "member": 403, "outsider": 404},
    ("invite-revoke", "POST"): {"owner": 302, "admin": 302, "member": 403, "outsider": 404},
    ("remove", "POST"): {"owner": 302, "admin": 302, "member": 403, "outsider": 404},
    ("role", "POST"): {"owner": 302, "admin": 403, "member": 403, "outsider": 404},
    ("make-owner", "POST"): {"owner": 302, "admin": 403, "member": 403, "outsider": 404},
    ("leave", "POST"): {"owner": 302, "admin": 302, "member": 302, "outsider": 404},
    ("withdraw", "POST"): {"owner": 403, "admin": 403, "member": 302, "outsider": 404},
}
FORMS = {"invite-create": {"uses": "1", "days": "7"}, "role": {"role": "admin"}}


@each_of_the_cast(("page", "method"), EXPECTED)
def test_each_page_answers_each_of_the_cast_as_their_role_allows(
    cast, group, invite, loan, member, who, page, method
):
    url = urls(group, member, invite, loan)[page]
    client = web(cast.get(who))

    response = client.get(url) if method == "GET" else client.post(url, FORMS.get(page, {}))

    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == EXPECTED[(page, method)][who], response.content[:300]


def test_the_group_list_needs_a_login_and_shows_only_your_groups(group, outsider):
    assert web().get("/groups/").status_code == 302
    theirs = services.group_create(name="Sunday doubles", created_by=outsider)

    page = web(outsider).get("/groups/").content.decode()

    assert "Sunday doubles" in page and "Tuesday padel" not in page
    assert f"/groups/{theirs.pk}/" in page


def test_the_navigation_links_to_the_groups(member):
    page = web(member).get("/groups/").content.decode()

    assert 'href="/groups/"' in page and ">Groups</a>" in page


def test_actions_refuse_a_get(group, owner):
    for url in (f"/groups/{group.pk}/leave/", f"/groups/{group.pk}/invites/"):
        assert web(owner).get(url).status_code == 405


def test_an_id_beyond_any_row_is_a_404(owner, group):
    huge = "99999999999999999999"

    assert web(owner).get(f"/groups/{huge}/").status_code == 404
    assert web(owner).post(f"/groups/{group.pk}/members/{huge}/remove/").status_code == 404
    assert web(owner).post(f"/groups/{group.pk}/invites/{huge}/revoke/").status_code == 404


def test_making_a_group_makes_you_its_owner(member):
    response = web(member).post("/groups/", {"name": "  Thursday   league "})

    group = Group.objects.get(name="Thursday league")
    assert response["Location"] == f"/groups/{group.pk}/"
    assert membership(group, member).role == Membership.Role.OWNER


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "a\x00b"])
def test_a_bad_group_name_is_a_field_error(member, name):
    response = web(member).post("/groups/", {"name": name})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not Group.objects.exists()


def test_the_group_page_shows_members_with_roles_and_the_owner_their_controls(group, owner):
    page = web(owner).get(f"/groups/{group.pk}/").content.decode()

    for text in ("Olga", "Adrián", "member", "Owner", "Admin", "Make admin", "Make owner"):
        assert text in page
    assert "Leave group" not in page  # the owner hands the group over first


def test_a_member_sees_no_invites_and_no_controls_over_others(group, member, invite):
    page = web(member).get(f"/groups/{group.pk}/").content.decode()

    assert "Invite links" not in page and invite.prefix not in page
    assert "Remove" not in page and "Make admin" not in page
    assert "Leave group" in page


def test_a_new_link_is_shown_once_with_a_copy_button(group, admin):
    client = web(admin)

    client.post(f"/groups/{group.pk}/invites/", {"uses": "0", "days": "30"})
    first = client.get(f"/groups/{group.pk}/").content.decode()
    second = client.get(f"/groups/{group.pk}/").content.decode()

    invite = Invite.objects.filter(group=group).first()
    assert invite is not None and invite.max_uses is None
    assert "http://testserver/join/" in first and "data-copy" in first
    assert "http://testserver/join/" not in second
    assert invite.prefix in second  # still listed, by prefix


def test_a_bad_invite_choice_is_refused_with_a_message(group, admin):
    response = web(admin).post(
        f"/groups/{group.pk}/invites/", {"uses": "7", "days": "9" * 40}, follow=True
    )

    assert "Choose who can use the link" in response.content.decode()
    assert not Invite.objects.filter(group=group, created_by=admin).exists()


def test_an_admin_withdraws_a_link(group, admin, invite):
    web(admin).post(f"/groups/{group.pk}/invites/{invite.pk}/revoke/")

    invite.refresh_from_db()
    assert invite.revoked_at is not None


def test_the_owner_promotes_and_demotes_an_admin(group, owner, member):
    target = membership(group, member)

    web(owner).post(f"/groups/{group.pk}/members/{target.pk}/role/", {"role": "admin"})
    promoted = membership(group, member).role
    web(owner).post(f"/groups/{group.pk}/members/{target.pk}/role/", {"role": "member"})

    assert promoted == Membership.Role.ADMIN
    assert membership(group, member).role == Membership.Role.MEMBER


def test_a_role_the_form_does_not_offer_is_refused(group, owner, member):
    target = membership(group, member)

    response = web(owner).post(
        f"/groups/{group.pk}/members/{target.pk}/role/", {"role": "owner"}, follow=True
    )

    assert "Choose admin or member." in response.content.decode()
    assert membership(group, member).role == Membership.Role.MEMBER


def test_the_owner_cannot_leave_or_be_removed_from_the_pages(group, owner, admin):
    owner_membership = membership(group, owner)

    left = web(owner).post(f"/groups/{group.pk}/leave/", follow=True).content.decode()
    removed = web(admin).post(
        f"/groups/{group.pk}/members/{owner_membership.pk}/remove/", follow=True
    )

    assert "Hand the group over to another member before leaving it." in left
    assert "The owner cannot be removed." in removed.content.decode()
    assert membership(group, owner).role == Membership.Role.OWNER


def test_the_owner_hands_over_and_then_may_leave(group, owner, admin):
    to = membership(group, admin)

    web(owner).post(f"/groups/{group.pk}/members/{to.pk}/make-owner/")
    response = web(owner).post(f"/groups/{group.pk}/leave/")

    assert membership(group, admin).role == Membership.Role.OWNER
    assert response["Location"] == "/groups/"
    assert not Membership.objects.filter(group=group, user=owner).exists()


def test_lending_and_withdrawing_from_the_page(group, member):
    from accounts.services import account_create

    account = account_create(owner=member, email="x@example.test", password="pw", label="Spare")
    client = web(member)

    client.post(f"/groups/{group.pk}/lent/", {"account": str(account.pk)})
    loan = LentAccount.objects.get(group=group, account=account)
    page = client.get(f"/groups/{group.pk}/").content.decode()
    client.post(f"/groups/{group.pk}/lent/{loan.pk}/withdraw/")

    assert "Spare" in page and "Withdraw" in page
    assert not LentAccount.objects.filter(group=group, account=account).exists()


@pytest.mark.parametrize("value", ["99999999999999999999", "x", "\x00", ""])
def test_lending_an_account_that_is_not_yours_is_refused(group, admin, member, loan, value):
    response = web(admin).post(f"/groups/{group.pk}/lent/", {"account": value}, follow=True)
    stolen = web(admin).post(f"/groups/{group.pk}/lent/", {"account": str(loan.account_id)})

    assert response.status_code == 200
    assert "Choose one of your own accounts." in response.content.decode()
    assert stolen.status_code == 302
    assert LentAccount.objects.filter(group=group).count() == 1
