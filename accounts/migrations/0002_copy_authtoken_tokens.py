"""Keep the tokens of rest_framework.authtoken working: each becomes a personal API token
(its key hashed, read-write, named "API token"), then the old table goes.

The old app is no longer installed, so its table is read with SQL, and only where it exists
(a new database never had it)."""

import hashlib
from datetime import UTC

from django.db import migrations
from django.utils.dateparse import parse_datetime

OLD_TABLE = "authtoken_token"


def _moment(value):
    """A time read with plain SQL: SQLite gives text in UTC, PostgreSQL a datetime."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def copy_old_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} "
            f"FROM {quote(OLD_TABLE)}"
        )
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id,
            name="API token",
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            prefix=key[:10],
            read_only=False,
        )
        # auto_now_add set today's time; the token is as old as the one it replaces.
        if created is not None:
            ApiToken.objects.filter(pk=token.pk).update(created_at=_moment(created))
    schema_editor.execute(f"DROP TABLE {quote(OLD_TABLE)}")
    # Forget the old app's migrations, so that installing it again would recreate its table.
    schema_editor.execute(
        f"DELETE FROM {quote('django_migrations')} WHERE {quote('app')} = %s", ["authtoken"]
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(copy_old_tokens, migrations.RunPython.noop)]
