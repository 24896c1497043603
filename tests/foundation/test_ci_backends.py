"""In CI the suite runs once against real PostgreSQL and Redis: these tests make sure that run
really uses them rather than silently falling back to the embedded defaults."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection

from playtomic_monitor.celery import app

IN_CI = bool(os.environ.get("CI"))


@pytest.mark.skipif(
    not (IN_CI and os.environ.get("DATABASE_URL")), reason="CI with DATABASE_URL only"
)
def test_ci_with_a_database_url_runs_the_suite_on_postgresql():
    assert connection.vendor == "postgresql"
    assert settings.DATABASE_IS_SQLITE is False


@pytest.mark.skipif(not (IN_CI and os.environ.get("REDIS_URL")), reason="CI with REDIS_URL only")
def test_ci_with_a_redis_url_uses_the_redis_cache_and_a_redis_broker():
    assert type(caches["default"]).__name__ == "RedisCache"
    assert os.environ["REDIS_URL"] == settings.CELERY_BROKER_URL
    assert app.connection_for_write().transport.driver_type == "redis"
