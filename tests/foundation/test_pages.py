from __future__ import annotations

import socket

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_it_logs_in_and_shows_the_navigation(client, member):
    response = client.post(
        "/accounts/login/", {"username": "member", "password": "member-pass-123"}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"].is_authenticated
    assert b"Log out" in response.content


def test_it_rejects_a_wrong_password_with_a_form_error(client, member):
    response = client.post("/accounts/login/", {"username": "member", "password": "nope"})
    assert response.status_code == 200
    assert b"form-error" in response.content


def test_pages_require_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_admin_is_mounted(client):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert b"Django administration" in response.content or b"Log in" in response.content


def test_the_api_docs_are_public_and_work_offline(client):
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/docs/")
    assert response.status_code == 200
    # Swagger UI's assets come from this server, so the docs work offline.
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.content


def test_swagger_assets_are_served_locally(client):
    html = client.get("/api/docs/").content.decode()
    assert "cdn" not in html.lower()


def test_the_openapi_schema_is_valid_json(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Playtomic Monitor API"


def test_ensure_admin_creates_one_admin_with_a_random_password(capsys, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    call_command("ensure_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert len(password) >= 12

    call_command("ensure_admin")
    assert "exists already" in capsys.readouterr().out
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_ensure_admin_uses_the_superuser_environment(capsys, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "boss")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-chosen-password")
    call_command("ensure_admin")
    assert "password:" not in capsys.readouterr().out
    assert get_user_model().objects.get(username="boss").check_password("a-long-chosen-password")


def test_outbound_network_is_blocked_in_tests():
    with pytest.raises(Exception, match=r"(?i)socket|blocked"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "paths:" in (tmp_path / "s.yml").read_text()


def test_the_admin_does_not_list_api_tokens(client):
    admin_user = get_user_model().objects.create_superuser("root", "", "root-pass-123")
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/authtoken/tokenproxy/").status_code == 404
