"""Data sources of key results: an address Goal Chain reads a key result's value from, every
hour or every day (goals/rules/metric_sources.py reads the value out of the answer).

Beat queues a fetch of each source that is due. A fetch first claims its source by moving the
next fetch time on with a conditional update, so a fetch queued twice, a beat run repeated,
or a "Fetch now" at the same moment reads and records once. A fetch that fails keeps its
reason on the source for the key result's page, and the key result's owner hears once about
a run of failures; the next fetch that works starts a new run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from goalchain import outbound
from goalchain.queue import enqueue
from goals.errors import Conflict, Errors, NotFound
from goals.models import (
    URL_MAX_LENGTH,
    KeyResult,
    MetricSource,
    NotificationKind,
    SourceEvery,
    SourceFormat,
)
from goals.rules.metric_sources import (
    SourceError,
    pointer_problem,
    value_from_csv,
    value_from_json,
)
from goals.services.metrics import metric_value_record
from goals.services.notifications import notify

# Who sent a fetched value: on the chart ("from its source") and in the goal's history.
SOURCE_BY = "its source"
SOURCE_HISTORY_NAME = "The data source"
PERIODS = {SourceEvery.HOURLY: timedelta(hours=1), SourceEvery.DAILY: timedelta(days=1)}
# Read at each fetch (a test makes it short).
FETCH_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 1_000_000
PATH_MAX_LENGTH = MetricSource._meta.get_field("path").max_length or 300
ERROR_MAX_LENGTH = MetricSource._meta.get_field("last_error").max_length or 300
ACCEPT = {SourceFormat.JSON: "application/json", SourceFormat.CSV: "text/csv"}


@dataclass(frozen=True)
class SourceSettings:
    """Where and how a key result's value is read, as a person gave it."""

    url: str
    format: str
    path: str
    every: str


def metric_source_set(
    *, key_result: KeyResult, settings: SourceSettings | None
) -> MetricSource | None:
    """Give a key result a data source, or change it (fetched at once, after the commit);
    None removes it. An address on a private network is refused here, before it is kept."""
    if settings is None:
        MetricSource.objects.filter(key_result=key_result).delete()
        return None
    settings = _checked(settings)
    existing = MetricSource.objects.filter(key_result=key_result).first()
    if existing is not None and all(
        getattr(existing, field) == getattr(settings, field)
        for field in ("url", "format", "path", "every")
    ):
        return existing
    source, _ = MetricSource.objects.update_or_create(
        key_result=key_result,
        defaults={
            "url": settings.url,
            "format": settings.format,
            "path": settings.path,
            "every": settings.every,
            "next_fetch_at": timezone.now(),
            "last_error": "",
            "error_notified": False,
        },
    )
    enqueue("goals.tasks.fetch_metric_source", source.pk)
    return source


def metric_source_fetch(*, source_id: int, due_only: bool = True) -> bool:
    """Fetch a source's value and record it, or keep why it failed. Only a due source unless
    `due_only` is off ("Fetch now"); False when there was nothing to do: not due, gone, or
    claimed by another fetch at this moment."""
    now = timezone.now()
    source = MetricSource.objects.select_related("key_result").filter(pk=source_id).first()
    if source is None or (due_only and source.next_fetch_at > now):
        return False
    claimed = MetricSource.objects.filter(pk=source.pk, next_fetch_at=source.next_fetch_at).update(
        next_fetch_at=now + PERIODS[SourceEvery(source.every)]
    )
    if not claimed:
        return False
    try:
        value = _read_value(source)
    except (outbound.OutboundError, SourceError) as error:
        _failed(source, str(error), now)
        return True
    try:
        with transaction.atomic():
            metric_value_record(
                key_result=source.key_result,
                value=value,
                at=now,
                by=SOURCE_BY,
                by_name=SOURCE_HISTORY_NAME,
            )
            MetricSource.objects.filter(pk=source.pk).update(
                last_fetched_at=now, last_error="", error_notified=False
            )
    except NotFound:  # the key result was removed while its source was read
        return False
    except Conflict as error:  # its goal closed in between
        _failed(source, error.message, now)
    return True


def _read_value(source: MetricSource) -> Decimal:
    """Ask the source's address and read the number out of its answer."""
    answer = outbound.send(
        "GET",
        source.url,
        headers={"Accept": ACCEPT[SourceFormat(source.format)]},
        timeout=FETCH_TIMEOUT,
        max_bytes=MAX_ANSWER_BYTES,
    )
    if answer.status >= 400:
        raise SourceError(f"The address answered with HTTP status {answer.status}, not a value.")
    if source.format == SourceFormat.CSV:
        return value_from_csv(answer.body, source.path)
    return value_from_json(answer.body, source.path)


def _failed(source: MetricSource, message: str, now: datetime) -> None:
    """Keep why the fetch failed; the owner hears about the first failure of a run."""
    with transaction.atomic():
        current = (
            MetricSource.objects.select_for_update()
            .select_related("key_result__goal")
            .filter(pk=source.pk)
            .first()
        )
        if current is None:
            return
        tell = not current.error_notified
        current.last_error = message[:ERROR_MAX_LENGTH]
        current.error_notified = True
        current.save(update_fields=["last_error", "error_notified"])
        if tell:
            key_result = current.key_result
            notify(
                recipients=[key_result.owner_id],
                kind=NotificationKind.SOURCE_FAILED,
                # One event per failed fetch: `error_notified`, read under the lock, makes
                # only the first of a run one to tell.
                event=f"source-failed:{current.pk}:{now.isoformat()}",
                actor=None,
                product_id=key_result.goal.product_id,
                goal_id=key_result.goal_id,
                text=f"The data source of “{key_result.title}” failed: {message}",
                url=reverse("key-result-edit", args=[key_result.pk]) + "#data-source",
            )


def _checked(settings: SourceSettings) -> SourceSettings:
    """The settings trimmed, or every problem with them at once."""
    url, path = settings.url.strip(), settings.path.strip()
    errors = Errors()
    if not url:
        errors.add("url", "Give the address to read the value from, starting with https://.")
    elif len(url) > URL_MAX_LENGTH:
        errors.add("url", f"Keep the address to {URL_MAX_LENGTH:,} characters or fewer.")
    else:
        try:
            outbound.check_url(url)
        except outbound.OutboundError as error:
            errors.add("url", str(error))
    if settings.format not in SourceFormat.values:
        errors.add("format", "Choose JSON or CSV: what the address answers with.")
    if settings.every not in SourceEvery.values:
        errors.add("every", "Choose how often to read it: every hour or every day.")
    if len(path) > PATH_MAX_LENGTH:
        errors.add("path", f"Keep the path to {PATH_MAX_LENGTH} characters or fewer.")
    elif settings.format == SourceFormat.CSV and not path:
        errors.add("path", "Name the column of the CSV table that holds the value.")
    elif settings.format == SourceFormat.JSON and (problem := pointer_problem(path)):
        errors.add("path", problem)
    errors.raise_if_any()
    return SourceSettings(url=url, format=settings.format, path=path, every=settings.every)
