"""A multiple choice whose order the person sets ("these courts, this one first").

Each choice is a checkbox with a position box. Without JavaScript the member ticks choices and
numbers them; with it (`static/js/forms.js`) up/down buttons move the rows and renumber the
boxes. The ticked choices come back sorted by position (ties and blanks keep the order they
were sent in, which is the order on the page), and a page re-shown after an error lists them
first, in that order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

# A position beyond any list: blank or nonsense positions sort last, in the order sent.
UNRANKED = 10**6


class OrderedCheckboxes(forms.CheckboxSelectMultiple):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choice value -> extra data-* attributes of its row (e.g. the court's club).
        self.row_data: dict[str, dict[str, str]] = {}

    def position_name(self, name: str, value: object) -> str:
        return f"{name}__pos_{value}"

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str
    ) -> Any:
        picked = super().value_from_datadict(data, files, name) or []

        def rank(entry: tuple[int, str]) -> tuple[int, int]:
            index, value = entry
            raw = str(data.get(self.position_name(name, value), "")).strip()
            position = int(raw) if raw.isdecimal() and len(raw) < 6 else UNRANKED
            return position, index

        return [value for _, value in sorted(enumerate(picked), key=rank)]

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> Any:
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.get("id") or f"id_{name}"
        chosen = [str(v) for v in (value or [])]
        labels = {str(key): label for key, label in self.choices}
        ordered = [v for v in chosen if v in labels]
        ordered += [key for key in labels if key not in chosen]
        rows = []
        for index, key in enumerate(ordered):
            data_attrs = format_html_join("", ' data-{}="{}"', self.row_data.get(key, {}).items())
            rows.append(
                format_html(
                    '<li class="ordered-row"{data}>'
                    '<input type="checkbox" name="{name}" value="{value}" id="{id}"{checked}>'
                    ' <label for="{id}">{label}</label>'
                    ' <input type="number" class="ordered-pos" name="{pos_name}" value="{pos}"'
                    ' min="1" inputmode="numeric" aria-label="{pos_label}">'
                    "</li>",
                    data=data_attrs,
                    name=name,
                    value=key,
                    id=f"{base_id}_{index}",
                    checked=" checked" if key in chosen else "",
                    label=labels[key],
                    pos_name=self.position_name(name, key),
                    pos=index + 1,
                    pos_label=_("Position of %(choice)s") % {"choice": labels[key]},
                )
            )
        return format_html(
            '<ol class="ordered-choices" id="{}" data-up="{}" data-down="{}">{}</ol>',
            base_id,
            _("Move up"),
            _("Move down"),
            format_html_join("", "{}", ((row,) for row in rows)),
        )

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return f"{id_}_0" if id_ else ""


class OrderedChoiceField(forms.TypedMultipleChoiceField):
    """The ticked choices, coerced, in the member's order."""

    widget = OrderedCheckboxes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def has_changed(self, initial: Any, data: Any) -> bool:
        return [str(v) for v in initial or []] != [str(v) for v in data or []]
