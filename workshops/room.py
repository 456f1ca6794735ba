"""What the workshop room shows one person, read in a fixed number of queries.

Vote values are read with the round's votes but leave here only as the viewer's own
vote before the reveal; everyone else's are counted, never shown, until then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count

from goals.models import ProductMembership, User
from workshops import events, rules
from workshops.access import can_decide, can_run, drafts
from workshops.models import (
    PHASE_ORDER,
    Decision,
    Participant,
    Phase,
    Proposal,
    ProposalStatus,
    VotingMethod,
    Workshop,
)
from workshops.selectors import (
    Bar,
    VoteRow,
    by_name,
    objections_shown,
    round_votes,
    tally_bars,
    tally_votes,
    vote_label,
)

# What the facilitator's button says for the move to each phase.
MOVE_LABELS: dict[str, str] = {
    Phase.DRAFTING: "Start drafting",
    Phase.VOTING: "Start voting",
    Phase.REVEALED: "Reveal the votes",
    Phase.DECIDED: "Finish deciding",
    Phase.CLOSED: "Close the workshop",
}


@dataclass
class Result:
    """A proposal's revealed votes: the tally, its chart, objections and who voted what."""

    tally: rules.Tally
    bars: list[Bar]
    objections: list[dict[str, Any]]
    votes: list[tuple[str, str, str]]  # (name, value as words, reason); empty when anonymous


@dataclass
class Card:
    """One proposal as the room shows it."""

    proposal: Proposal
    round: int  # the workshop's current round
    revision_count: int
    votes_cast: int  # how many voted on it this round: a count, never a value
    my_vote: tuple[str, str] | None  # the viewer's own (value, reason)
    my_vote_label: str
    result: Result | None  # only after the reveal
    decisions: list[Decision]
    key_results: list[dict[str, Any]]  # the drafts, each with its owner's name

    @property
    def earlier_failures(self) -> list[Decision]:
        return [d for d in self.decisions if not d.passed and d.round < self.round]

    @property
    def is_open(self) -> bool:
        return self.proposal.status == ProposalStatus.OPEN

    @property
    def failed(self) -> Decision | None:
        """This round's failed decision, if the facilitator tried and the rule said no."""
        return next((d for d in self.decisions if not d.passed and d.round == self.round), None)

    @property
    def adopted(self) -> Decision | None:
        return next((d for d in self.decisions if d.passed), None)


@dataclass
class Seat:
    """A participant and how far they are with voting this round (never what they voted)."""

    participant: Participant
    voted_on: int
    status: str  # "" before voting, else done | partly | none


@dataclass
class Room:
    """The room as `user` sees it, and what they may do in it now."""

    workshop: Workshop
    user: User
    seats: list[Seat]
    seat: Participant | None
    cards: list[Card]
    people: list[User]
    last_event_id: int
    dots_spent: int = 0

    @property
    def phase(self) -> str:
        return self.workshop.phase

    @property
    def phase_key(self) -> str:
        """Names the phase and round: what the room shows changes when this does."""
        return f"{self.workshop.phase}-{self.workshop.round}"

    @property
    def facilitator_seated(self) -> bool:
        return any(s.participant.user_id == self.workshop.facilitator_id for s in self.seats)

    @property
    def can_run(self) -> bool:
        return can_run(self.workshop, self.user)

    @property
    def can_draft(self) -> bool:
        return self.phase == Phase.DRAFTING and drafts(self.workshop, self.user, self.seat)

    @property
    def can_vote(self) -> bool:
        return self.phase == Phase.VOTING and self.seat is not None and self.seat.can_vote

    @property
    def can_decide(self) -> bool:
        return can_decide(self.workshop, self.user) and self.phase in (
            Phase.REVEALED,
            Phase.DECIDED,
        )

    @property
    def can_start_round(self) -> bool:
        return (
            self.can_run
            and self.phase in (Phase.REVEALED, Phase.DECIDED)
            and any(card.is_open for card in self.cards)
        )

    @property
    def next_phase(self) -> str | None:
        if self.workshop.is_cancelled:
            return None
        position = PHASE_ORDER.index(self.phase)
        return PHASE_ORDER[position + 1] if position + 1 < len(PHASE_ORDER) else None

    @property
    def move_label(self) -> str:
        return MOVE_LABELS.get(self.next_phase or "", "")

    @property
    def phases(self) -> list[tuple[str, str, str]]:
        """Each phase with its label and where the workshop is: done | current | later
        (a cancelled workshop shows where it stopped, then "Cancelled" as the current step)."""
        workshop = self.workshop
        stopped = workshop.cancelled_in if workshop.is_cancelled else ""
        position = PHASE_ORDER.index(stopped or self.phase)
        steps = [
            (
                value,
                label,
                "done"
                if i < position or (stopped and i == position)
                else "current"
                if i == position
                else "later",
            )
            for i, (value, label) in enumerate(Phase.choices)
            if value in PHASE_ORDER and not (stopped and i > position)
        ]
        if stopped:
            steps.append((Phase.CANCELLED, Phase.CANCELLED.label, "current"))
        return steps

    @property
    def can_edit(self) -> bool:
        """Leaders and the facilitator edit and cancel the workshop until its decision."""
        return self.can_run and self.workshop.is_undecided

    @property
    def timebox_minutes(self) -> int | None:
        minutes = (self.workshop.timeboxes or {}).get(self.phase)
        return minutes if isinstance(minutes, int) else None

    @property
    def timebox_ends_at(self) -> datetime | None:
        minutes = self.timebox_minutes
        return self.workshop.phase_started_at + timedelta(minutes=minutes) if minutes else None

    @property
    def voters(self) -> list[Seat]:
        return [s for s in self.seats if s.participant.can_vote]

    @property
    def voters_done(self) -> int:
        return sum(1 for s in self.voters if s.status == "done")

    @property
    def dots_left(self) -> int:
        return max(0, self.workshop.dots_per_voter - self.dots_spent)

    @property
    def is_dot_voting(self) -> bool:
        return self.workshop.voting_method == VotingMethod.DOT

    def card(self, proposal_id: int) -> Card | None:
        return next((c for c in self.cards if c.proposal.pk == proposal_id), None)


def load_room(workshop: Workshop, user: User) -> Room:
    """Everything the room shows `user`: participants, proposals, votes as allowed, decisions."""
    participants = by_name(workshop.participants.select_related("user"))
    proposals: list[Proposal] = list(
        workshop.proposals.select_related("author")
        .annotate(revision_count=Count("revisions"))
        .order_by("id")
    )
    votes = round_votes(workshop)
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for decision in workshop.decisions.select_related("decided_by", "goal"):
        decisions[decision.proposal_id].append(decision)
    people = [
        m.user
        for m in ProductMembership.objects.filter(product_id=workshop.product_id)
        .select_related("user")
        .order_by("user__email")
    ]
    names = {person.pk: person.name for person in people}
    open_ids = {p.pk for p in proposals if p.status == ProposalStatus.OPEN}
    room = Room(
        workshop=workshop,
        user=user,
        seats=_seats(workshop, participants, votes, open_ids),
        seat=next((p for p in participants if p.user_id == user.pk), None),
        cards=[],
        people=people,
        last_event_id=events.latest_event_id(workshop.pk),
        dots_spent=sum(
            int(value)
            for _, voter, value, _ in votes
            if voter == user.pk and workshop.voting_method == VotingMethod.DOT
        ),
    )
    results = _results(workshop, votes, proposals, participants) if workshop.is_revealed else {}
    cast: dict[int, int] = defaultdict(int)
    mine: dict[int, tuple[str, str]] = {}
    for proposal_id, voter_id, value, reason in votes:
        cast[proposal_id] += 1
        if voter_id == user.pk:
            mine[proposal_id] = (value, reason)
    room.cards = [
        Card(
            proposal=proposal,
            round=workshop.round,
            revision_count=getattr(proposal, "revision_count", 0),
            votes_cast=cast[proposal.pk],
            my_vote=mine.get(proposal.pk),
            my_vote_label=vote_label(workshop.voting_method, mine[proposal.pk][0])
            if proposal.pk in mine
            else "",
            result=results.get(proposal.pk),
            decisions=decisions[proposal.pk],
            key_results=[
                {
                    **draft,
                    "owner_name": names.get(draft.get("owner") or 0, ""),
                    # Kept as text in the draft; a day to print as people write dates.
                    "due": date.fromisoformat(draft["due_on"]) if draft.get("due_on") else None,
                }
                for draft in proposal.key_results
                if isinstance(draft, dict)
            ],
        )
        for proposal in proposals
    ]
    return room


def _seats(
    workshop: Workshop, participants: list[Participant], votes: list[VoteRow], open_ids: set[int]
) -> list[Seat]:
    # A ballot counts whatever its value (zero dots included): before the reveal nothing
    # shown may change with what someone voted.
    voted_on: dict[int, int] = defaultdict(int)
    for proposal_id, voter_id, _, _ in votes:
        if proposal_id in open_ids:
            voted_on[voter_id] += 1
    # Once every proposal is decided nothing is left to vote on, so nobody is "not voted yet".
    voting_open = (
        bool(open_ids) and workshop.phase in PHASE_ORDER[PHASE_ORDER.index(Phase.VOTING) :]
    )
    # Dot voters may rightly leave proposals without dots: any ballot cast means they voted.
    needed = 1 if workshop.voting_method == VotingMethod.DOT else len(open_ids)
    seats = []
    for participant in participants:
        done = voted_on[participant.user_id]
        if not (voting_open and participant.can_vote):
            status = ""
        elif done >= needed and done:
            status = "done"
        else:
            status = "partly" if done else "none"
        seats.append(Seat(participant, done, status))
    return seats


def _results(
    workshop: Workshop,
    votes: list[VoteRow],
    proposals: list[Proposal],
    participants: list[Participant],
) -> dict[int, Result]:
    """After the reveal: each proposal's tally, chart, objections and named votes."""
    tallies = tally_votes(workshop, votes, [p.pk for p in proposals])
    names = {p.user_id: p.user.name for p in participants}
    method = workshop.voting_method
    most_dots = max((t.dots for t in tallies.values()), default=0)
    by_proposal: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    if not workshop.anonymous:
        for proposal_id, voter_id, value, reason in votes:
            name = names.get(voter_id, "A former participant")
            by_proposal[proposal_id].append((name, vote_label(method, value), reason))
    return {
        proposal_id: Result(
            tally=tally,
            bars=tally_bars(method, tally, most_dots),
            objections=objections_shown(workshop, tally, names),
            votes=sorted(by_proposal[proposal_id]),
        )
        for proposal_id, tally in tallies.items()
    }
