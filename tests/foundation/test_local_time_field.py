"""LocalTimeField: a club's wall-clock time ("18:00") is described by a pattern, not by
OpenAPI's `format: time`, which demands an offset this API never sends; its pattern matches
what the field emits and accepts."""

from __future__ import annotations

import json
import re
from datetime import time
from typing import Any

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from playtomic_monitor.api import LOCAL_TIME_PATTERN, LocalTimeField


class WindowSerializer(serializers.Serializer[Any]):
    start = LocalTimeField()
    end = LocalTimeField(format="%H:%M", allow_null=True)


class WindowView(APIView):
    @extend_schema(request=WindowSerializer, responses=WindowSerializer)
    def post(self, request):
        return Response({})


@pytest.fixture(scope="module")
def window_schema() -> dict[str, Any]:
    generator = SchemaGenerator(patterns=[path("window/", WindowView.as_view())])
    schema = generator.get_schema(request=None, public=True)
    return schema["components"]["schemas"]["Window"]["properties"]  # type: ignore[no-any-return]


def test_a_local_time_is_a_patterned_string_without_format_time(window_schema):
    start = window_schema["start"]

    assert start["type"] == "string"
    assert "format" not in start
    assert start["example"] == "18:00"


def test_the_pattern_takes_wall_clock_times_and_refuses_offsets(window_schema):
    pattern = re.compile(window_schema["start"]["pattern"])

    assert all(pattern.match(t) for t in ["00:00", "18:00", "18:30:00", "23:59:59"])
    assert not any(pattern.match(t) for t in ["24:00", "18:00+01:00", "18:00Z", "6:00", "18h"])


def test_what_the_field_emits_and_accepts_matches_its_pattern(window_schema):
    pattern = re.compile(window_schema["start"]["pattern"])
    out = WindowSerializer({"start": time(18), "end": time(21, 30)}).data
    parsed = WindowSerializer(data={"start": "18:00", "end": None})

    assert pattern.match(out["start"]) and pattern.match(out["end"])
    assert out["end"] == "21:30"
    assert parsed.is_valid(), parsed.errors
    assert parsed.validated_data["start"] == time(18)


@pytest.mark.parametrize("sent", ["18:00+02:00", "18:00Z", "18:00:00.5", "6:00", "18:00\n"])
def test_input_outside_the_pattern_is_refused_rather_than_losing_its_offset(sent):
    parsed = WindowSerializer(data={"start": sent, "end": None})

    assert not parsed.is_valid()
    assert "hh:mm or hh:mm:ss" in str(parsed.errors["start"][0])


def test_a_nullable_local_time_keeps_its_pattern_and_is_nullable(window_schema):
    assert window_schema["end"]["nullable"] is True
    assert window_schema["end"]["pattern"] == window_schema["start"]["pattern"]


def test_the_projects_schema_declares_no_time_that_would_need_an_offset():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    text = json.dumps(schema)

    assert '"format": "time"' not in text
    # The monitoring window and the chance query are local times with the pattern instead.
    assert text.count(json.dumps(LOCAL_TIME_PATTERN)) >= 3
