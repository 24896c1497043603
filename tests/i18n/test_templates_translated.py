"""Every sentence a person reads in a template goes through the translation catalog.

The templates are split with Django's own Lexer: a text token outside `{% translate %}` /
`{% blocktranslate %}` that still has words in it once HTML tags, entities and `{{ }}` are
gone is a string left in English for every reader.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Text that reads the same in every language: the product's and Playtomic's names, units.
ALLOWED = re.compile(r"\b(?:Playtomic Monitor|Playtomic|API|ICS|CSV|JSON|UTC|ms)\b")

HOLE = "\x00"  # where a tag, a variable or translated text was: words never span it
# Scripts, styles and code samples are not prose; a script's readable strings come from json_script.
CODE = re.compile(r"<(script|style|code|pre)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
TAG = re.compile(r"<[^>]*>", re.DOTALL)
ENTITY = re.compile(r"&[#\w]+;")
# Attributes people read (a tooltip, a placeholder, a screen reader's label) count as text.
READ_ATTRIBUTE = re.compile(r'\b(?:title|placeholder|aria-label|alt)="([^"]*)"')
WORD = re.compile(r"[^\W\d_]{2,}")


def flatten(source: str) -> str:
    """The template's literal text, with every template tag and variable and everything inside
    blocktranslate / comment replaced by one HOLE."""
    parts: list[str] = []
    skipping: str | None = None
    for token in Lexer(source).tokenize():
        if token.token_type is TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skipping is None and name in ("blocktranslate", "blocktrans", "comment"):
                skipping = "end" + name
            elif name == skipping:
                skipping = None
            parts.append(HOLE)
        elif token.token_type is TokenType.TEXT and skipping is None:
            parts.append(token.contents)
        else:
            parts.append(HOLE)
    return "".join(parts)


def untranslated_text(source: str) -> list[str]:
    """The visible words of `source` left outside translate / blocktranslate tags."""
    text = HTML_COMMENT.sub(HOLE, CODE.sub(HOLE, flatten(source)))
    attributes = [piece for value in READ_ATTRIBUTE.findall(text) for piece in value.split(HOLE)]
    visible = ENTITY.sub(" ", TAG.sub(HOLE, text)).split(HOLE)
    found = []
    for piece in [*visible, *attributes]:
        words = " ".join(piece.split())
        if WORD.search(ALLOWED.sub(" ", words)):
            found.append(words)
    return found


def test_every_template_has_its_visible_text_in_translate_tags() -> None:
    left = {
        str(path.relative_to(TEMPLATES)): strings
        for path in sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")])
        if (strings := untranslated_text(path.read_text(encoding="utf-8")))
    }
    assert left == {}


def test_the_check_finds_english_left_outside_the_tags() -> None:
    source = (
        '{% load i18n %}<h1>{% translate "Clubs" %}</h1><p title="Free courts">Free courts</p>'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}<td>12:00 · 3/4</td>"
    )
    assert untranslated_text(source) == ["Free courts", "Free courts"]


def test_the_check_ignores_scripts_comments_and_names() -> None:
    source = (
        "<script>const label = 'Taken';</script>{% comment %}Notes{% endcomment %}"
        '<a href="{% url "home" %}" class="{% if x %}active{% endif %}">{{ club.name }}</a>'
        "<footer>Playtomic Monitor</footer>"
    )
    assert untranslated_text(source) == []
