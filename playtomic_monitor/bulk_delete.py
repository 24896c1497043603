"""Set-based cascading deletes for rows with a long history behind them.

Django's `Model.delete()` collects what cascades in Python: it loads every dependent row that
has dependents of its own (poll runs, events) and sends their ids back in batches of DELETEs,
which for a club with a year of history is minutes of work. `delete_dependents` walks the
relations in `_meta` instead (so the lower app deleting names none of the models above it)
and removes each table's rows with one DELETE whose WHERE is a subquery on the parent table,
children before parents; SET_NULL relations get one UPDATE. Nothing is loaded into memory and
no delete signals are sent (the project uses none)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.fields.reverse_related import ForeignObjectRel

# A relation chain this deep is a cycle, not a schema.
MAX_DEPTH = 8


def reverse_relations(model: type[models.Model]) -> list[ForeignObjectRel]:
    """The foreign keys pointing at `model` (from any app, auto-created M2M tables included),
    as Django's own deletion collector finds them."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel)
        and field.auto_created
        and not field.concrete
        and (field.one_to_one or field.one_to_many)
    ]


def delete_dependents(queryset: models.QuerySet[Any], depth: int = 0) -> None:
    """Delete, table by table, every row that cascades from the rows of `queryset` (but not
    those rows themselves), and null the SET_NULL references to them. Relations with any other
    `on_delete` (PROTECT, RESTRICT, SET_DEFAULT, ...) are left for `Model.delete()` to apply."""
    if depth > MAX_DEPTH:
        return
    # Tables nothing points at first (a club's slot changes before its poll runs), so a
    # SET_NULL on a row about to go anyway (a change's poll run) finds it gone already.
    relations = sorted(
        reverse_relations(queryset.model),
        key=lambda relation: len(reverse_relations(relation.related_model)),
    )
    for relation in relations:
        field = relation.field
        related = relation.related_model
        assert isinstance(related, type)
        dependents = related._base_manager.filter(**{f"{field.name}__in": queryset})
        if relation.on_delete is models.CASCADE and related is not queryset.model:
            delete_dependents(dependents, depth + 1)
            dependents._raw_delete(dependents.db)
        elif relation.on_delete is models.SET_NULL:
            dependents.update(**{field.name: None})


def count_dependents(
    queryset: models.QuerySet[Any], depth: int = 2
) -> dict[type[models.Model], int]:
    """How many rows of each model cascade from `queryset`, `depth` relations down, each model
    counted once (by the first relation that reaches it): what a delete confirmation says in a
    few COUNTs instead of listing every row."""
    counts: dict[type[models.Model], int] = {}
    level: list[models.QuerySet[Any]] = [queryset]
    for _ in range(depth):
        below = []
        for parents in level:
            for relation in reverse_relations(parents.model):
                related = relation.related_model
                assert isinstance(related, type)
                if relation.on_delete is not models.CASCADE or related in counts:
                    continue
                rows = related._base_manager.filter(**{f"{relation.field.name}__in": parents})
                counts[related] = rows.count()
                below.append(rows)
        level = below
    return counts
