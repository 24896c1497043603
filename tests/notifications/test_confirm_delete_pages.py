"""Every page that asks before deleting something (an account, a channel, an alert) is the
same page: the question names the thing in the title and the heading, the danger button
deletes, and "Keep it" goes back to where the thing is listed. Asking deletes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from notifications.models import Channel, Subscription
from notifications.services.channels import channel_create
from tests.support.web import web

pytestmark = pytest.mark.django_db


def _account(member: Any) -> tuple[Any, str, str, str]:
    account = account_create(owner=member, email="olga@gmail.com", password="pw", label="Olga")
    return account, f"/booking/accounts/{account.pk}/delete/", "Delete Olga?", "/booking/accounts/"


def _channel(member: Any) -> tuple[Any, str, str, str]:
    channel = channel_create(user=member, kind=Channel.Kind.EMAIL, address="olga@example.com")
    question = f"Delete {channel}?"
    return channel, f"/notifications/channels/{channel.pk}/delete/", question, "/notifications/"


def _subscription(member: Any) -> tuple[Any, str, str, str]:
    subscription = Subscription.objects.create(user=member, name="Evenings")
    path = f"/notifications/subscriptions/{subscription.pk}/delete/"
    return subscription, path, "Delete the alert?", "/notifications/subscriptions/"


@pytest.mark.parametrize("make", [_account, _channel, _subscription])
def test_the_confirmation_asks_by_name_and_offers_a_way_back(member, make):
    thing, path, question, back = make(member)

    page = web(member).get(path).content.decode()

    title = re.search(r"<title>(.*?)</title>", page, re.S)
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert title is not None and title.group(1).startswith(question)
    assert heading is not None and heading.group(1) == question
    assert re.search(r'<button class="btn danger" type="submit">[^<]+</button>', page)
    assert f'<a class="btn" href="{back}">Keep it</a>' in page
    assert type(thing).objects.filter(pk=thing.pk).exists()


@pytest.mark.parametrize(
    ("make", "model"),
    [(_account, PlaytomicAccount), (_channel, Channel), (_subscription, Subscription)],
)
def test_its_button_deletes_and_goes_back_to_the_list(member, make, model):
    thing, path, _question, back = make(member)

    response = web(member).post(path)

    assert response.status_code == 302
    assert response["Location"] == back
    assert not model.objects.filter(pk=thing.pk).exists()
