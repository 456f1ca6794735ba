"""API: goals, their history, and key results."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import authenticate, user_logged_in
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import tokens, two_factor
from accounts.policy import password_sign_in_refusal
from goalchain.compiled import Compiled
from goals import access
from goals.api.common import (
    AuthedRequest,
    PaginatedView,
    id_filter,
    organization_person,
    paginated,
    parse,
    query_int,
    query_text,
)
from goals.api.fast_reads import KeptAnswersView
from goals.api.hot_path import goals_json
from goals.api.serializers.goals import (
    AgreementInputSerializer,
    GoalChangeSerializer,
    GoalSerializer,
    KeyResultSerializer,
)
from goals.api.serializers.organizations import TokenRequestSerializer, TokenSerializer
from goals.errors import DomainError, Errors, NotFound
from goals.models import FeedbackRound, Goal, KeyResult, Level, Product, Status, User
from goals.pagination import Pagination
from goals.selectors.chain import goal_history
from goals.services.agreement import goal_agreed_by_feedback, goal_agreed_by_record
from goals.services.goals import goal_create, goal_delete, goal_update
from goals.services.key_results import key_result_create, key_result_delete, key_result_update
from goals.services.metric_sources import SourceSettings, metric_source_set


class TokenCreate(APIView):
    """Exchange an email and password for a new read-write API token, named after the client
    (its User-Agent): each call makes another, listed and revocable at /api/tokens/."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            429: OpenApiResponse(
                inline_serializer("LockedOut", {"detail": serializers.CharField()}),
                description="Too many failed sign-ins for this email from this address.",
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = parse(TokenRequestSerializer, request)
        user = authenticate(request._request, email=data["email"], password=data["password"])
        if user is None:
            raise DomainError("Unable to sign in with that email and password.")
        refusal = password_sign_in_refusal(user)
        if refusal is not None:
            raise DomainError(refusal)
        two_factor.check_for_token(user=user, code=data.get("code", ""))
        # A token is a sign-in: the login throttle resets and last_login moves on.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        name = tokens.client_token_name(request.headers.get("User-Agent", ""))
        token, secret = tokens.token_create(user=user, name=name)
        return Response({"token": secret, "id": token.pk, "name": token.name})


def _product_for_write(user: User, product_id: Any) -> Product:
    try:
        product = access.get_product(user, product_id)
    except NotFound:
        raise DomainError({"product": ["Unknown product."]}) from None
    access.require_role(product, access.EDITORS, "create or edit goals")
    return product


def _require_leader_for_review_date(obj: Any) -> None:
    # The review schedule sets it; only leaders move it by hand.
    access.require_role(obj, (access.Role.LEADER,), "set the next review date")


def _resolve_refs(product: Product, data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Turn `parents` and `owner` ids into objects, refusing ids outside the organisation."""
    resolved = dict(data)
    if "parents" in data:
        ids = data["parents"]
        found = {
            g.pk: g
            for g in Goal.objects.filter(
                pk__in=ids, product__organization_id=product.organization_id
            )
        }
        if any(pk not in found for pk in ids):
            errors.add("parents", "One of the goals to serve is not in this organisation.")
        resolved["parents"] = [found[pk] for pk in ids if pk in found]
    if data.get("owner") is not None:
        resolved["owner"] = _owner(product, data["owner"], errors)
    return resolved


def _owner(product: Product, user_id: int, errors: Errors) -> User | None:
    owner = organization_person(product, user_id)
    if owner is None:
        errors.add("owner", "Choose the owner among the people of this organisation.")
    return owner


class GoalList(KeptAnswersView, PaginatedView):
    @extend_schema(
        parameters=[
            id_filter("product"),
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter("status", str, enum=Status.values),
            id_filter("owner"),
        ],
        responses=GoalSerializer(many=True),
    )
    def get(self, request: AuthedRequest) -> HttpResponse:
        product, owner = query_int(request, "product"), query_int(request, "owner")
        chosen = {}
        for name, choices in (("level", Level.values), ("status", Status.values)):
            choice = request.query_params.get(name)
            if choice:
                if choice not in choices:
                    raise DomainError({name: [f"Choose one of: {', '.join(choices)}."]})
                chosen[name] = choice
        pages = _goal_pages(product is not None, owner is not None, **chosen)
        # The page's ids, then each goal's body as the detail serves it (mostly cached).
        paginator = Pagination()
        ids = paginator.page_of(pages, [request.user.pk, product or 0, owner or 0], request)
        bodies = goals_json(request.user, ids)
        return paginator.response_around([bodies[pk] for pk in ids if pk in bodies])

    @extend_schema(request=GoalSerializer, responses={201: GoalSerializer})
    def post(self, request: AuthedRequest) -> HttpResponse:
        data = parse(GoalSerializer, request)
        product = _product_for_write(request.user, data.pop("product"))
        if data.get("next_review_on") is not None:
            _require_leader_for_review_date(product)
        errors = Errors()
        data = _resolve_refs(product, data, errors)
        errors.raise_if_any()
        data.pop("version", None)
        data.pop("change_reason", None)
        goal = goal_create(actor=request.user, product=product, **data)
        return goal_response(request.user, goal.pk, status=201)


@cache
def _goal_pages(by_product: bool, by_owner: bool, level: str = "", status: str = "") -> Compiled:
    """The goal list's ids for one set of filters, compiled once: the ORM took longer to
    build the query than the database to answer it. Level and status are a few choices."""

    def build(user_id: int, product_id: int, owner_id: int) -> QuerySet[Goal]:
        goals = access.listed_goals(User(pk=user_id))
        if by_product:
            goals = goals.filter(product_id=product_id)
        if by_owner:
            goals = goals.filter(owner_id=owner_id)
        if level:
            goals = goals.filter(level=level)
        if status:
            goals = goals.filter(status=status)
        return Pagination.counted(goals.order_by("product_id", "id"))

    return Compiled(build)


def goal_response(user: User, pk: int, *, status: int = 200) -> HttpResponse:
    """A goal as its detail serves it, from the cache (after a write, built and cached)."""
    body = goals_json(user, [pk]).get(pk)
    if body is None:
        raise NotFound()
    return HttpResponse(body, status=status, content_type="application/json")


class GoalDetail(KeptAnswersView):
    @extend_schema(responses=GoalSerializer)
    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        return goal_response(request.user, pk)

    @extend_schema(request=GoalSerializer, responses=GoalSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> HttpResponse:
        goal = access.get_goal(request.user, pk)
        access.require_role(goal, access.EDITORS, "edit goals")
        data = parse(GoalSerializer, request, partial=True)
        errors = Errors()
        if "product" in data and data.pop("product") != goal.product_id:
            errors.add("product", "A goal stays in its product.")
        if "level" in data and data.pop("level") != goal.level:
            errors.add("level", "A goal's level cannot change; create a new goal instead.")
        if "next_review_on" in data and data["next_review_on"] != goal.next_review_on:
            _require_leader_for_review_date(goal)
        data = _resolve_refs(goal.product, data, errors)
        errors.raise_if_any()
        version = data.pop("version", None)
        reason = data.pop("change_reason", "")
        goal_update(actor=request.user, goal=goal, data=data, version=version, change_reason=reason)
        return goal_response(request.user, goal.pk)

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        access.require_role(goal, access.EDITORS, "delete goals")
        goal_delete(actor=request.user, goal=goal)
        return Response(status=204)


class GoalAgreementCreate(APIView):
    """Agree a goal: after a closed feedback round everyone supported, or by recording an
    agreement reached elsewhere (who agreed and why)."""

    @extend_schema(request=AgreementInputSerializer, responses={201: GoalSerializer})
    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        goal = access.get_goal(request.user, pk)
        access.require_role(goal, access.EDITORS, "agree goals")
        data = parse(AgreementInputSerializer, request)
        role = access.role_of(goal)
        if "feedback_round" in data:
            feedback_round = FeedbackRound.objects.filter(
                pk=data["feedback_round"], goal=goal
            ).first()
            if feedback_round is None:
                raise DomainError({"feedback_round": ["Unknown feedback round on this goal."]})
            goal_agreed_by_feedback(
                actor=request.user, goal=goal, feedback_round=feedback_round, role=role
            )
        else:
            goal_agreed_by_record(
                actor=request.user,
                goal=goal,
                agreed_by=_people(goal.product, data["agreed_by"]),
                reason=data.get("reason", ""),
                role=role,
            )
        return goal_response(request.user, goal.pk, status=201)


def _people(product: Product, ids: list[int]) -> list[User]:
    """The organisation members with these ids; an unknown id is a 400 naming it (the
    service checks product membership)."""
    found = User.objects.filter(
        pk__in=ids, org_memberships__organization_id=product.organization_id
    ).in_bulk()
    unknown = [pk for pk in ids if pk not in found]
    if unknown:
        raise DomainError(
            {"agreed_by": ["One of the people who agreed is not in this organisation."]}
        )
    return [found[pk] for pk in ids]


class GoalHistory(APIView):
    @extend_schema(responses=GoalChangeSerializer(many=True))
    def get(self, request: AuthedRequest, pk: int) -> Response:
        goal = access.get_goal(request.user, pk)
        return Response(GoalChangeSerializer(goal_history(goal), many=True).data)


def _key_result_refs(key_result_goal: Goal, data: dict[str, Any]) -> dict[str, Any]:
    resolved = dict(data)
    if data.get("owner") is not None:
        errors = Errors()
        resolved["owner"] = _owner(key_result_goal.product, data["owner"], errors)
        errors.raise_if_any()
    return resolved


def _set_source(key_result: KeyResult, source: dict[str, Any] | None) -> None:
    """Give the key result the data source sent (None removes it); its errors under `source`."""
    settings = SourceSettings(**source) if source is not None else None
    try:
        metric_source_set(key_result=key_result, settings=settings)
    except DomainError as error:
        messages = [message for field in error.errors.values() for message in field]
        raise DomainError({"source": messages}) from None


class KeyResultList(PaginatedView):
    @extend_schema(
        parameters=[id_filter("goal"), id_filter("product")],
        responses=KeyResultSerializer(many=True),
    )
    def get(self, request: AuthedRequest) -> Response:
        key_results = access.visible_key_results(request.user)
        for name, path in (("goal", "goal_id"), ("product", "goal__product_id")):
            value = query_int(request, name)
            if value is not None:
                key_results = key_results.filter(**{path: value})
        key_results = key_results.select_related("source").order_by("goal_id", "id")
        return paginated(request, key_results, KeyResultSerializer, self)

    @extend_schema(request=KeyResultSerializer, responses={201: KeyResultSerializer})
    def post(self, request: AuthedRequest) -> Response:
        data = parse(KeyResultSerializer, request)
        try:
            goal = access.get_goal(request.user, data.pop("goal"))
        except NotFound:
            raise DomainError({"goal": ["Unknown goal."]}) from None
        access.require_role(goal, access.EDITORS, "add key results")
        data = _key_result_refs(goal, data)
        data.pop("version", None)
        reason = data.pop("change_reason", "")
        source = data.pop("source", None)
        with transaction.atomic():  # with its data source or not at all
            key_result = key_result_create(
                actor=request.user, goal=goal, change_reason=reason, **data
            )
            if source is not None:
                _set_source(key_result, source)
        return Response(
            KeyResultSerializer(access.get_key_result(request.user, key_result.pk)).data,
            status=201,
        )


class KeyResultDetail(APIView):
    @extend_schema(responses=KeyResultSerializer)
    def get(self, request: AuthedRequest, pk: int) -> Response:
        return Response(KeyResultSerializer(access.get_key_result(request.user, pk)).data)

    @extend_schema(request=KeyResultSerializer, responses=KeyResultSerializer)
    def patch(self, request: AuthedRequest, pk: int) -> Response:
        key_result = access.get_key_result(request.user, pk)
        access.require_role(key_result, access.EDITORS, "edit key results")
        data = parse(KeyResultSerializer, request, partial=True)
        if "goal" in data and data.pop("goal") != key_result.goal_id:
            raise DomainError({"goal": ["A key result stays with its goal."]})
        version = data.pop("version")
        reason = data.pop("change_reason", "")
        sent_source, source = "source" in data, data.pop("source", None)
        data = _key_result_refs(key_result.goal, data)
        with transaction.atomic():  # a refused source leaves the rest unchanged, and the reverse
            if sent_source:
                _set_source(key_result, source)
            key_result_update(
                actor=request.user,
                key_result=key_result,
                data=data,
                version=version,
                change_reason=reason,
            )
        return Response(KeyResultSerializer(access.get_key_result(request.user, pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "change_reason",
                str,
                description="Required to remove a key result of an agreed goal; kept in the "
                "goal's history.",
            )
        ],
        responses={204: None},
    )
    def delete(self, request: AuthedRequest, pk: int) -> Response:
        key_result = access.get_key_result(request.user, pk)
        access.require_role(key_result, access.EDITORS, "delete key results")
        key_result_delete(
            actor=request.user,
            key_result=key_result,
            change_reason=query_text(request, "change_reason"),
        )
        return Response(status=204)
