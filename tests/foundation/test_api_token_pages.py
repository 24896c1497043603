"""The API token page: a member makes a token (its secret shown on that one response, never
again), uses it against the API, sees when it was made and last used, and revokes it; another
member's tokens are out of reach."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from playtomic_monitor.bearer_secrets import secret_digest
from playtomic_monitor.models import ApiToken
from playtomic_monitor.services import api_token_create

pytestmark = pytest.mark.django_db

PAGE = "/api-tokens/"


def secret_on(page: bytes) -> str:
    match = re.search(rb'id="token-secret" value="(ptm_[^"]+)"', page)
    assert match, "the new token's secret should be on the page"
    return match.group(1).decode()


def test_it_makes_a_token_shows_its_secret_once_and_the_secret_works(client, member):
    client.force_login(member)

    response = client.post(PAGE, {"name": "grafana", "days": "30"})

    assert response.status_code == 200
    secret = secret_on(response.content)
    token = ApiToken.objects.get(user=member)
    assert token.name == "grafana"
    assert token.digest == secret_digest(secret)
    assert abs(token.expires_at - token.created_at - timedelta(days=30)) < timedelta(minutes=1)
    assert "no-store" in response["Cache-Control"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/clubs/").status_code == 200
    again = client.get(PAGE).content.decode()
    assert secret not in again
    assert "grafana" in again
    assert token.prefix in again


def test_the_list_shows_when_a_token_was_last_used(client, member):
    token, secret = api_token_create(user=member, name="nightly export")
    client.force_login(member)
    assert "never" in client.get(PAGE).content.decode()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    api.get("/api/clubs/")

    token.refresh_from_db()
    assert token.last_used_at is not None
    page = client.get(PAGE).content.decode()
    assert "never" not in page


def test_it_revokes_a_token_and_the_api_refuses_it(client, member):
    token, secret = api_token_create(user=member, name="ci")
    client.force_login(member)

    response = client.post(f"/api-tokens/{token.pk}/revoke/", follow=True)

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in response.content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/clubs/").status_code == 401


def test_it_keeps_the_tokens_of_another_member_out_of_reach(client, member, outsider):
    token, _ = api_token_create(user=outsider, name="theirs")
    client.force_login(member)

    assert "theirs" not in client.get(PAGE).content.decode()
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "  ", "days": "90"}, "name"), ({"name": "ci", "days": "7000"}, "days")],
)
def test_it_refuses_bad_input_beside_its_field_and_makes_nothing(client, member, data, field):
    client.force_login(member)

    response = client.post(PAGE, data)

    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert 'id="token-secret"' not in response.content.decode()


def test_it_asks_a_visitor_to_log_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
