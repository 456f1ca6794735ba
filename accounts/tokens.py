"""Personal API tokens: making, finding, checking and revoking them.

A token's secret is shown once, when it is created, and never stored with the token: the
database keeps its SHA-256 (looked up by an index) and its first characters, so a list can
tell tokens apart.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.expressions import Col
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.models import NAME_MAX_LENGTH, ApiToken
from goals.errors import DomainError, NotFound
from goals.models import MetricToken, User
from goals.rules.timeframes import DATE_WINDOW_MESSAGE, in_date_window

SECRET_START = "gc_"
PREFIX_LENGTH = 10
# last_used_at is written at most this often: most requests then cost no write.
USE_RECORDED_EVERY = timedelta(minutes=1)
READ_ONLY_MESSAGE = (
    "This token is read-only: it can read but not change anything. "
    "Create a read-and-write token to make changes."
)
NAME_MISSING = "Give the token a name, e.g. what will use it."
NAME_TOO_LONG = f"Keep the name to {NAME_MAX_LENGTH} characters or fewer."
UNKNOWN_MESSAGE = "This token is unknown or was revoked."
INACTIVE_MESSAGE = "This account is deactivated."


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def server_today() -> date:
    """Today where the server is (TIME_ZONE), whatever time zone a request activated."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def day_as_written(day: date) -> str:
    """ "3 March 2027", as people write a date."""
    return format_date(day, "j F Y")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The person's own tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def token_create(
    *, user: User, name: str, read_only: bool = False, expires_on: date | None = None
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never stored and so can be shown only now."""
    name = name.strip()
    if not name:
        raise DomainError({"name": [NAME_MISSING]})
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError({"name": [NAME_TOO_LONG]})
    if expires_on is not None:
        if not in_date_window(expires_on):
            raise DomainError({"expires_on": [DATE_WINDOW_MESSAGE]})
        if expires_on <= server_today():
            raise DomainError({"expires_on": ["Choose an expiry day after today."]})
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_key(secret),
        prefix=secret[:PREFIX_LENGTH],
        read_only=read_only,
        expires_on=expires_on,
    )
    return token, secret


def token_revoke(*, user: User, token_id: object) -> ApiToken:
    """Delete one of the person's tokens; another person's is as unknown as a missing one."""
    try:
        pk = int(str(token_id))
    except ValueError:
        raise NotFound() from None
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise NotFound()
    token.delete()
    return token


def client_token_name(user_agent: str) -> str:
    """The name of a token asked for with a password: the client that asked, when it says."""
    client = " ".join("".join(c if c.isprintable() else " " for c in user_agent).split())
    if not client:
        return "Signed in through the API"
    name = f"Signed in from {client}"
    if len(name) > NAME_MAX_LENGTH:
        name = name[: NAME_MAX_LENGTH - 1].rstrip() + "…"
    return name


def find(key: str) -> ApiToken | None:
    """The token with this secret and its person, in one query.

    Every API request asks this, so the query is written once per process: the ORM took
    longer to compile it than the database took to answer it."""
    sql, token_part, user_part = _find_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_key(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(token_part.names)
    token = token_part.instance(row[:split])
    ApiToken.user.field.set_cached_value(token, user_part.instance(row[split:]))
    return token


@dataclass(frozen=True)
class _Part:
    """One model's columns of a hand-written query, read back as the ORM would: each value
    through the converters of its field and the database (SQLite's dates are text)."""

    model: type[Model]
    names: list[str]
    converters: list[tuple[Col, list[Callable[..., Any]]]]

    @classmethod
    def of(cls, model: type[Model], alias: str) -> _Part:
        fields = model._meta.concrete_fields
        converters = []
        for field in fields:
            column = Col(alias, field)
            backend = connection.ops.get_db_converters(column)
            converters.append((column, [*backend, *column.get_db_converters(connection)]))
        return cls(model, [field.attname for field in fields], converters)

    def select(self, alias: str) -> str:
        return ", ".join(_column(alias, column.target) for column, _ in self.converters)

    def instance(self, values: tuple[Any, ...]) -> Any:
        converted = []
        for value, (column, functions) in zip(values, self.converters, strict=True):
            for function in functions:
                value = function(value, column, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.names, converted)


@cache
def _find_query() -> tuple[str, _Part, _Part]:
    quote = connection.ops.quote_name
    token, user = _Part.of(ApiToken, "t"), _Part.of(User, "u")
    sql = (
        f"SELECT {token.select('t')}, {user.select('u')} FROM {quote(ApiToken._meta.db_table)} t"
        f" JOIN {quote(User._meta.db_table)} u"
        f" ON {_column('u', User._meta.pk)} = {_column('t', ApiToken.user.field)}"
        f" WHERE {_column('t', ApiToken.key_hash.field)} = %s"
    )  # names come from the models, the secret's hash is a parameter
    return sql, token, user


def _column(alias: str, field: Any) -> str:
    return f"{alias}.{connection.ops.quote_name(field.column)}"


async def afind(key: str) -> ApiToken | None:
    """find() for async views (the workshop's event stream), run as the async ORM runs its
    queries: in the thread that holds the connection."""
    return await sync_to_async(find)(key)


def refusal(token: ApiToken) -> str | None:
    """Why a token found by its secret may not sign anyone in, or None when it may."""
    if token.expires_on is not None and token.expires_on < server_today():
        return f"This token expired on {day_as_written(token.expires_on)}."
    if not token.user.is_active:
        return INACTIVE_MESSAGE
    return None


def _use_to_record(token: ApiToken | MetricToken) -> QuerySet[Any] | None:
    """The row to stamp with this use, or None when it was stamped less than a minute ago.

    The update is conditional too, so two requests in the same minute write once. Personal
    and metric tokens alike."""
    now = timezone.now()
    since = now - USE_RECORDED_EVERY
    if token.last_used_at is not None and token.last_used_at > since:
        return None
    token.last_used_at = now
    return type(token)._default_manager.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=since), pk=token.pk
    )


def record_use(token: ApiToken | MetricToken) -> None:
    row = _use_to_record(token)
    if row is not None:
        row.update(last_used_at=token.last_used_at)


async def arecord_use(token: ApiToken) -> None:
    row = _use_to_record(token)
    if row is not None:
        await row.aupdate(last_used_at=token.last_used_at)
