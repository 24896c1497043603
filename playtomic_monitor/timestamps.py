"""When a row was made and last saved: the two columns most models keep."""

from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    """`created_at` set on insert, `updated_at` on every save (not by queryset `update()`)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
