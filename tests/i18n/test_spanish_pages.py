"""The pages read in Spanish when the browser asks for it (Accept-Language) or the person
picks it with the switcher, and in English otherwise."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
TAG = re.compile(r"<[^>]+>")
CODE = re.compile(r"<(script|style|code|pre|svg)\b.*?</\1>", re.DOTALL)

# Pages a member reaches, with a Spanish phrase each must show.
MEMBER_PAGES = {
    "/": "La ocupación de cada club hoy",
    "/compare/": "Comparar clubes",
    "/booking/": "Reserva automática",
    "/booking/games/": "Nuestros partidos",
    "/booking/play/": "¿Cuándo podemos jugar?",
    "/booking/calendar/": "Nuestros partidos en tu calendario",
    "/booking/rules/add/": "Nueva regla de reserva",
    "/booking/accounts/": "Cuentas de Playtomic",
    "/booking/accounts/add/": "Añadir una cuenta de Playtomic",
    "/groups/": "Tus grupos",
    "/api-tokens/": "Tokens de la API",
    "/notifications/": "Añadir un canal",
    "/notifications/channels/add/": "Solo estos mensajes",
    "/notifications/subscriptions/": "Alertas de pista libre",
    "/notifications/subscriptions/add/": "Añadir una alerta",
}


def _english_only() -> set[str]:
    """The catalog's English sentences whose Spanish differs: none may be left on a page read
    in Spanish."""
    return {
        e.msgid
        for e in polib.pofile(str(CATALOG))
        if not e.msgid_plural and "%" not in e.msgid and e.msgstr and e.msgstr != e.msgid
    }


def _texts(html: str) -> list[str]:
    """The visible text pieces of a page: between tags, outside scripts, styles and code."""
    body = CODE.sub(" ", html)
    return [" ".join(unescape(p).split()) for p in TAG.split(body) if p.strip()]


def _english_left(html: str, english: set[str]) -> list[str]:
    return [text for text in _texts(html) if text in english]


@pytest.fixture
def rule(make_rule: Any) -> Any:
    return make_rule(seconds=3600)[0]


def test_it_serves_every_member_page_in_spanish_to_a_spanish_browser(
    client: Any, member: Any, group: Any, rule: Any, account: Any
) -> None:
    client.force_login(member)
    # The cast's usernames ("member", "owner", "admin") are names, not English to translate.
    english = _english_only() - {m.user.username for m in group.memberships.all()}
    pages = {
        **MEMBER_PAGES,
        f"/clubs/{rule.club.pk}/": "Cuándo hay más gente",
        f"/booking/rules/{rule.pk}/": "Próxima apertura",
        f"/booking/rules/{rule.pk}/edit/": "Guardar",
        f"/booking/rules/{rule.pk}/delete/": "Borrar la regla",
        f"/booking/accounts/{account.pk}/delete/": "Borrar la cuenta",
        f"/groups/{group.pk}/": "Miembros",
    }
    for url, spanish in pages.items():
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")
        html = page.content.decode()

        assert page.status_code == 200, url
        assert '<html lang="es"' in html, url
        assert spanish in html, url
        assert _english_left(html, english) == [], url


def test_it_serves_the_staff_controls_in_spanish(client: Any, staff: Any, club: Any) -> None:
    client.force_login(staff)
    english = _english_only() - {staff.username}
    pages = {
        f"/clubs/{club.pk}/": "Guardar monitorización",
        "/clubs/add/": "Busca en Playtomic por nombre del club",
    }
    for url, spanish in pages.items():
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

        assert spanish in html, url
        assert _english_left(html, english) == [], url


def test_the_club_page_names_weekdays_and_dates_in_spanish(
    client: Any, member: Any, rule: Any
) -> None:
    client.force_login(member)

    html = client.get(f"/clubs/{rule.club.pk}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "<th>lun</th>" in html and "<th>dom</th>" in html
    assert ">Lunes</option>" in html or ">lunes</option>" in html
    assert "Monday" not in html and "<th>Mon</th>" not in html


def test_the_login_page_reads_in_spanish_before_anyone_logs_in(client: Any, db: Any) -> None:
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Iniciar sesión" in html and "Contraseña" in html
    assert "Log in" not in html


def test_an_english_browser_gets_english(client: Any, member: Any) -> None:
    client.force_login(member)

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()

    assert '<html lang="en"' in html
    assert "How busy each club is today" in html and "Nuestros partidos" not in html


def test_the_switcher_keeps_spanish_whatever_the_browser_says(client: Any, member: Any) -> None:
    client.force_login(member)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'action="/i18n/setlang/"' in page.content.decode()

    switched = client.post(
        "/i18n/setlang/", {"language": "es", "next": "/booking/"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert switched.status_code == 302 and switched["Location"] == "/booking/"
    html = client.get("/booking/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reserva automática" in html and "Auto-booking" not in html
    assert '<option value="es" lang="es" selected>Español</option>' in html


def test_the_503_page_reads_in_spanish(rf: Any) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("es"):
        html = render_to_string("503.html", {"retry_after": 5, "message": ""})

    assert "Vuelve a intentarlo dentro de 5 segundos." in html
    assert "Try again" not in html
