"""Optimistic concurrency: objects edited together carry a `version`."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Model
from django.utils import timezone

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
        values["updated_at"] = timezone.now()
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=version)
        .update(version=F("version") + 1, **values)
    )
    if not updated:
        raise Conflict({"version": ["Someone else changed this at the same moment. Reload."]})
    obj.version = version + 1  # type: ignore[attr-defined]


def model_update(obj: Model, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Give `obj` each of `values` that differs from what it holds and save those fields
    with a version bump (nothing is written when nothing changed). Returns each changed
    field's (old, new) pair, for the history row a caller may keep."""
    changed = {
        name: (getattr(obj, name), value)
        for name, value in values.items()
        if getattr(obj, name) != value
    }
    for name, (_, new) in changed.items():
        setattr(obj, name, new)
    if changed:
        save_versioned(obj, list(changed))
    return changed
