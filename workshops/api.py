"""API of the workshop room: set-up, phases, proposals, hidden votes, results and decisions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens
from goals import access
from goals.api.common import (
    AuthedRequest,
    PaginatedView,
    id_filter,
    organization_person,
    paginated,
    parse,
    query_int,
)
from goals.errors import DomainError, Forbidden, NotFound
from goals.models import Goal, Product, User
from goals.rules.timeframes import whole_number
from goals.services.metrics import METRIC_ONLY_MESSAGE, METRIC_SECRET_START
from workshops import events, selectors
from workshops.access import (
    can_decide,
    can_draft,
    can_run,
    get_proposal,
    get_proposal_to_vote_on,
    get_workshop,
    may_enter,
    visible_workshops,
)
from workshops.models import Participant
from workshops.serializers import (
    CancelSerializer,
    DecideSerializer,
    DecisionSerializer,
    ParticipantInputSerializer,
    ParticipantSerializer,
    PhaseSerializer,
    ProposalSerializer,
    RevisionSerializer,
    VoteInputSerializer,
    VoteSerializer,
    WorkshopSerializer,
    WorkshopUpdateSerializer,
)
from workshops.services.decisions import workshop_decide, workshop_new_round
from workshops.services.proposals import proposal_create, proposal_update
from workshops.services.setup import (
    participant_add,
    participant_remove,
    workshop_cancel,
    workshop_create,
    workshop_set_phase,
    workshop_update,
)
from workshops.services.votes import vote_cast


class WorkshopList(PaginatedView):
    @extend_schema(parameters=[id_filter("product")], responses=WorkshopSerializer(many=True))
    def get(self, request: AuthedRequest) -> Response:
        workshops = visible_workshops(request.user).prefetch_related("decisions")
        product = query_int(request, "product")
        if product is not None:
            workshops = workshops.filter(product_id=product)
        return paginated(request, workshops.order_by("-id"), WorkshopSerializer, self)

    @extend_schema(request=WorkshopSerializer, responses={201: WorkshopSerializer})
    def post(self, request: AuthedRequest) -> Response:
        data = parse(WorkshopSerializer, request)
        try:
            product = access.get_product(request.user, data.pop("product"))
        except NotFound:
            raise DomainError({"product": ["Unknown product."]}) from None
        access.require_role(product, (access.Role.LEADER,), "plan workshops")
        parent_id = data.pop("parent_goal", None)
        parent = None
        if parent_id is not None:
            parent = Goal.objects.filter(
                pk=parent_id, product__organization_id=product.organization_id
            ).first()
            if parent is None:
                raise DomainError({"parent_goal": ["Unknown goal."]})
        facilitator = _facilitator(product, data.pop("facilitator", request.user.pk))
        data.pop("version", None)
        workshop = workshop_create(
            actor=request.user,
            product=product,
            parent_goal=parent,
            facilitator=facilitator,
            **data,
        )
        fresh = get_workshop(request.user, workshop.pk)
        return Response(WorkshopSerializer(fresh).data, status=201)


class WorkshopDetail(APIView):
    @extend_schema(responses=WorkshopSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        return Response(WorkshopSerializer(workshop).data)

    @extend_schema(request=WorkshopUpdateSerializer, responses=WorkshopSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        _require_runner(workshop, request.user)
        data = parse(WorkshopUpdateSerializer, request, partial=True)
        if "facilitator" in data:
            data["facilitator"] = _facilitator(workshop.product, data["facilitator"])
        version = data.pop("version", None)
        workshop_update(actor=request.user, workshop=workshop, data=data, version=version)
        fresh = get_workshop(request.user, pk)
        return Response(WorkshopSerializer(fresh).data)


class WorkshopCancel(APIView):
    """Call the workshop off before its decision; participants get one email with the reason."""

    @extend_schema(request=CancelSerializer, responses=WorkshopSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        _require_runner(workshop, request.user)
        data = parse(CancelSerializer, request)
        workshop_cancel(actor=request.user, workshop=workshop, reason=data["reason"])
        fresh = get_workshop(request.user, pk)
        return Response(WorkshopSerializer(fresh).data)


def _facilitator(product: Product, user_id: int) -> User:
    facilitator = organization_person(product, user_id)
    if facilitator is None:
        raise DomainError(
            {"facilitator": ["Choose the facilitator among the people of this organisation."]}
        )
    return facilitator


class WorkshopParticipants(PaginatedView):
    @extend_schema(responses=ParticipantSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        return paginated(request, selectors.participants(workshop), ParticipantSerializer, self)

    @extend_schema(request=ParticipantInputSerializer, responses={201: ParticipantSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        _require_runner(workshop, request.user)
        data = parse(ParticipantInputSerializer, request)
        user = User.objects.filter(email__iexact=data["email"]).first()
        seat = participant_add(
            actor=request.user, workshop=workshop, user=user, can_vote=data["can_vote"]
        )
        return Response(ParticipantSerializer(seat).data, status=201)


class WorkshopParticipantDetail(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int, participant_id: int) -> Response:
        workshop = get_workshop(request.user, pk)
        seat = Participant.objects.filter(workshop=workshop, pk=participant_id).first()
        if seat is None:
            raise NotFound()
        _require_runner(workshop, request.user)
        participant_remove(actor=request.user, participant=seat)
        return Response(status=204)


def _require_runner(workshop: Any, user: User) -> None:
    if not can_run(workshop, user):
        raise Forbidden("Only the facilitator or a product leader can do this.")


class WorkshopPhase(APIView):
    @extend_schema(request=PhaseSerializer, responses=WorkshopSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        _require_runner(workshop, request.user)
        data = parse(PhaseSerializer, request)
        workshop_set_phase(actor=request.user, workshop=workshop, phase=data["phase"])
        return Response(WorkshopSerializer(get_workshop(request.user, pk)).data)


class WorkshopRounds(APIView):
    """Start another drafting round after a proposal failed its decision."""

    @extend_schema(request=None, responses=WorkshopSerializer)
    def post(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        _require_runner(workshop, request.user)
        workshop_new_round(actor=request.user, workshop=workshop)
        return Response(WorkshopSerializer(get_workshop(request.user, pk)).data)


class WorkshopProposals(PaginatedView):
    @extend_schema(responses=ProposalSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        proposals = workshop.proposals.select_related("author").order_by("id")
        return paginated(request, proposals, ProposalSerializer, self)

    @extend_schema(request=ProposalSerializer, responses={201: ProposalSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        if not can_draft(workshop, request.user):
            raise Forbidden("Observers follow the drafting; voters and the facilitator draft.")
        data = parse(ProposalSerializer, request)
        data.pop("version", None)
        proposal = proposal_create(
            actor=request.user, workshop=workshop, **_plain_key_results(data)
        )
        return Response(ProposalSerializer(proposal).data, status=201)


def _plain_key_results(data: dict[str, Any]) -> dict[str, Any]:
    if "key_results" in data:
        data["key_results"] = [dict(kr) for kr in data["key_results"]]
    return data


class ProposalDetail(APIView):
    @extend_schema(responses=ProposalSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(ProposalSerializer(get_proposal(request.user, pk)).data)

    @extend_schema(request=ProposalSerializer, responses=ProposalSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        proposal = get_proposal(request.user, pk)
        if not can_draft(proposal.workshop, request.user):
            raise Forbidden("Observers follow the drafting; voters and the facilitator draft.")
        data = _plain_key_results(parse(ProposalSerializer, request, partial=True))
        updated = proposal_update(
            actor=request.user, proposal=proposal, data=data, version=data.pop("version", None)
        )
        return Response(ProposalSerializer(updated).data)


class ProposalRevisions(PaginatedView):
    @extend_schema(responses=RevisionSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        proposal = get_proposal(request.user, pk)
        return paginated(request, proposal.revisions.order_by("-number"), RevisionSerializer, self)


class ProposalVote(APIView):
    @extend_schema(request=VoteInputSerializer, responses=VoteSerializer)
    def put(self, request: AuthedRequest, pk: int) -> Response:
        proposal = get_proposal_to_vote_on(request.user, pk)
        data = parse(VoteInputSerializer, request)
        vote = vote_cast(
            actor=request.user, proposal=proposal, value=data["value"], reason=data["reason"]
        )
        return Response(VoteSerializer(vote).data)


class WorkshopResults(APIView):
    @extend_schema(responses=dict)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(selectors.results(get_workshop(request.user, pk)))


class WorkshopDecide(APIView):
    @extend_schema(request=DecideSerializer, responses={201: DecisionSerializer})
    def post(self, request: AuthedRequest, pk: int) -> Response:
        workshop = get_workshop(request.user, pk)
        if not can_decide(workshop, request.user):
            raise Forbidden("The facilitator decides.")
        data = parse(DecideSerializer, request)
        proposal = workshop.proposals.filter(pk=data["proposal"]).first()
        if proposal is None:
            raise DomainError({"proposal": ["That proposal is not part of this workshop."]})
        decision = workshop_decide(actor=request.user, workshop=workshop, proposal=proposal)
        return Response(DecisionSerializer(decision).data, status=201)


async def workshop_events(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Server-Sent Events for the room; authenticated by session or API token."""
    user = await _user_of(request)
    if not user.is_authenticated:
        return JsonResponse({"detail": _refusal(request)}, status=401)
    try:
        await sync_to_async(get_workshop)(user, pk)
    except NotFound:
        return JsonResponse({"detail": "Not found."}, status=404)
    last = request.headers.get("Last-Event-ID") or request.GET.get("after")
    last_id = whole_number(last) if last else await sync_to_async(events.latest_event_id)(pk)
    if last_id is None:
        return JsonResponse({"after": ["Give a whole number."]}, status=400)
    asked = whole_number(request.GET.get("seconds", ""))
    seconds = events.STREAM_SECONDS if asked is None else max(1, min(asked, events.STREAM_SECONDS))
    # The reads above ran on this request's thread, which keeps its connection until the
    # stream ends: given back now, as the stream's own reads give theirs back.
    await sync_to_async(events.give_back_connection)()
    response = StreamingHttpResponse(
        events.stream(pk, last_id, seconds=seconds, allowed=_may_enter(user, pk)),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def _may_enter(user: User, pk: int) -> Callable[[], Awaitable[bool]]:
    """Whether `user` may still enter the room, asked again while their stream is open."""

    async def allowed() -> bool:
        return await sync_to_async(events.released(may_enter))(user, pk)

    return allowed


def _refusal(request: HttpRequest) -> str:
    """Why nobody is signed in: a metric token only pushes key-result values."""
    key = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    if key.startswith(METRIC_SECRET_START):
        return METRIC_ONLY_MESSAGE
    return "Authentication credentials were not provided."


async def _user_of(request: HttpRequest) -> Any:
    """The stream's reader: by API token (outside DRF, this view being async) or session.

    Only reads happen here, so a read-only token is as good as any."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Token "):
        token = await tokens.afind(header.removeprefix("Token ").strip())
        if token is None or tokens.refusal(token) is not None:
            return AnonymousUser()
        await tokens.arecord_use(token)
        return token.user
    return await request.auser()
