"""A list typed in one text box, its items separated by commas ("PADEL, TENNIS")."""

from __future__ import annotations

from typing import Any

from django import forms


class CommaSeparatedField(forms.Field):
    """Shows a list as its items joined by ", " and cleans the text into its items, stripped,
    blanks dropped, in the order typed. Optional unless `required=True`; the form's
    `clean_<name>` turns the strings into what they name."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        return [part.strip() for part in str(value or "").split(",") if part.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(self.prepare_value(initial)) != self.to_python(data)
