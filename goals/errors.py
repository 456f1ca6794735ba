"""Domain errors raised by services; pages and the API turn them into 400/403/404/409."""

from __future__ import annotations

from django.db.models import ProtectedError, RestrictedError

NON_FIELD = "non_field_errors"


class DomainError(Exception):
    """Bad input: nothing was changed. `errors` maps field names to messages."""

    status_code = 400

    def __init__(self, errors: dict[str, list[str]] | str, field: str = NON_FIELD) -> None:
        self.errors = errors if isinstance(errors, dict) else {field: [errors]}
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return " ".join(msg for messages in self.errors.values() for msg in messages)


class Conflict(DomainError):
    """The object changed since the client read it, or the action is not allowed now."""

    status_code = 409


class Forbidden(DomainError):
    """The user can see the object but may not do this to it."""

    status_code = 403


class NotFound(DomainError):
    """Unknown, or not visible to this user (never tell which)."""

    status_code = 404

    def __init__(self, what: str = "Not found.") -> None:
        super().__init__({"detail": [what]})


def still_referenced(error: ProtectedError | RestrictedError) -> str:
    """What still refers to an object that could not be deleted, e.g. "workshops"."""
    objs = (
        error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    )
    names = sorted({str(type(obj)._meta.verbose_name_plural) for obj in objs})
    return ", ".join(names) or "other records"


class Errors:
    """Collects field errors so one request reports every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise DomainError(self.by_field)
