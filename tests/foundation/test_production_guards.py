"""Start-up refuses bad encryption keys and bad throttle rates with one line naming the
variable, as an operator would meet it in a fresh process; with DEBUG off no process ever makes
a key file of its own."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from playtomic_monitor.crypto import get_fernet
from tests.foundation.test_settings import PRODUCTION, _manage

KEY = Fernet.generate_key().decode()
OTHER_KEY = Fernet.generate_key().decode()
NOT_A_KEY = "c2hvcnQ="  # valid base64, but 5 bytes instead of 32


def _one_line_refusal(result) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        (",", "entry 1 of 2 is empty."),
        (" , ", "entry 1 of 2 is empty."),
        (f"{KEY},", "entry 2 of 2 is empty."),
        (f"{KEY},,{OTHER_KEY}", "entry 2 of 3 is empty."),
        ("garbage", "entry 1 of 1 is not a Fernet key"),
        (NOT_A_KEY, "entry 1 of 1 is not a Fernet key"),
        (f"{KEY},garbage", "entry 2 of 2 is not a Fernet key"),
    ],
)
def test_check_deploy_refuses_a_key_list_with_an_empty_or_malformed_entry(keys, problem, tmp_path):
    result = _manage(["check", "--deploy"], {**PRODUCTION, "FIELD_ENCRYPTION_KEYS": keys}, tmp_path)

    line = _one_line_refusal(result)
    assert line.startswith(f"Configuration error: FIELD_ENCRYPTION_KEYS {problem}")
    assert "garbage" not in line and KEY not in line  # a key is never echoed
    assert not (tmp_path / "field-encryption.key").exists()


def test_a_malformed_key_stops_a_development_start_too(tmp_path):
    result = _manage(["check"], {"FIELD_ENCRYPTION_KEYS": "garbage"}, tmp_path)

    line = _one_line_refusal(result)
    assert line.startswith("Configuration error: FIELD_ENCRYPTION_KEYS entry 1 of 1 is not")


def test_a_rotation_list_of_two_keys_with_spaces_passes_check_deploy(tmp_path):
    env = {**PRODUCTION, "FIELD_ENCRYPTION_KEYS": f" {KEY} , {OTHER_KEY} "}
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


NO_KEYS_PROBE = """
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from playtomic_monitor.crypto import get_fernet
with override_settings(FIELD_ENCRYPTION_KEYS=[]):
    try:
        get_fernet()
    except ImproperlyConfigured as exc:
        print("refused:", exc)
    else:
        print("made a key")
"""


def test_with_debug_off_a_process_without_keys_refuses_rather_than_making_a_key_file(tmp_path):
    result = _manage(["shell", "-c", NO_KEYS_PROBE], PRODUCTION, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "refused: FIELD_ENCRYPTION_KEYS must be set when DEBUG is off."
    )
    assert not (tmp_path / "field-encryption.key").exists()


def test_without_a_key_file_setting_no_key_is_generated(settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_ENCRYPTION_KEY_FILE = None
    get_fernet.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="must be set when DEBUG is off"):
            get_fernet()
    finally:
        get_fernet.cache_clear()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("variable", "rate"),
    [
        ("API_THROTTLE_ANON_RATE", "lots"),
        ("API_THROTTLE_USER_RATE", "10/fortnight"),
        ("API_THROTTLE_SEARCH_RATE", "10"),
    ],
)
def test_a_malformed_throttle_rate_stops_the_start(variable, rate, tmp_path):
    result = _manage(["check"], {variable: rate}, tmp_path)

    assert _one_line_refusal(result) == (
        f"Configuration error: {variable} must look like 120/minute "
        "(a number per second, minute, hour or day)."
    )
