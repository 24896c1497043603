"""The Playtomic accounts page: an account without a label is shown by its masked email, and
its owner can delete it after a confirmation page; another member's account is out of reach."""

from __future__ import annotations

import pytest

from accounts.models import PlaytomicAccount, masked_email
from accounts.services import account_create

pytestmark = pytest.mark.django_db

LIST = "/booking/accounts/"


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("olga@gmail.com", "o•••@g•••.com"),
        ("adrian.perez@mail.example.es", "a•••@m•••.es"),
        ("x@localhost", "x•••@l•••"),
    ],
)
def test_it_masks_an_email_to_a_hint(email, shown):
    assert masked_email(email) == shown


def test_an_account_without_a_label_shows_its_masked_email(client, member):
    account_create(owner=member, email="olga@gmail.com", password="secret-1")
    account_create(owner=member, email="adrian@gmail.com", password="secret-2", label="Adrián")
    client.force_login(member)

    page = client.get(LIST).content.decode()

    assert "o•••@g•••.com" in page
    assert "Adrián" in page
    assert "olga@gmail.com" not in page
    assert "adrian@gmail.com" not in page
    assert "Playtomic account #" not in page


def test_it_deletes_an_account_after_asking(client, member):
    account = account_create(owner=member, email="olga@gmail.com", password="secret-1")
    client.force_login(member)

    confirm = client.get(f"/booking/accounts/{account.pk}/delete/")
    assert confirm.status_code == 200
    assert "o•••@g•••.com" in confirm.content.decode()
    assert PlaytomicAccount.objects.filter(pk=account.pk).exists()

    done = client.post(f"/booking/accounts/{account.pk}/delete/", follow=True)

    assert done.status_code == 200
    assert not PlaytomicAccount.objects.filter(pk=account.pk).exists()
    assert "Deleted o•••@g•••.com." in done.content.decode()


def test_another_members_account_cannot_be_deleted(client, member, outsider):
    account = account_create(owner=outsider, email="olga@gmail.com", password="secret-1")
    client.force_login(member)

    assert client.get(f"/booking/accounts/{account.pk}/delete/").status_code == 404
    assert client.post(f"/booking/accounts/{account.pk}/delete/").status_code == 404
    assert PlaytomicAccount.objects.filter(pk=account.pk).exists()


def test_the_page_links_to_the_api_tokens(client, member):
    client.force_login(member)

    assert 'href="/api-tokens/"' in client.get(LIST).content.decode()
