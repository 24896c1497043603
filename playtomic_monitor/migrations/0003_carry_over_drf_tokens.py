"""DRF's tokens (rest_framework.authtoken, no longer installed) sit in authtoken_token in plain
text. Each becomes an ApiToken holding only the digest of its key, so scripts keep working until
it expires, and the plain rows are deleted."""

import hashlib
from datetime import UTC, datetime, timedelta

from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"
CARRIED_OVER_DAYS = 90


def _aware(value):
    # A raw cursor gives SQLite's stored text as is: UTC without an offset.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


def carry_over_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("playtomic_monitor", "ApiToken")
    quote = connection.ops.quote_name
    expires_at = timezone.now() + timedelta(days=CARRIED_OVER_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} FROM {quote(LEGACY_TABLE)}")
        ApiToken.objects.bulk_create(
            ApiToken(
                user_id=user_id,
                name="DRF token (carried over)",
                prefix=key[:8],
                digest=hashlib.sha256(key.encode()).hexdigest(),
                created_at=_aware(created),
                expires_at=expires_at,
            )
            for key, user_id, created in cursor.fetchall()
        )
        cursor.execute(f"DELETE FROM {quote(LEGACY_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("playtomic_monitor", "0002_apitoken")]

    # Backwards there is nothing to restore: the plain keys are gone, which is the point.
    operations = [migrations.RunPython(carry_over_drf_tokens, migrations.RunPython.noop)]
