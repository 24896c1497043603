"""The Spanish catalog is complete, current, and what the running site reads."""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import polib
from django.conf import settings

from tests.i18n.extraction import Msgid, project_msgids, python_msgids, template_msgids

CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"


def _po() -> polib.POFile:
    return polib.pofile(str(CATALOG / "django.po"))


def _key(entry: polib.POEntry | polib.MOEntry) -> Msgid:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _translations(catalog: polib.POFile | polib.MOFile) -> dict[Msgid, tuple[str, ...]]:
    return {
        _key(e): tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
        if e.msgid_plural
        else (e.msgstr,)
        for e in catalog
        if e.msgid and not e.obsolete and "fuzzy" not in e.flags
    }


def test_every_msgid_has_a_spanish_translation_that_is_not_fuzzy() -> None:
    po = _po()
    untranslated = [
        e.msgid
        for e in po
        if not e.obsolete
        and (
            "fuzzy" in e.flags
            or not (all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr)
        )
    ]
    assert untranslated == []
    assert not po.metadata_is_fuzzy
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_plural_has_both_spanish_forms() -> None:
    plurals = [e for e in _po() if e.msgid_plural and not e.obsolete]
    assert plurals
    assert [e.msgid for e in plurals if sorted(e.msgstr_plural) != [0, 1]] == []


def test_the_placeholders_of_each_msgstr_are_those_of_its_msgid() -> None:
    mismatched = []
    for e in _po():
        if e.obsolete:
            continue
        wanted = sorted(_placeholders(e.msgid_plural or e.msgid))
        for text in e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]:
            if sorted(_placeholders(text)) != wanted:
                mismatched.append(e.msgid)
    assert mismatched == []


def _placeholders(text: str) -> list[str]:
    return re.findall(r"%\([a-z_]+\)[sdr]|%%", text)


def test_the_compiled_catalog_matches_the_po_file(tmp_path: Path) -> None:
    """The .mo in the tree is what the site reads; CI has no msgfmt to rebuild it, so it must
    say what the .po says (run `manage.py compilemessages` after editing the .po)."""
    shipped = polib.mofile(str(CATALOG / "django.mo"))
    compiled = tmp_path / "django.mo"
    _po().save_as_mofile(str(compiled))
    assert _translations(shipped) == _translations(polib.mofile(str(compiled)))


def test_makemessages_would_add_no_msgid() -> None:
    """Every string the templates and the code mark for translation is in the catalog
    (`makemessages -l es`, docs/i18n.md, would find nothing new)."""
    known = set(_translations(_po()))
    missing = {msgid: where for msgid, where in project_msgids().items() if msgid not in known}
    assert missing == {}


def test_the_extraction_reads_templates_and_code_as_makemessages_does() -> None:
    template = (
        '{% load i18n %}{% translate "Clubs" %}{% translate "Admin" context "site" %}'
        "{% blocktranslate count n=courts %}{{ n }} court{% plural %}{{ n }} courts"
        "{% endblocktranslate %}"
        "{% blocktranslate with name=x %}Hi {{ name }}{% endblocktranslate %}"
        '{% translate "The club\'s page" %}'
    )
    assert template_msgids(template) == {
        ("", "Clubs", ""),
        ("site", "Admin", ""),
        ("", "%(n)s court", "%(n)s courts"),
        ("", "Hi %(name)s", ""),
        ("", "The club's page", ""),
    }
    code = dedent(
        """
        from django.utils.translation import gettext as _, ngettext, pgettext_lazy
        _("Saved.")
        ngettext("%(n)d day", "%(n)d days", 2)
        pgettext_lazy("role", "Admin")
        _(variable)
        """
    )
    assert python_msgids(code) == {
        ("", "Saved.", ""),
        ("", "%(n)d day", "%(n)d days"),
        ("role", "Admin", ""),
    }
