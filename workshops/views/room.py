"""The workshop room: phases, proposals with their amendments, hidden votes, decisions.

Every form works as a plain POST; with htmx a form swaps only its own part of the room,
and static/js/room.js refreshes the rest when the room's event stream says it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from goals.access import object_id
from goals.errors import Conflict, DomainError, Forbidden, NotFound
from goals.markdown import render_markdown
from goals.views.common import AuthedRequest, invalid_status, is_htmx, page, stale_form
from workshops import selectors
from workshops.access import can_decide, can_draft, can_run, get_proposal, get_workshop
from workshops.forms import ProposalForm, VoteForm
from workshops.models import Proposal, ProposalRevision, VotingMethod, Workshop
from workshops.room import Card, load_room
from workshops.services import proposals
from workshops.services.decisions import workshop_decide, workshop_new_round
from workshops.services.proposals import proposal_create, proposal_update
from workshops.services.setup import workshop_set_phase
from workshops.services.votes import vote_cast


@dataclass
class Panel:
    """A proposal's card with the forms this person may use on it."""

    card: Card
    amend_form: ProposalForm | None = None
    vote_form: VoteForm | None = None
    amend_open: bool = False
    conflict: ProposalRevision | None = None  # the save that came in before yours
    error: str = ""
    notice: str = ""


class _RoomPage:
    """The room as one person sees it; forms with errors are kept in the panels they belong to."""

    def __init__(self, request: AuthedRequest, workshop: Workshop) -> None:
        self.request = request
        self.room = load_room(workshop, request.user)
        self.changed: dict[int, dict[str, Any]] = {}
        self.new_form: ProposalForm | None = None

    def reload(self) -> None:
        """Read the room again after a write, keeping nothing the write made stale."""
        workshop = get_workshop(self.request.user, self.room.workshop.pk)
        self.room = load_room(workshop, self.request.user)

    def card(self, proposal: Proposal) -> Card:
        card = self.room.card(proposal.pk)
        if card is None:
            raise NotFound()
        return card

    def proposal_form(self, data: Any = None, *, card: Card | None = None) -> ProposalForm:
        prefix = f"p{card.proposal.pk}" if card else "new"
        initial = _proposal_initial(card.proposal) if card else None
        return ProposalForm(
            data, initial=initial, people=self.room.people, prefix=prefix, new=card is None
        )

    def vote_form(self, card: Card, data: Any = None) -> VoteForm:
        method = self.room.workshop.voting_method
        dots = method == VotingMethod.DOT
        initial: dict[str, Any] = {}
        if card.my_vote:
            value, reason = card.my_vote
            initial = {"value": int(value) if dots else value, "reason": reason}
        return VoteForm(
            data,
            initial=initial,
            method=method,
            # The dots already on this proposal can stay or move elsewhere.
            dots_allowed=self.room.dots_left + (initial.get("value", 0) if dots else 0),
            prefix=f"v{card.proposal.pk}",
        )

    def panel(self, card: Card) -> Panel:
        room = self.room
        panel = Panel(card)
        if room.can_draft and card.is_open:
            panel.amend_form = self.proposal_form(card=card)
        if room.can_vote and card.is_open:
            panel.vote_form = self.vote_form(card)
        for name, value in self.changed.get(card.proposal.pk, {}).items():
            setattr(panel, name, value)
        return panel

    def frame(self, **extra: Any) -> dict[str, Any]:
        """What every part of the room needs."""
        workshop = self.room.workshop
        return {
            "room": self.room,
            "workshop": workshop,
            "product": workshop.product,
            "organization": workshop.product.organization,
            **extra,
        }

    def context(self, **extra: Any) -> dict[str, Any]:
        room = self.room
        return self.frame(
            panels=[self.panel(card) for card in room.cards],
            new_form=self.new_form or (self.proposal_form() if room.can_draft else None),
            **extra,
        )

    def render(self, part: str = "", *, status: int = 200, **extra: Any) -> HttpResponse:
        """The whole room, or with `part` only that partial of it."""
        context = self.context(**extra)
        if not part:
            context["agenda_html"] = render_markdown(self.room.workshop.agenda)
        template = f"workshops/room.html#{part}" if part else "workshops/room.html"
        return render(self.request, template, context, status=status)

    def render_card(self, proposal: Proposal, *, status: int = 200, **changes: Any) -> HttpResponse:
        """One proposal's card for htmx; the whole room (on that card) for a plain request."""
        self.changed[proposal.pk] = changes
        if not is_htmx(self.request):
            return self.render(status=status)
        context = self.frame(panel=self.panel(self.card(proposal)))
        return render(self.request, "workshops/room.html#proposal", context, status=status)


def _changed(response: HttpResponse) -> HttpResponse:
    """Tell room.js that this answer changed the room, so it refreshes the rest at once."""
    return trigger_client_event(response, "room-changed", after="settle")


def _proposal_initial(proposal: Proposal) -> dict[str, Any]:
    fields = ("title", "description", "starts_on", "ends_on", "key_results", "version")
    return {name: getattr(proposal, name) for name in fields}


def _room_url(workshop_id: int, anchor: str = "") -> str:
    url = reverse("workshop-room", args=[workshop_id])
    return f"{url}#{anchor}" if anchor else url


@page
def room(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = get_workshop(request.user, pk)
    return _RoomPage(request, workshop).render()


@page
def room_live(request: AuthedRequest, pk: int) -> HttpResponse:
    """The room's live sections, fetched by room.js whenever the event stream reports a change."""
    workshop = get_workshop(request.user, pk)
    return _RoomPage(request, workshop).render("live")


@page
@require_POST
def phase_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move on to the phase the button named; a second click of the same button is refused."""
    workshop = _runnable(request, pk)
    try:
        workshop = workshop_set_phase(
            actor=request.user, workshop=workshop, phase=request.POST.get("phase", "")
        )
    except DomainError as error:
        return _answer(request, workshop, error=error.message)
    return _answer(
        request, workshop, notice=f"The workshop is now {workshop.get_phase_display().lower()}."
    )


@page
@require_POST
def round_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send what was not adopted back to drafting, as a new round with fresh votes."""
    workshop = _runnable(request, pk)
    try:
        workshop = workshop_new_round(actor=request.user, workshop=workshop)
    except DomainError as error:
        return _answer(request, workshop, error=error.message)
    return _answer(request, workshop, notice=f"Round {workshop.round}: back to drafting.")


def _runnable(request: AuthedRequest, pk: int) -> Workshop:
    workshop = get_workshop(request.user, pk)
    if not can_run(workshop, request.user):
        raise Forbidden("Only the facilitator or a product leader can do this.")
    return workshop


def _answer(
    request: AuthedRequest, workshop: Workshop, *, error: str = "", notice: str = ""
) -> HttpResponse:
    """After a facilitator's move: the phase banner for htmx, else back to the room."""
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return redirect(_room_url(workshop.pk))
    fresh = get_workshop(request.user, workshop.pk)
    response = _RoomPage(request, fresh).render("phase", phase_error=error, phase_notice=notice)
    return response if error else _changed(response)


@page
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """Apply the decision rule to one proposal; a failure is recorded and shown on its card."""
    workshop = get_workshop(request.user, pk)
    if not can_decide(workshop, request.user):
        raise Forbidden("The facilitator decides.")
    proposal = workshop.proposals.filter(pk=object_id(request.POST.get("proposal"))).first()
    if proposal is None:
        raise NotFound()
    error = notice = ""
    try:
        workshop_decide(actor=request.user, workshop=workshop, proposal=proposal)
    except DomainError as failure:
        error = failure.message
    else:
        notice = f"Adopted: “{proposal.title}” is now an agreed goal."
    if not is_htmx(request):
        if notice:
            messages.success(request, notice)
        else:
            messages.error(request, error)
        return redirect(_room_url(workshop.pk, f"proposal-{proposal.pk}"))
    page_data = _RoomPage(request, get_workshop(request.user, pk))
    failed = page_data.card(proposal).failed
    if failed and failed.reason == error:
        error = ""  # the card shows the recorded reason itself
    return _changed(page_data.render_card(proposal, error=error, notice=notice))


@page
@require_POST
def proposal_new(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = _drafting(request, pk)
    page_data = _RoomPage(request, workshop)
    form = page_data.proposal_form(request.POST)
    if form.is_valid():
        try:
            proposal = proposal_create(actor=request.user, workshop=workshop, **form.changes())
        except DomainError as error:
            form.show_errors(error)
        else:
            if not is_htmx(request):
                messages.success(request, f"“{proposal.title}” was added.")
                return redirect(_room_url(workshop.pk, f"proposal-{proposal.pk}"))
            page_data.reload()
            response = page_data.render(
                "new-proposal", new_proposal_notice=f"“{proposal.title}” was added."
            )
            return _changed(response)
    page_data.new_form = form
    if is_htmx(request):
        return page_data.render("new-proposal", status=invalid_status(request))
    return page_data.render(status=400)


def _drafting(request: AuthedRequest, pk: int) -> Workshop:
    workshop = get_workshop(request.user, pk)
    if not can_draft(workshop, request.user):
        raise Forbidden("Observers follow the drafting; voters and the facilitator draft.")
    return workshop


@page
@require_POST
def proposal_check(request: AuthedRequest, pk: int) -> HttpResponse:
    """As you type: what the target level's chain rules say about a proposal's draft."""
    workshop = get_workshop(request.user, pk)
    prefix = request.GET.get("prefix", "")
    if not (prefix == "new" or (prefix.startswith("p") and prefix[1:].isdigit())):
        raise NotFound()
    form = ProposalForm(request.POST, people=[], prefix=prefix)
    errors = proposals.proposal_check(workshop=workshop, data=form.check_data())
    checks = [(form[name].auto_id, errors.get(name, [])) for name in ProposalForm.checked]
    return render(request, "workshops/_checks.html", {"checks": checks})


@page
def proposal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the proposal's card (htmx "take theirs") or the room at it; POST: amend it."""
    proposal = get_proposal(request.user, pk)
    workshop = proposal.workshop
    if request.method != "POST":
        if not is_htmx(request):
            return redirect(_room_url(workshop.pk, f"proposal-{proposal.pk}"))
        return _RoomPage(request, workshop).render_card(proposal, amend_open=True)
    if not can_draft(workshop, request.user):
        raise Forbidden("Observers follow the drafting; voters and the facilitator draft.")
    page_data = _RoomPage(request, workshop)
    form = page_data.proposal_form(request.POST, card=page_data.card(proposal))
    if form.is_valid():
        try:
            proposal_update(
                actor=request.user,
                proposal=proposal,
                data=form.changes(),
                version=form.cleaned_data["version"],
            )
        except Conflict as error:
            if "version" in error.errors:
                return _stale_amendment(request, page_data, proposal, error)
            form.show_errors(error)
        except DomainError as error:
            form.show_errors(error)
        else:
            if not is_htmx(request):
                messages.success(request, "Amendment saved.")
                return redirect(_room_url(workshop.pk, f"proposal-{proposal.pk}"))
            page_data.reload()
            return _changed(page_data.render_card(proposal, notice="Amendment saved."))
    return page_data.render_card(
        proposal, amend_form=form, amend_open=True, status=invalid_status(request)
    )


def _stale_amendment(
    request: AuthedRequest, page_data: _RoomPage, proposal: Proposal, error: Conflict
) -> HttpResponse:
    """Someone saved first: show what is saved now beside the user's text, which stays."""
    page_data.reload()
    card = page_data.card(proposal)
    form = stale_form(
        ProposalForm,
        request.POST,
        card.proposal.version,
        error,
        people=page_data.room.people,
        prefix=f"p{proposal.pk}",
    )
    latest = card.proposal.revisions.select_related("by").first()
    return page_data.render_card(
        proposal,
        amend_form=form,
        amend_open=True,
        conflict=latest,
        status=invalid_status(request),
    )


@page
@require_POST
def proposal_vote(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = get_proposal(request.user, pk)
    page_data = _RoomPage(request, proposal.workshop)
    form = page_data.vote_form(page_data.card(proposal), request.POST)
    if form.is_valid():
        try:
            vote_cast(
                actor=request.user,
                proposal=proposal,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except Forbidden:
            raise
        except DomainError as error:
            form.show_errors(error)
        else:
            notice = "Your vote is in. Nobody sees it until the facilitator reveals the votes."
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect(_room_url(proposal.workshop_id, f"proposal-{proposal.pk}"))
            page_data.reload()
            return _changed(page_data.render_card(proposal, notice=notice))
    return page_data.render_card(proposal, vote_form=form, status=invalid_status(request))


@page
def proposal_history(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every save of a proposal: who, when and what changed, word by word."""
    proposal = get_proposal(request.user, pk)
    workshop = proposal.workshop
    context = {
        "proposal": proposal,
        "workshop": workshop,
        "product": workshop.product,
        "organization": workshop.product.organization,
        "entries": selectors.revision_history(proposal),
    }
    return render(request, "workshops/proposal_history.html", context)
