"""A service's refusal shown on a page's form: each message beside the field it is about, or
above the form when no field of the form matches (or the refusal names no field)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_add_errors(
    form: forms.BaseForm, exc: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    """`renamed` maps a service's argument name to the form field that carries it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        field = (renamed or {}).get(field, field)
        form.add_error(field if field in form.fields else None, errors)
