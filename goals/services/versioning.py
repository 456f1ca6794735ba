"""Optimistic concurrency: objects edited together carry a `version`."""

from __future__ import annotations

from django.db.models import F, Model

from goals.errors import Conflict

# Every edit of an object that carries `version` sends the one it was made against: without
# it two people's edits could silently overwrite each other.
VERSION_REQUIRED = "Send the version you edited, so nobody's change is lost."


def check_version(obj: Model, expected: int | None) -> None:
    """Refuse a write made against an older version than the stored one."""
    if expected is not None and int(expected) != obj.version:  # type: ignore[attr-defined]
        raise Conflict(
            {
                "version": [
                    f"Someone else changed this since you opened it (you had version "
                    f"{expected}, it is now {obj.version}). Reload and apply your "  # type: ignore[attr-defined]
                    "change again."
                ]
            }
        )


def save_versioned(obj: Model, fields: list[str]) -> None:
    """Write `fields` only if nobody wrote in between, and bump the version."""
    version: int = obj.version  # type: ignore[attr-defined]
    values = {field: getattr(obj, field) for field in fields}
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        from django.utils import timezone

        values["updated_at"] = timezone.now()
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=version)
        .update(version=F("version") + 1, **values)
    )
    if not updated:
        raise Conflict({"version": ["Someone else changed this at the same moment. Reload."]})
    obj.version = version + 1  # type: ignore[attr-defined]
