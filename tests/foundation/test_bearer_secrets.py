"""API tokens, invite links and calendar links share one way of making and finding secrets:
only a digest and a short prefix are stored, and a secret that cannot be one of ours (empty,
overlong) is refused before any query."""

from __future__ import annotations

import hashlib

import pytest

from booking.games import feed_owner
from groups.selectors import invite_by_secret
from playtomic_monitor.bearer_secrets import MAX_SECRET_LENGTH, secret_digest, secret_new
from playtomic_monitor.services import api_token_authenticate, api_token_create


def test_a_new_secret_is_stored_as_its_prefix_and_digest_only():
    new = secret_new(prefix_length=8, mark="ptm_")

    assert new.secret.startswith("ptm_")
    assert len(new.secret) == len("ptm_") + 32  # 24 random bytes, URL-safe base64
    assert new.prefix == new.secret[:8]
    assert new.digest == hashlib.sha256(new.secret.encode()).hexdigest()
    assert new.digest == secret_digest(new.secret)
    assert new.stored == {"prefix": new.prefix, "digest": new.digest}


def test_no_two_new_secrets_are_alike():
    made = {secret_new(prefix_length=8).secret for _ in range(200)}

    assert len(made) == 200


@pytest.mark.django_db
@pytest.mark.parametrize("secret", ["", "x" * (MAX_SECRET_LENGTH + 1)])
def test_a_secret_that_cannot_be_ours_is_refused_without_a_query(secret, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert api_token_authenticate(secret=secret) is None
        assert invite_by_secret(secret) is None
        assert feed_owner(secret) is None


@pytest.mark.django_db
def test_a_token_is_found_by_its_secret_and_stores_only_its_digest(member):
    token, secret = api_token_create(user=member, name="grafana")

    assert token.digest == secret_digest(secret) and secret not in token.digest
    assert token.prefix == secret[:12]
    found = api_token_authenticate(secret=secret)
    assert found is not None and found.pk == token.pk
    assert api_token_authenticate(secret=secret[:-1]) is None
