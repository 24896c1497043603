"""API tokens: only a digest is stored, so a database dump holds nothing that authenticates;
expired and revoked tokens are refused; a request without credentials is told how to
authenticate."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from playtomic_monitor.models import ApiToken
from playtomic_monitor.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

URL = "/api/clubs/"


def bearer(secret: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


def dump_token_table() -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM playtomic_monitor_apitoken")
        return cursor.fetchall()


def test_a_token_authenticates_its_user_and_records_its_use(member):
    token, secret = api_token_create(user=member, name="grafana")

    response = bearer(secret).get(URL)

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_database_dump_holds_nothing_that_authenticates(member):
    _, secret = api_token_create(user=member, name="grafana")
    stored = [str(value) for row in dump_token_table() for value in row]

    assert stored, "the dump should hold the token's row"
    assert not any(secret in value for value in stored)
    assert not any(secret[len("ptm_") :] in value for value in stored)
    for value in stored:
        assert bearer(value).get(URL).status_code == 401
    assert bearer(secret).get(URL).status_code == 200


def test_an_expired_token_is_refused(member):
    token, secret = api_token_create(user=member, name="ci", days=1)

    with time_machine.travel(token.expires_at - timedelta(seconds=5)):
        assert bearer(secret).get(URL).status_code == 200
    with time_machine.travel(token.expires_at + timedelta(seconds=1)):
        response = bearer(secret).get(URL)

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid, expired or revoked token."


def test_a_revoked_token_is_refused(member):
    token, secret = api_token_create(user=member, name="ci")
    assert bearer(secret).get(URL).status_code == 200

    assert api_token_revoke(token=token) is True

    assert bearer(secret).get(URL).status_code == 401
    assert api_token_revoke(token=token) is False  # already revoked


def test_the_token_of_a_deactivated_user_is_refused(member):
    _, secret = api_token_create(user=member, name="ci")
    member.is_active = False
    member.save()

    assert bearer(secret).get(URL).status_code == 401


def test_an_unknown_token_is_refused_and_not_passed_on_to_the_session(client, member):
    client.force_login(member)

    response = client.get(URL, HTTP_AUTHORIZATION="Bearer ptm_not-a-real-token")

    assert response.status_code == 401


def test_a_request_without_credentials_gets_401_with_www_authenticate(db):
    response = APIClient().get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_logged_in_session_still_reaches_the_api(client, member):
    client.force_login(member)

    assert client.get(URL).status_code == 200


def test_the_command_prints_the_secret_once_and_stores_only_its_digest(member):
    out, err = StringIO(), StringIO()

    call_command(
        "create_api_token", "member", "--name", "nightly export", "--days", "7",
        stdout=out, stderr=err,
    )  # fmt: skip

    secret = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.name == "nightly export"
    assert token.user == member
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert timedelta(days=7) - (token.expires_at - timezone.now()) < timedelta(minutes=1)
    assert secret not in err.getvalue()
    assert "not shown again" in err.getvalue()
    assert bearer(secret).get(URL).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "--name", "x"], "No user named 'nobody'."),
        (["member", "--name", "  "], "Give the token a name"),
        (["member", "--name", "x", "--days", "0"], "at least one day"),
    ],
)
def test_the_command_refuses_bad_input_and_stores_nothing(member, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=StringIO(), stderr=StringIO())

    assert not ApiToken.objects.exists()


def test_drf_tokens_are_carried_over_hashed_and_their_plain_rows_deleted(member):
    legacy_key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [legacy_key, timezone.now() - timedelta(days=30), member.pk],
        )
    migration = importlib.import_module("playtomic_monitor.migrations.0003_carry_over_drf_tokens")

    migration.carry_over_drf_tokens(apps, SimpleNamespace(connection=connection))

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    assert not any(legacy_key in str(value) for row in dump_token_table() for value in row)
    token = ApiToken.objects.get()
    assert token.user == member
    assert token.created_at < timezone.now() - timedelta(days=29)
    assert token.expires_at > timezone.now() + timedelta(days=89)
    # Scripts that sent DRF's "Token <key>" header keep working until the token expires.
    assert bearer(legacy_key, keyword="Token").get(URL).status_code == 200


def test_the_schema_declares_bearer_tokens_and_sessions():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiToken"] == {"type": "http", "scheme": "bearer"}
    assert "cookieAuth" in schemes
