from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import PlaytomicAccount
from accounts.services import account_create
from playtomic_monitor.crypto import get_fernet

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(settings):
    first = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [first]
    get_fernet.cache_clear()
    yield settings
    get_fernet.cache_clear()


def _raw(account_id: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM booking_playtomicaccount WHERE id = %s", [account_id])
        return cursor.fetchone()[0]


def test_it_stores_secrets_as_ciphertext_and_reads_them_back(keys, member):
    account = account_create(owner=member, email="ana@example.org", password="s3cret-pass")
    assert "s3cret-pass" not in _raw(account.pk, "password")
    assert "ana@example.org" not in _raw(account.pk, "email")
    fresh = PlaytomicAccount.objects.get(pk=account.pk)
    assert fresh.password == "s3cret-pass"
    assert fresh.email == "ana@example.org"


def test_rotation_re_encrypts_every_secret_under_the_new_first_key(keys, member, capsys):
    account = account_create(owner=member, email="ana@example.org", password="s3cret-pass")
    old_key = keys.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    keys.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys")
    assert "re-encrypted 1 row(s)" in capsys.readouterr().out

    # Only the new key is needed from now on.
    keys.FIELD_ENCRYPTION_KEYS = [new_key]
    get_fernet.cache_clear()
    fresh = PlaytomicAccount.objects.get(pk=account.pk)
    assert fresh.password == "s3cret-pass"
    assert Fernet(new_key.encode()).decrypt(_raw(account.pk, "password").encode()) == b"s3cret-pass"


def test_embedded_default_generates_an_owner_only_key_file(settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_ENCRYPTION_KEY_FILE = tmp_path / "field.key"
    get_fernet.cache_clear()
    try:
        token = get_fernet().encrypt(b"x")
        assert (tmp_path / "field.key").stat().st_mode & 0o777 == 0o600
        get_fernet.cache_clear()
        assert get_fernet().decrypt(token) == b"x"  # the same key is read back, not regenerated
    finally:
        get_fernet.cache_clear()


def test_rotation_without_the_old_key_explains_itself_and_changes_nothing(keys, member):
    account = account_create(owner=member, email="ana@example.org", password="s3cret-pass")
    before = _raw(account.pk, "password")
    keys.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="Keep the old key in the list"):
        call_command("rotate_encryption_keys")

    assert _raw(account.pk, "password") == before
