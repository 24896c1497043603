"""API throttling: signed-in callers per user, anonymous ones per address, the Playtomic search
scope per user; over the rate the answer is 429 with Retry-After. The address is REMOTE_ADDR
unless proxies are trusted, so X-Forwarded-For cannot dodge a limit."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from playtomic_monitor.api import AnonThrottle, SearchThrottle, UserThrottle
from playtomic_monitor.authentication import client_address
from tests.support.api import api_client

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"
OTHER_ADDRESS = "203.0.113.10"


@pytest.fixture
def rates(settings, member, outsider):
    """Low rates, and no counts left in the cache for the callers used here (Redis keeps them
    between tests, and on SQLite user ids repeat)."""
    low = {"anon": "2/minute", "user": "3/minute", "playtomic_search": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": low}
    # The user scopes count an anonymous caller by address too.
    counts = [
        SimpleRateThrottle.cache_format % {"scope": scope, "ident": ident}
        for scope in low
        for ident in (ADDRESS, OTHER_ADDRESS, member.pk, outsider.pk)
    ]
    cache.delete_many(counts)
    yield settings
    cache.delete_many(counts)


def test_a_user_over_the_user_rate_gets_429_with_retry_after(rates, member, outsider):
    api = api_client(member)

    statuses = [api.get("/api/clubs/").status_code for _ in range(3)]
    throttled = api.get("/api/clubs/")

    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert api_client(outsider).get("/api/clubs/").status_code == 200  # counted per user


def test_an_anonymous_address_over_the_anon_rate_gets_429(rates):
    anonymous = APIClient(REMOTE_ADDR=ADDRESS)

    statuses = [anonymous.get("/api/schema/").status_code for _ in range(2)]
    throttled = anonymous.get("/api/schema/")

    assert statuses == [200, 200]
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert APIClient(REMOTE_ADDR=OTHER_ADDRESS).get("/api/schema/").status_code == 200


def test_x_forwarded_for_does_not_dodge_the_anon_rate_when_no_proxy_is_trusted(rates):
    anonymous = APIClient(REMOTE_ADDR=ADDRESS)

    statuses = [
        anonymous.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(3)
    ]

    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_caller(settings):
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"}

    assert client_address(request) == "10.0.0.2"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert client_address(request) == "198.51.100.7"


class SearchView(APIView):
    throttle_classes = [AnonThrottle, UserThrottle, SearchThrottle]

    def get(self, request):
        return Response({"ok": True})


def test_a_view_with_the_search_throttle_allows_only_the_search_rate(rates, member, outsider):
    view = SearchView.as_view()

    def search(user):
        request = APIRequestFactory().get("/api/clubs/search")
        force_authenticate(request, user)
        return view(request)

    statuses = [search(member).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]  # the user rate (3/minute) would have allowed a third
    assert search(outsider).status_code == 200
