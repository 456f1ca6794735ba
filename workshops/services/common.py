"""Helpers shared by the workshop services: holding a workshop in its phase while a
proposal or vote is written, and recording a move from one phase to the next."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.utils import timezone

from goals.errors import Conflict
from goals.models import User
from goals.services.versioning import save_versioned
from workshops.events import emit
from workshops.models import PhaseChange, Workshop


def phase_move(*, workshop: Workshop, phase: str, actor: User, fields: Sequence[str] = ()) -> None:
    """Move the workshop to `phase`, with its audit row, and tell the room."""
    PhaseChange.objects.create(
        workshop=workshop, from_phase=workshop.phase, to_phase=phase, round=workshop.round, by=actor
    )
    workshop.phase = phase
    workshop.phase_started_at = timezone.now()
    save_versioned(workshop, ["phase", "phase_started_at", *fields])
    emit(workshop, "phase", phase=phase, round=workshop.round)


def lock_in_phase(*, workshop_id: int, phase: str, message: str, shared: bool = False) -> Workshop:
    """Hold the workshop in `phase` until commit: a phase change waits for this write.

    Votes take a shared lock so they run side by side; phase moves take the exclusive one.
    """
    if shared and connection.vendor == "postgresql":
        rows = Workshop.objects.raw(
            f"SELECT * FROM {Workshop._meta.db_table} WHERE id = %s FOR SHARE", [workshop_id]
        )
        locked = next(iter(rows))
    else:
        locked = Workshop.objects.select_for_update().get(pk=workshop_id)
    if locked.phase != phase:
        raise Conflict({"phase": [message]})
    return locked
