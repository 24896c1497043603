"""The captured Playtomic payloads in fixtures/, and which field a parser names when it
refuses a broken one."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from playtomic.errors import SchemaError

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def refused_field(parse: Callable[[Any], object], raw: Any) -> str:
    """The path of the field `parse` names in the SchemaError it must raise for `raw`."""
    with pytest.raises(SchemaError) as caught:
        parse(raw)
    return caught.value.field
