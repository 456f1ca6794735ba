"""Writes of proposals: checking, drafting and amending them in the drafting phase, with
their draft key results and the revision history every change adds to."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from goals.errors import Conflict, Errors
from goals.markdown import render_markdown
from goals.models import MEASURE_LIMIT, ProductMembership, User
from goals.rules.timeframes import EARLIEST_DAY, LATEST_DAY, in_date_window, timeframe_errors
from goals.services.versioning import check_version, save_versioned
from workshops.events import emit
from workshops.models import Phase, Proposal, ProposalRevision, ProposalStatus, Workshop
from workshops.services.common import lock_in_phase

PROPOSAL_FIELDS = ("title", "description", "starts_on", "ends_on", "key_results")
MAX_KEY_RESULTS = 10


def proposal_check(*, workshop: Workshop, data: dict[str, Any]) -> dict[str, list[str]]:
    """Check a proposal against the target level's chain rules: the errors by field. Advice
    (the timeframe's among it) comes from the goal-quality check every goal form uses."""
    errors = Errors()
    _check_proposal_fields(workshop, data, errors)
    return errors.by_field


def proposal_create(
    *,
    actor: User,
    workshop: Workshop,
    title: str,
    description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    key_results: list[dict[str, Any]] | None = None,
) -> Proposal:
    """Draft a proposal in the drafting phase; it starts its revision history."""
    data = {
        "title": title,
        "description": description,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "key_results": key_results or [],
    }
    with transaction.atomic():
        locked = lock_in_phase(
            workshop_id=workshop.pk,
            phase=Phase.DRAFTING,
            message="Proposals are drafted in the drafting phase.",
        )
        errors = Errors()
        data["key_results"] = _check_proposal_fields(locked, data, errors)
        errors.raise_if_any()
        proposal = Proposal.objects.create(
            workshop=locked,
            author=actor,
            title=title.strip(),
            description=description,
            description_html=render_markdown(description),
            starts_on=starts_on,
            ends_on=ends_on,
            key_results=data["key_results"],
        )
        _revise(proposal, actor, changes={f: [None, v] for f, v in _snapshot(proposal).items()})
        emit(locked, "proposal", proposal=proposal.pk, action="created")
    return proposal


def proposal_update(
    *, actor: User, proposal: Proposal, data: dict[str, Any], version: int | None = None
) -> Proposal:
    """Amend a proposal; a stale version is refused (409) so nobody's text is lost."""
    with transaction.atomic():
        lock_in_phase(
            workshop_id=proposal.workshop_id,
            phase=Phase.DRAFTING,
            message="Proposals can be amended in the drafting phase.",
        )
        current = (
            Proposal.objects.select_for_update().select_related("workshop").get(pk=proposal.pk)
        )
        check_version(current, version)
        if current.status != ProposalStatus.OPEN:
            raise Conflict("This proposal was already decided on.")
        before = _snapshot(current)
        merged = {f: data[f] if f in data else getattr(current, f) for f in PROPOSAL_FIELDS}
        errors = Errors()
        merged["key_results"] = _check_proposal_fields(current.workshop, merged, errors)
        errors.raise_if_any()
        for field in PROPOSAL_FIELDS:
            setattr(current, field, merged[field])
        current.title = str(merged["title"]).strip()
        after = _snapshot(current)
        changes = {f: [before[f], after[f]] for f in after if before[f] != after[f]}
        if not changes:
            return current
        current.description_html = render_markdown(current.description)
        save_versioned(current, [*PROPOSAL_FIELDS, "description_html"])
        _revise(current, actor, changes=changes)
        emit(current.workshop, "proposal", proposal=current.pk, action="amended")
    return current


def _check_proposal_fields(
    workshop: Workshop, data: dict[str, Any], errors: Errors
) -> list[dict[str, Any]]:
    """Field rules for a proposal; returns the cleaned draft key results."""
    title = (data.get("title") or "").strip()
    if not title:
        errors.add("title", "Give the proposal a title.")
    elif len(title) > 300:
        errors.add("title", "Keep the title under 300 characters.")
    for message in timeframe_errors(
        workshop.target_level, data.get("starts_on"), data.get("ends_on")
    ):
        errors.add("ends_on", message)
    return _clean_key_results(workshop, data.get("key_results") or [], errors)


def _clean_key_results(workshop: Workshop, drafts: Any, errors: Errors) -> list[dict[str, Any]]:
    if not isinstance(drafts, list) or len(drafts) > MAX_KEY_RESULTS:
        errors.add("key_results", f"Give a list of up to {MAX_KEY_RESULTS} key results.")
        return []
    cleaned = []
    member_ids = set(
        ProductMembership.objects.filter(product_id=workshop.product_id).values_list(
            "user_id", flat=True
        )
    )
    for number, draft in enumerate(drafts, start=1):
        if not isinstance(draft, dict):
            errors.add("key_results", f"Key result {number}: give title, baseline and target.")
            continue
        title = str(draft.get("title") or "").strip()
        baseline, target = _decimal(draft.get("baseline")), _decimal(draft.get("target"))
        owner = draft.get("owner")
        # Named by its title once it has one, else by its place among the rows of the form.
        name = f"“{title}”" if title and len(title) <= 300 else f"Key result {number}"
        if not title or len(title) > 300:
            errors.add("key_results", f"{name}: name what you will measure.")
        if baseline is None or target is None:
            errors.add("key_results", f"{name}: baseline and target are numbers.")
        elif baseline == target:
            errors.add("key_results", f"{name}: the target must differ from the baseline.")
        if owner is not None and (not isinstance(owner, int) or owner not in member_ids):
            errors.add("key_results", f"{name}: the owner must be a product member.")
        try:
            due_on = _draft_day(draft.get("due_on"))
        except ValueError:
            due_on = None
            errors.add(
                "key_results",
                f"{name}: give the due date as a day between "
                f"{EARLIEST_DAY.year} and {LATEST_DAY.year}.",
            )
        cleaned.append(
            {
                "title": title,
                "unit": str(draft.get("unit") or "")[:40],
                "baseline": str(baseline) if baseline is not None else None,
                "target": str(target) if target is not None else None,
                "owner": owner,
                "due_on": due_on.isoformat() if due_on else None,
            }
        )
    return cleaned


def _draft_day(value: Any) -> date | None:
    """A draft key result's due date, typed or sent as text (None if none); ValueError if
    it is not a day in the window every date keeps to."""
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str):
        day = datetime.strptime(value, "%Y-%m-%d").date()
    else:
        raise ValueError(value)
    if not in_date_window(day):
        raise ValueError(value)
    return day


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and abs(number) < MEASURE_LIMIT else None


def _snapshot(proposal: Proposal) -> dict[str, Any]:
    return {
        "title": proposal.title,
        "description": proposal.description,
        "starts_on": proposal.starts_on.isoformat() if proposal.starts_on else None,
        "ends_on": proposal.ends_on.isoformat() if proposal.ends_on else None,
        "key_results": proposal.key_results,
    }


def _revise(proposal: Proposal, actor: User, *, changes: dict[str, Any]) -> None:
    number = proposal.revisions.count() + 1
    ProposalRevision.objects.create(
        proposal=proposal, number=number, by=actor, snapshot=_snapshot(proposal), changes=changes
    )
