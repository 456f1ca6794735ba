"""Writes of the workshop room, by topic: set-up (the workshop, its participants and
phases) in `setup`, proposals in `proposals`, votes in `votes` and decisions in
`decisions`; `common` holds the phase helpers they share. Every public service is
re-exported here, so `from workshops import services` keeps working."""

from workshops.services.decisions import workshop_decide, workshop_new_round
from workshops.services.proposals import (
    MAX_KEY_RESULTS,
    PROPOSAL_FIELDS,
    proposal_check,
    proposal_create,
    proposal_update,
)
from workshops.services.setup import (
    EDITABLE_FIELDS,
    PLANNED_ONLY_FIELDS,
    PLANNED_ONLY_LABELS,
    member_seats_end,
    participant_add,
    participant_remove,
    workshop_cancel,
    workshop_create,
    workshop_set_phase,
    workshop_update,
)
from workshops.services.votes import vote_cast

__all__ = [
    "EDITABLE_FIELDS",
    "MAX_KEY_RESULTS",
    "PLANNED_ONLY_FIELDS",
    "PLANNED_ONLY_LABELS",
    "PROPOSAL_FIELDS",
    "member_seats_end",
    "participant_add",
    "participant_remove",
    "proposal_check",
    "proposal_create",
    "proposal_update",
    "vote_cast",
    "workshop_cancel",
    "workshop_create",
    "workshop_decide",
    "workshop_new_round",
    "workshop_set_phase",
    "workshop_update",
]
