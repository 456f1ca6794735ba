"""Reads of the workshop room. Vote values leave here only after the reveal."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format

from goals.models import Goal, Product, User
from goals.wording import amount, counted
from workshops import rules
from workshops.access import can_run, visible_workshops
from workshops.models import (
    Decision,
    Participant,
    Phase,
    Proposal,
    ProposalRevision,
    Vote,
    VotingMethod,
    Workshop,
)


def participants(workshop: Workshop) -> list[Participant]:
    """The seats in the order of people's names, which says nothing about how anyone voted."""
    return by_name(workshop.participants.select_related("user"))


def by_name(seats: Iterable[Participant]) -> list[Participant]:
    """Seats ordered by name (then email), never by user id or by when they joined."""
    return sorted(seats, key=lambda seat: (seat.user.name.casefold(), seat.user.email))


def voted_user_ids(workshop: Workshop) -> set[int]:
    return set(
        Vote.objects.filter(proposal__workshop=workshop, round=workshop.round).values_list(
            "voter_id", flat=True
        )
    )


# (proposal id, voter id, value, reason) of one vote.
type VoteRow = tuple[int, int, str, str]


def round_votes(workshop: Workshop) -> list[VoteRow]:
    """The current round's votes with their values. Callers show values only after the reveal."""
    return list(
        Vote.objects.filter(proposal__workshop=workshop, round=workshop.round).values_list(
            "proposal_id", "voter_id", "value", "reason"
        )
    )


def proposal_tallies(workshop: Workshop) -> dict[int, rules.Tally]:
    """Tallies of the current round's votes, per proposal. Callers must check the phase."""
    return tally_votes(
        workshop,
        round_votes(workshop),
        workshop.proposals.values_list("pk", flat=True),
    )


def tally_votes(
    workshop: Workshop, votes: Iterable[VoteRow], proposal_ids: Iterable[int]
) -> dict[int, rules.Tally]:
    """Tally votes already read, per proposal (dot voting counts who cast a ballot at all)."""
    ballots: dict[int, list[rules.Ballot]] = defaultdict(list)
    dot_voters: set[int] = set()
    for proposal_id, voter_id, value, reason in votes:
        ballots[proposal_id].append(rules.Ballot(voter_id, value, reason))
        # Whoever cast a ballot voted, zero dots included.
        dot_voters.add(voter_id)
    return {
        proposal_id: rules.tally(
            workshop.voting_method, ballots.get(proposal_id, []), dot_voters=len(dot_voters)
        )
        for proposal_id in proposal_ids
    }


def objections_shown(
    workshop: Workshop, count: rules.Tally, names: dict[int, str]
) -> list[dict[str, Any]]:
    """Each objection's reason, with who raised it unless the workshop is anonymous."""
    if workshop.anonymous:
        return [{"reason": o["reason"]} for o in count.objections]
    return [
        {"voter": o["voter"], "name": names.get(o["voter"], ""), "reason": o["reason"]}
        for o in count.objections
    ]


def results(workshop: Workshop) -> dict[str, Any]:
    """Before the reveal: who has voted. After: tallies, objections, and names unless anonymous."""
    seats = participants(workshop)
    voted = voted_user_ids(workshop)
    voters = [s for s in seats if s.can_vote]
    data: dict[str, Any] = {
        "workshop": workshop.pk,
        "phase": workshop.phase,
        "round": workshop.round,
        "revealed": workshop.is_revealed,
        "voters": len(voters),
        "voted": len(voted & {s.user_id for s in voters}),
        "participants": [
            {
                "user": s.user_id,
                "name": s.user.name,
                "can_vote": s.can_vote,
                "has_voted": s.user_id in voted,
            }
            for s in seats
        ],
    }
    if not workshop.is_revealed:
        data["proposals"] = []
        return data
    names = {s.user_id: s.user.name for s in seats}
    by_proposal: dict[int, list[Vote]] = defaultdict(list)
    if not workshop.anonymous:
        for vote in Vote.objects.filter(proposal__workshop=workshop, round=workshop.round):
            by_proposal[vote.proposal_id].append(vote)
    tallies = proposal_tallies(workshop)
    data["proposals"] = [
        {
            "proposal": proposal.pk,
            "title": proposal.title,
            "status": proposal.status,
            "tally": tallies[proposal.pk].as_dict(),
            "objections": objections_shown(workshop, tallies[proposal.pk], names),
            "votes": [
                {
                    "voter": v.voter_id,
                    "name": names.get(v.voter_id, ""),
                    "value": v.value,
                    "reason": v.reason,
                }
                for v in sorted(
                    by_proposal.get(proposal.pk, []),
                    key=lambda v: (names.get(v.voter_id, "").casefold(), v.voter_id),
                )
            ],
        }
        for proposal in workshop.proposals.order_by("id")
    ]
    return data


# Charts, lists, histories and decision records -------------------------------------------


@dataclass
class Bar:
    """One bar of a tally chart: a count and its share of the chart's scale, in percent."""

    label: str
    count: int
    percent: int
    kind: str  # support | neutral | objection | dots


def tally_bars(method: str, count: rules.Tally, most_dots: int = 0) -> list[Bar]:
    """A tally as chart bars: one per ballot value, or the dots compared with the most dots."""
    if method == VotingMethod.DOT:
        scale = max(most_dots, count.dots)
        return [Bar("Dots", count.dots, _percent(count.dots, scale), "dots")]
    bars = []
    for value, _ in rules.BALLOT_CHOICES[method]:
        n = count.counts.get(value, 0)
        if rules.supports(method, value):
            kind = "support"
        elif rules.objects(method, value):
            kind = "objection"
        else:
            kind = "neutral"
        bars.append(Bar(vote_label(method, value), n, _percent(n, count.voters), kind))
    return bars


def _percent(n: int, scale: int) -> int:
    return round(n * 100 / scale) if scale else 0


def vote_label(method: str, value: str) -> str:
    """A vote value in words: "Agree", "3 dots", "4 fingers", "5"."""
    if method == VotingMethod.CONSENT:
        return value.capitalize()
    if method == VotingMethod.DOT:
        return counted(value, "dot")
    if method == VotingMethod.FIST_OF_FIVE:
        return counted(value, "finger")
    return value


@dataclass
class ProductWorkshops:
    upcoming: list[Workshop]
    not_held: list[Workshop]
    running: list[Workshop]
    past: list[Workshop]
    runnable: set[int]  # the workshops this person may edit, reschedule or cancel


def product_workshops(user: User, product: Product) -> ProductWorkshops:
    """The product's workshops this person may enter, with the goals each one adopted.

    A planned workshop more than a day past its time is "not held", not upcoming."""
    workshops: list[Workshop] = list(
        visible_workshops(user)
        .filter(product=product)
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(passed=True).select_related("goal"),
                to_attr="adoptions",
            )
        )
    )
    now = timezone.now()
    far = datetime.max.replace(tzinfo=UTC)
    planned = [w for w in workshops if w.phase == Phase.PLANNED]
    planned.sort(key=lambda w: (w.scheduled_at or far, w.pk))
    ended = (Phase.CLOSED, Phase.CANCELLED)
    return ProductWorkshops(
        upcoming=[w for w in planned if not w.not_held(now)],
        not_held=[w for w in planned if w.not_held(now)],
        running=[w for w in workshops if w.phase not in (Phase.PLANNED, *ended)],
        past=[w for w in workshops if w.phase in ended],
        runnable={w.pk for w in workshops if can_run(w, user)},
    )


@dataclass
class RevisionChange:
    label: str
    runs: list[tuple[str, str]]  # ("same" | "del" | "ins", text), word by word


@dataclass
class RevisionEntry:
    revision: ProposalRevision
    changes: list[RevisionChange]


REVISION_LABELS = {
    "title": "Title",
    "description": "Description",
    "starts_on": "Starts",
    "ends_on": "Ends",
    "key_results": "Key results",
}


def revision_history(proposal: Proposal) -> list[RevisionEntry]:
    """Every save of a proposal, newest first: who, when, and a word diff of each change."""
    revisions = list(proposal.revisions.select_related("by").order_by("-number"))
    owner_ids = {
        kr["owner"]
        for revision in revisions
        for old_new in revision.changes.get("key_results", [])
        for kr in old_new or []
        if isinstance(kr, dict) and isinstance(kr.get("owner"), int)
    }
    owners = {u.pk: u.name for u in User.objects.filter(pk__in=owner_ids)}
    entries = []
    for revision in revisions:
        changes = []
        for name, label in REVISION_LABELS.items():
            if name not in revision.changes:
                continue
            old, new = (_revision_text(name, value, owners) for value in revision.changes[name])
            if old or new:
                changes.append(RevisionChange(label, word_diff(old, new)))
        entries.append(RevisionEntry(revision, changes))
    return entries


def _revision_text(name: str, value: Any, owners: dict[int, str]) -> str:
    if not value:
        return ""
    if name in ("starts_on", "ends_on"):
        return date_format(date.fromisoformat(value), "j M Y")
    if name == "key_results":
        return "\n".join(_key_result_text(kr, owners) for kr in value)
    return str(value)


def _key_result_text(kr: dict[str, Any], owners: dict[int, str]) -> str:
    baseline, target = (amount(kr.get(name)) for name in ("baseline", "target"))
    text = f"{kr.get('title')}: {baseline} → {target} {kr.get('unit') or ''}".strip()
    if kr.get("due_on"):
        text += f", due {date_format(date.fromisoformat(kr['due_on']), 'j M Y')}"
    owner = owners.get(kr.get("owner") or 0)
    return f"{text.strip()} ({owner})" if owner else text.strip()


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """What changed from `old` to `new` as runs of kept, deleted and inserted words."""
    # Each word keeps the space after it, so a change never hinges on a lone space.
    a, b = re.findall(r"\s*\S+\s*", old), re.findall(r"\s*\S+\s*", new)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            runs.append(("ins", "".join(b[j1:j2])))
    return runs


@dataclass
class DecisionRecord:
    decision: Decision
    count: rules.Tally
    objections: list[dict[str, str]]
    bars: list[Bar]


def decision_record(goal: Goal) -> DecisionRecord | None:
    """How a workshop adopted this goal: rule, tallies, objections, who decided and when."""
    decision = (
        Decision.objects.select_related("workshop", "decided_by", "proposal")
        .filter(goal=goal, passed=True)
        .first()
    )
    if decision is None:
        return None
    count = stored_tally(decision.voting_method, decision.tallies)
    objections = stored_objections(decision.objections)
    return DecisionRecord(decision, count, objections, tally_bars(decision.voting_method, count))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def stored_tally(method: str, tallies: Any) -> rules.Tally:
    """A decision's kept tallies as a tally, whatever shape an old row or import left them
    in: what is not a count reads as none, so a goal's page never fails on it."""
    tallies = tallies if isinstance(tallies, dict) else {}
    counts = tallies.get("counts")
    return rules.Tally(
        method=method,
        voters=_count(tallies.get("voters")),
        supporters=_count(tallies.get("supporters")),
        objectors=_count(tallies.get("objectors")),
        counts={key: _count(n) for key, n in counts.items() if isinstance(key, str)}
        if isinstance(counts, dict)
        else {},
        dots=_count(tallies.get("dots")),
    )


def stored_objections(objections: Any) -> list[dict[str, str]]:
    """A decision's kept objections as name and reason texts, skipping what is neither."""
    shown = []
    for objection in objections if isinstance(objections, list) else []:
        if not isinstance(objection, dict):
            continue
        name, reason = objection.get("name"), objection.get("reason")
        shown.append(
            {
                "name": name if isinstance(name, str) else "",
                "reason": reason if isinstance(reason, str) else "",
            }
        )
    return [o for o in shown if o["reason"] or o["name"]]
