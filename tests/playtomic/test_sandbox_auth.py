"""Login, token lifetimes and refresh-token rotation in the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from playtomic.sandbox import SandboxServer
from tests.support.sandbox import EMAIL, PASSWORD, frozen_sandbox

NOW = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)

# Module-level session: keep-alive to the sandbox, no per-call timeout noise.
http = requests.Session()


sandbox = frozen_sandbox(now=NOW, seed=3)


def login(sandbox: SandboxServer) -> dict[str, str]:
    answer = http.post(
        f"{sandbox.url}/v3/auth/login",
        json={"email": EMAIL, "password": PASSWORD, "requested_user_roles": ["ROLE_CUSTOMER"]},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert isinstance(body, dict)
    return body


def refresh(sandbox: SandboxServer, token: str) -> requests.Response:
    return http.post(
        f"{sandbox.url}/v3/auth/token",
        json={"refresh_token": token, "requested_user_roles": ["ROLE_CUSTOMER"]},
    )


def tenants(sandbox: SandboxServer, access_token: str) -> requests.Response:
    return http.get(
        f"{sandbox.url}/v1/tenants", headers={"Authorization": f"Bearer {access_token}"}
    )


def test_login_answers_the_documented_token_response(sandbox: SandboxServer) -> None:
    body = login(sandbox)
    assert set(body) == {
        "access_token",
        "access_token_expiration",
        "refresh_token",
        "refresh_token_expiration",
        "user_id",
    }
    assert body["access_token_expiration"] == "2027-01-05T13:00:00"
    assert body["refresh_token_expiration"] == "2027-03-06T12:00:00"
    assert body["user_id"].isdigit() and len(body["user_id"]) == 7
    assert body["access_token"].count(".") == 2


def test_it_rejects_bad_credentials_with_401_unauthorized(sandbox: SandboxServer) -> None:
    answer = http.post(f"{sandbox.url}/v3/auth/login", json={"email": EMAIL, "password": "wrong"})
    assert answer.status_code == 401
    assert answer.json()["status"] == "UNAUTHORIZED"


def test_refresh_tokens_rotate_and_an_old_one_is_invalid(sandbox: SandboxServer) -> None:
    first = login(sandbox)
    second = refresh(sandbox, first["refresh_token"])
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert tenants(sandbox, second.json()["access_token"]).status_code == 200
    reused = refresh(sandbox, first["refresh_token"])
    assert reused.status_code == 401
    assert reused.json() == {"status": "USER_NOT_FOUND", "localized_message": "Invalid code."}
    assert refresh(sandbox, second.json()["refresh_token"]).status_code == 200


def test_access_tokens_expire_after_one_hour_of_sandbox_time(sandbox: SandboxServer) -> None:
    body = login(sandbox)
    sandbox.advance(timedelta(minutes=59))
    assert tenants(sandbox, body["access_token"]).status_code == 200
    sandbox.advance(timedelta(minutes=1))
    expired = tenants(sandbox, body["access_token"])
    assert expired.status_code == 401
    assert expired.json()["status"] == "UNAUTHORIZED"
    assert refresh(sandbox, body["refresh_token"]).status_code == 200


def test_the_expire_tokens_control_expires_every_access_token(sandbox: SandboxServer) -> None:
    body = login(sandbox)
    assert (
        http.post(f"{sandbox.url}/_sandbox/faults", json={"expire_tokens": True}).status_code == 200
    )
    assert tenants(sandbox, body["access_token"]).status_code == 401
    renewed = refresh(sandbox, body["refresh_token"])
    assert tenants(sandbox, renewed.json()["access_token"]).status_code == 200
