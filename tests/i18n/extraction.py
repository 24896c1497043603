"""The msgids the project's sources ask for, read as `makemessages` reads them but in Python
alone (CI has no gettext tools): the templates through Django's own `templatize`, the Python
modules through their syntax tree."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

BASE = Path(settings.BASE_DIR)
# As `makemessages --ignore=...` in docs/i18n.md: not shipped to a person's screen.
IGNORED = {".venv", "var", "tests", "bench", "node_modules", "staticfiles"}

# A msgid is (context, singular, plural); context and plural may be empty.
Msgid = tuple[str, str, str]

# The gettext functions and where their arguments sit: (context, singular, plural) indexes.
FUNCTIONS: dict[str, tuple[int | None, int, int | None]] = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "_": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
# templatize writes each translation as a call with u'...' literals and masks the rest.
LITERAL = r"""u(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(((?:{LITERAL}(?:, )?)+)")


def _sources(pattern: str) -> Iterator[Path]:
    for path in sorted(BASE.rglob(pattern)):
        if not IGNORED.intersection(path.relative_to(BASE).parts):
            yield path


def _msgid(arguments: list[str], function: str) -> Msgid:
    context, singular, plural = FUNCTIONS[function]
    return (
        arguments[context] if context is not None else "",
        arguments[singular],
        arguments[plural] if plural is not None else "",
    )


def template_msgids(source: str) -> set[Msgid]:
    found = set()
    for match in TEMPLATE_CALL.finditer(templatize(source)):
        literals = re.findall(LITERAL, match.group(2))
        arguments = [ast.literal_eval(literal) for literal in literals]
        found.add(_msgid(arguments, match.group(1)))
    return found


def python_msgids(source: str) -> set[Msgid]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in FUNCTIONS:
            continue
        arguments = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        needed = [i for i in FUNCTIONS[name] if i is not None]
        if len(arguments) > max(needed) and all(isinstance(arguments[i], str) for i in needed):
            found.add(_msgid([str(a) for a in arguments], name))
    return found


def project_msgids() -> dict[Msgid, str]:
    """Every msgid the sources ask for, with one file that asks for it."""
    found: dict[Msgid, str] = {}
    for path in [*_sources("*.html"), *_sources("*.txt")]:
        if "templates" not in path.parts:
            continue  # requirements*.txt and other text files, which makemessages reads too
        for msgid in template_msgids(path.read_text(encoding="utf-8")):
            found.setdefault(msgid, str(path.relative_to(BASE)))
    for path in _sources("*.py"):
        for msgid in python_msgids(path.read_text(encoding="utf-8")):
            found.setdefault(msgid, str(path.relative_to(BASE)))
    return found
