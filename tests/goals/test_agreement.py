"""Agreement is granted, never typed in: a workshop decision, a closed feedback round in
which everyone asked supports the goal, or a recorded agreement reached elsewhere; each
leaves a history entry that says how."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps

from goals.errors import Conflict, DomainError, Forbidden
from goals.models import (
    AgreementWay,
    FeedbackAnswer,
    FeedbackRequest,
    FeedbackRound,
    Goal,
    GoalAgreement,
    Level,
    Notification,
    NotificationKind,
    ProductRole,
    Status,
    Watch,
)
from goals.rules.statuses import status_choices
from goals.services.agreement import (
    goal_agreed_by_decision,
    goal_agreed_by_feedback,
    goal_agreed_by_record,
)
from goals.services.goals import goal_create, goal_update
from goals.services.reviews import review_after
from tests.factories import (
    OrganizationMembershipFactory,
    UserFactory,
    add_member,
    make_chain,
    make_closed_round,
    make_goal,
    sprint_dates,
    today,
)
from tests.workshops.conftest import make_room
from workshops.models import Decision, Phase
from workshops.services.decisions import workshop_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def sprint_draft(team, chain) -> Goal:
    start, end = sprint_dates()
    return goal_create(
        actor=team.member,
        product=team.product,
        level=Level.SPRINT,
        title="Ship the shopping list",
        parents=[chain.product_goal],
        starts_on=start,
        ends_on=end,
    )


def agreement_url(goal: Goal) -> str:
    return f"/api/goals/{goal.pk}/agreement/"


# Typing "agreed" in is refused --------------------------------------------------------------


def test_it_refuses_to_create_a_goal_as_agreed(team, chain):
    with pytest.raises(DomainError) as error:
        goal_create(
            actor=team.leader,
            product=team.product,
            level=Level.USER,
            title="Typed in",
            parents=[chain.vision],
            status=Status.AGREED,
        )
    assert "workshop decision" in error.value.errors["status"][0]
    assert not Goal.objects.filter(title="Typed in").exists()


def test_it_refuses_to_update_a_goal_to_agreed(team, draft):
    with pytest.raises(DomainError) as error:
        goal_update(actor=team.leader, goal=draft, data={"status": Status.AGREED}, version=1)
    message = error.value.errors["status"][0]
    assert "feedback round" in message and "recording an agreement" in message
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_it_reopens_a_closed_goal_only_as_a_draft(team, chain):
    goal = chain.user_goal
    goal_update(
        actor=team.leader,
        goal=goal,
        data={"status": Status.ACHIEVED, "outcome_note": "Done."},
        version=goal.version,
    )
    goal.refresh_from_db()
    with pytest.raises(DomainError) as error:
        goal_update(actor=team.leader, goal=goal, data={"status": Status.AGREED}, version=2)
    assert "cannot be set to agreed by hand" in error.value.errors["status"][0]
    with pytest.raises(DomainError) as error:
        goal_update(actor=team.leader, goal=goal, data={"status": Status.PROPOSED}, version=2)
    assert error.value.errors["status"] == [
        "Reopen a closed goal as a draft, then agree on it again."
    ]
    reopened = goal_update(actor=team.leader, goal=goal, data={"status": Status.DRAFT}, version=2)
    assert reopened.status == Status.DRAFT


@pytest.mark.parametrize(
    ("current", "offered"),
    [
        (Status.DRAFT, [Status.DRAFT, Status.PROPOSED, Status.DROPPED]),
        (Status.PROPOSED, [Status.DRAFT, Status.PROPOSED, Status.DROPPED]),
        (
            Status.AGREED,
            [
                Status.DRAFT,
                Status.PROPOSED,
                Status.AGREED,
                Status.ACHIEVED,
                Status.MISSED,
                Status.DROPPED,
            ],
        ),
        (Status.ACHIEVED, [Status.DRAFT, Status.ACHIEVED, Status.DROPPED]),
        (Status.DROPPED, [Status.DRAFT, Status.DROPPED]),
    ],
)
def test_it_offers_only_the_statuses_a_goal_can_take_by_hand(current, offered):
    assert status_choices(current) == offered


# The three ways in, at the service level ------------------------------------------------------


def test_it_agrees_a_goal_by_a_record_and_says_how_in_its_history(team, draft):
    agreed = goal_agreed_by_record(
        actor=team.leader,
        goal=draft,
        agreed_by=[team.member, team.stakeholder],
        reason="Agreed at the spring offsite.",
    )
    assert agreed.status == Status.AGREED
    assert agreed.agreed_via == AgreementWay.RECORD
    assert agreed.version == 2
    assert agreed.next_review_on is not None and agreed.next_review_on > today()
    change = draft.changes.order_by("-id").first()
    assert change.via == AgreementWay.RECORD
    assert change.by == team.leader
    assert change.changes["status"] == [Status.DRAFT, Status.AGREED]
    assert change.changes["next_review_on"] == [None, agreed.next_review_on.isoformat()]
    assert change.reason == (
        "Recorded an agreement reached elsewhere: agreed by Sam Stakeholder, Tom Team — "
        "Agreed at the spring offsite."
    )
    record = GoalAgreement.objects.get(change=change)
    assert set(record.agreed_by.all()) == {team.member, team.stakeholder}
    assert record.reason == "Agreed at the spring offsite."
    assert record.recorded_by == team.leader


def test_it_agrees_a_goal_after_a_round_everyone_supported(team, draft):
    feedback_round = make_closed_round(
        draft,
        team.leader,
        {team.member: FeedbackAnswer.SUPPORT, team.stakeholder: FeedbackAnswer.SUPPORT},
    )
    agreed = goal_agreed_by_feedback(actor=team.member, goal=draft, feedback_round=feedback_round)
    assert agreed.status == Status.AGREED
    assert agreed.agreed_via == AgreementWay.FEEDBACK_ROUND
    change = draft.changes.order_by("-id").first()
    assert change.via == AgreementWay.FEEDBACK_ROUND
    assert change.reason == "Agreed after feedback round (everyone asked supported)."
    record = change.agreement
    assert record.feedback_round == feedback_round
    assert set(record.agreed_by.all()) == {team.member, team.stakeholder}


def test_a_recorded_agreement_tells_everyone_named_the_owner_and_the_watchers(
    team, draft, django_capture_on_commit_callbacks, mailoutbox
):
    """Whoever is said to have agreed hears it, and can object; the recorder hears nothing."""
    watcher = add_member(team.product, UserFactory(display_name="Wanda Watcher"))
    Watch.objects.create(goal=draft, user=watcher)
    Goal.objects.filter(pk=draft.pk).update(owner=team.member)
    with django_capture_on_commit_callbacks(execute=True):
        goal_agreed_by_record(
            actor=team.leader,
            goal=draft,
            agreed_by=[team.stakeholder, team.leader],
            reason="Agreed at the spring offsite.",
        )
    told = Notification.objects.filter(goal=draft, kind=NotificationKind.DECISION)
    assert sorted(n.recipient.name for n in told) == [
        "Sam Stakeholder",
        "Tom Team",
        "Wanda Watcher",
    ]
    assert {n.text for n in told} == {
        "Lea Leader recorded that Lea Leader, Sam Stakeholder agreed “Plan meals fast”"
    }
    assert {n.excerpt for n in told} == {"Agreed at the spring offsite."}
    assert {n.url for n in told} == {f"/goals/{draft.pk}/"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        p.email for p in (team.stakeholder, team.member, watcher)
    )


def test_an_agreement_from_a_round_tells_those_asked_and_the_watchers(team, draft):
    """The leader who wrote the draft watches it; the team member who marked it agreed is
    not told of their own doing."""
    feedback_round = make_closed_round(
        draft, team.leader, {team.stakeholder: FeedbackAnswer.SUPPORT}
    )
    goal_agreed_by_feedback(actor=team.member, goal=draft, feedback_round=feedback_round)
    told = Notification.objects.filter(goal=draft, kind=NotificationKind.DECISION)
    assert sorted(n.recipient.name for n in told) == ["Lea Leader", "Sam Stakeholder"]
    assert {n.text for n in told} == {
        "“Plan meals fast” was agreed after a feedback round everyone asked supported"
    }


def test_a_workshop_decision_is_announced_once_by_the_workshop(team, draft):
    goal_agreed_by_decision(actor=team.leader, goal=draft, workshop_title="Spring plan")
    assert not Notification.objects.filter(goal=draft, text__contains="recorded").exists()


def test_it_agrees_a_goal_by_a_workshop_decision(team, draft):
    agreed = goal_agreed_by_decision(actor=team.leader, goal=draft, workshop_title="Spring plan")
    assert agreed.agreed_via == AgreementWay.WORKSHOP
    change = draft.changes.order_by("-id").first()
    assert change.via == AgreementWay.WORKSHOP
    assert change.reason == "Agreed in workshop “Spring plan”."


def test_it_sets_the_first_review_from_the_schedule(team, draft):
    agreed = goal_agreed_by_record(
        actor=team.leader, goal=draft, agreed_by=[team.member], reason="Offsite."
    )
    assert agreed.next_review_on == review_after(product=team.product, level=Level.USER)


def test_it_refuses_a_round_that_is_still_open(team, draft):
    feedback_round = FeedbackRound.objects.create(
        goal=draft, requested_by=team.leader, deadline=today() + timedelta(days=2)
    )
    FeedbackRequest.objects.create(
        round=feedback_round, person=team.member, answer=FeedbackAnswer.SUPPORT
    )
    with pytest.raises(Conflict) as error:
        goal_agreed_by_feedback(actor=team.leader, goal=draft, feedback_round=feedback_round)
    assert "still open" in error.value.message
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_it_names_who_did_not_support_the_goal(team, draft):
    feedback_round = make_closed_round(
        draft,
        team.leader,
        {
            team.member: FeedbackAnswer.SUPPORT,
            team.stakeholder: FeedbackAnswer.CONCERNS,
            team.org_admin: "",
        },
    )
    with pytest.raises(Conflict) as error:
        goal_agreed_by_feedback(actor=team.leader, goal=draft, feedback_round=feedback_round)
    message = error.value.errors["feedback_round"][0]
    assert "Sam Stakeholder (concerns)" in message
    assert f"{team.org_admin.name} (no answer)" in message
    assert "Tom Team" not in message
    assert not GoalAgreement.objects.exists()


def test_it_refuses_to_agree_a_goal_without_parents(team):
    orphan = goal_create(actor=team.leader, product=team.product, level=Level.USER, title="Loose")
    with pytest.raises(DomainError) as error:
        goal_agreed_by_record(
            actor=team.leader, goal=orphan, agreed_by=[team.member], reason="Offsite."
        )
    assert error.value.errors["parents"] == [
        "Link “Loose” to a product vision before it is agreed."
    ]


def test_it_agrees_a_vision_without_parents(team):
    vision = goal_create(actor=team.leader, product=team.product, level=Level.VISION, title="V")
    agreed = goal_agreed_by_record(
        actor=team.leader, goal=vision, agreed_by=[team.member], reason="Board meeting."
    )
    assert agreed.status == Status.AGREED


@pytest.mark.parametrize("status", [Status.AGREED, Status.ACHIEVED, Status.DROPPED])
def test_it_agrees_only_draft_or_proposed_goals(team, chain, status):
    goal = make_goal(team.product, Level.USER, chain.vision, status=status, title="Done already")
    with pytest.raises(Conflict) as error:
        goal_agreed_by_record(
            actor=team.leader, goal=goal, agreed_by=[team.member], reason="Again."
        )
    assert "only a draft or proposed goal can be agreed" in error.value.message


def test_a_team_member_records_agreements_on_sprint_goals_only(team, draft, sprint_draft):
    with pytest.raises(Forbidden):
        goal_agreed_by_record(
            actor=team.member, goal=draft, agreed_by=[team.leader], reason="Planning."
        )
    agreed = goal_agreed_by_record(
        actor=team.member, goal=sprint_draft, agreed_by=[team.leader], reason="Sprint planning."
    )
    assert agreed.status == Status.AGREED


# The API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader", "member", "org_admin"])
def test_no_role_creates_a_goal_as_agreed_by_the_api(team, chain, api, who):
    response = api(getattr(team, who)).post(
        "/api/goals/",
        {
            "product": team.product.pk,
            "level": "user",
            "title": "Typed in",
            "parents": [chain.vision.pk],
            "status": "agreed",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "workshop decision" in response.json()["status"][0]


@pytest.mark.parametrize("who", ["leader", "member", "org_admin"])
def test_no_role_patches_a_goal_into_agreed(team, draft, api, who):
    response = api(getattr(team, who)).patch(
        f"/api/goals/{draft.pk}/", {"status": "agreed", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "recording an agreement" in response.json()["status"][0]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_leader_records_an_agreement_by_the_api(team, draft, api):
    client = api(team.leader)
    client.get(f"/api/goals/{draft.pk}/")  # cached as a draft
    client.get(f"/api/products/{team.product.pk}/chain/")
    response = client.post(
        agreement_url(draft),
        {"agreed_by": [team.member.pk, team.stakeholder.pk], "reason": "Spring offsite."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] == draft.pk and body["status"] == "agreed" and body["version"] == 2
    assert body["next_review_on"] is not None
    assert client.get(f"/api/goals/{draft.pk}/").json()["status"] == "agreed"
    chain = client.get(f"/api/products/{team.product.pk}/chain/").json()
    user_goals = {g["id"]: g for g in chain["vision"]["children"]}
    assert user_goals[draft.pk]["status"] == "agreed"
    history = client.get(f"/api/goals/{draft.pk}/history/").json()
    assert history[0]["via"] == "record"
    assert history[0]["changes"]["status"] == ["draft", "agreed"]
    assert history[0]["reason"] == (
        "Recorded an agreement reached elsewhere: agreed by Sam Stakeholder, Tom Team — "
        "Spring offsite."
    )
    assert history[1]["via"] == ""


def test_a_team_member_records_an_agreement_on_a_sprint_goal(team, sprint_draft, api):
    response = api(team.member).post(
        agreement_url(sprint_draft),
        {"agreed_by": [team.member.pk, team.leader.pk], "reason": "Sprint planning."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "agreed"


@pytest.mark.parametrize(
    ("who", "level", "status_code"),
    [
        ("member", "user", 403),
        ("member", "product", 403),
        ("stakeholder", "user", 403),
        ("stakeholder", "sprint", 403),
        ("viewer", "sprint", 403),
        ("outsider", "user", 404),
        ("org_admin", "user", 201),
        ("leader", "product", 201),
    ],
)
def test_who_may_record_an_agreement(team, chain, api, who, level, status_code):
    parent = {"user": chain.vision, "product": chain.user_goal, "sprint": chain.product_goal}
    start, end = sprint_dates()
    goal = make_goal(
        team.product, level, parent[level], title="To agree", starts_on=start, ends_on=end
    )
    user = (
        OrganizationMembershipFactory(organization=team.product.organization).user
        if who == "viewer"
        else getattr(team, who)
    )
    response = api(user).post(
        agreement_url(goal), {"agreed_by": [team.leader.pk], "reason": "Offsite."}, format="json"
    )
    assert response.status_code == status_code
    goal.refresh_from_db()
    assert goal.status == (Status.AGREED if status_code == 201 else Status.DRAFT)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({}, "non_field_errors", "not both, not neither"),
        ({"reason": "Offsite."}, "non_field_errors", "not both, not neither"),
        ({"agreed_by": [1], "feedback_round": 1, "reason": "x"}, "non_field_errors", "not both"),
        ({"agreed_by": "everyone", "reason": "x"}, "agreed_by", ""),
        ({"agreed_by": [], "reason": "Offsite."}, "agreed_by", "Choose the people who agreed."),
        ({"agreed_by": ["member"], "reason": "  "}, "reason", "Say where and why"),
        ({"agreed_by": ["member"]}, "reason", "Say where and why"),
        ({"agreed_by": ["outsider"], "reason": "Offsite."}, "agreed_by", "not in this org"),
        ({"agreed_by": ["viewer"], "reason": "Offsite."}, "agreed_by", "not a member of"),
        (
            {"agreed_by": [999999], "reason": "Offsite."},
            "agreed_by",
            "One of the people who agreed is not in this organisation.",
        ),
        ({"feedback_round": 999999}, "feedback_round", "Unknown feedback round"),
        ({"feedback_round": "first"}, "feedback_round", ""),
        ({"feedback_round": 1, "reason": "x"}, "reason", "goes with the people who agreed"),
    ],
)
def test_it_refuses_a_bad_agreement_with_a_400(team, draft, api, body, field, words):
    viewer = OrganizationMembershipFactory(
        organization=team.product.organization, user=UserFactory(display_name="Vic Viewer")
    ).user
    people = {"member": team.member.pk, "outsider": team.outsider.pk, "viewer": viewer.pk}
    if isinstance(body.get("agreed_by"), list):
        body = {**body, "agreed_by": [people.get(p, p) for p in body["agreed_by"]]}
    response = api(team.leader).post(agreement_url(draft), body, format="json")
    assert response.status_code == 400, response.json()
    assert words in " ".join(response.json()[field])
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not GoalAgreement.objects.exists()


def test_it_refuses_to_agree_an_orphan_by_the_api(team, api):
    orphan = make_goal(team.product, Level.PRODUCT, title="Loose")
    response = api(team.leader).post(
        agreement_url(orphan), {"agreed_by": [team.member.pk], "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["parents"] == [
        "Link “Loose” to a user goal or business goal before it is agreed."
    ]


def test_it_refuses_to_agree_an_agreed_goal_again_with_a_409(team, chain, api):
    response = api(team.leader).post(
        agreement_url(chain.user_goal),
        {"agreed_by": [team.member.pk], "reason": "Again."},
        format="json",
    )
    assert response.status_code == 409
    assert "only a draft or proposed goal" in response.json()["status"][0]


def test_a_goal_is_agreed_from_a_round_by_the_api(team, draft, api):
    feedback_round = make_closed_round(
        draft, team.leader, {team.stakeholder: FeedbackAnswer.SUPPORT}
    )
    response = api(team.member).post(
        agreement_url(draft), {"feedback_round": feedback_round.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "agreed"
    history = api(team.member).get(f"/api/goals/{draft.pk}/history/").json()
    assert history[0]["via"] == "feedback_round"
    assert history[0]["reason"] == "Agreed after feedback round (everyone asked supported)."


def test_it_answers_409_naming_who_did_not_support_it(team, draft, api):
    feedback_round = make_closed_round(
        draft,
        team.leader,
        {team.member: FeedbackAnswer.SUPPORT, team.stakeholder: FeedbackAnswer.OBJECT},
    )
    response = api(team.leader).post(
        agreement_url(draft), {"feedback_round": feedback_round.pk}, format="json"
    )
    assert response.status_code == 409
    message = response.json()["feedback_round"][0]
    assert "Not everyone asked supported it: Sam Stakeholder (object) did not." in message


def test_it_answers_409_while_the_round_is_open(team, draft, api):
    feedback_round = FeedbackRound.objects.create(
        goal=draft, requested_by=team.leader, deadline=today()
    )
    FeedbackRequest.objects.create(
        round=feedback_round, person=team.member, answer=FeedbackAnswer.SUPPORT
    )
    response = api(team.leader).post(
        agreement_url(draft), {"feedback_round": feedback_round.pk}, format="json"
    )
    assert response.status_code == 409
    assert "still open" in response.json()["feedback_round"][0]


def test_it_refuses_a_round_of_another_goal(team, draft, chain, api):
    other = make_closed_round(chain.user_goal, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    response = api(team.leader).post(
        agreement_url(draft), {"feedback_round": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["feedback_round"] == ["Unknown feedback round on this goal."]


def test_stakeholders_never_agree_from_a_round(team, draft, api):
    feedback_round = make_closed_round(draft, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    response = api(team.stakeholder).post(
        agreement_url(draft), {"feedback_round": feedback_round.pk}, format="json"
    )
    assert response.status_code == 403


# Chain health ------------------------------------------------------------------------------


def _health_codes(api, team, goal) -> list[str]:
    findings = api(team.leader).get(f"/api/products/{team.product.pk}/health/").json()["findings"]
    return [f["code"] for f in findings if f["goal"] == goal.pk]


def test_health_advises_on_a_strategic_goal_agreed_by_a_record(team, draft, api):
    goal_agreed_by_record(actor=team.leader, goal=draft, agreed_by=[team.member], reason="Offsite.")
    assert "agreed_outside_workshop" in _health_codes(api, team, draft)
    findings = api(team.leader).get(f"/api/products/{team.product.pk}/health/").json()["findings"]
    message = next(f["message"] for f in findings if f["code"] == "agreed_outside_workshop")
    assert "“Plan meals fast”" in message and "workshop" in message
    assert (
        "agreed_outside_workshop"
        in api(team.leader).get(f"/api/goals/{draft.pk}/").json()["health"]
    )


def test_health_is_quiet_on_goals_agreed_by_a_round_or_a_workshop(team, chain, draft, api):
    feedback_round = make_closed_round(draft, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    goal_agreed_by_feedback(actor=team.leader, goal=draft, feedback_round=feedback_round)
    business = goal_create(
        actor=team.leader, product=team.product, level=Level.BUSINESS, title="Grow",
        parents=[chain.vision],
    )  # fmt: skip
    goal_agreed_by_decision(actor=team.leader, goal=business, workshop_title="Spring plan")
    assert "agreed_outside_workshop" not in _health_codes(api, team, draft)
    assert "agreed_outside_workshop" not in _health_codes(api, team, business)


def test_health_is_quiet_on_product_and_sprint_goals_agreed_by_a_record(team, sprint_draft, api):
    goal_agreed_by_record(
        actor=team.member, goal=sprint_draft, agreed_by=[team.leader], reason="Planning."
    )
    assert "agreed_outside_workshop" not in _health_codes(api, team, sprint_draft)


def test_a_factory_goal_can_be_agreed_by_a_record_for_the_health_advice(team, chain, api):
    goal = make_goal(
        team.product, Level.BUSINESS, chain.vision, status=Status.AGREED,
        agreed_via=AgreementWay.RECORD, title="Recorded",
    )  # fmt: skip
    assert "agreed_outside_workshop" in _health_codes(api, team, goal)
    assert goal.changes.get().via == AgreementWay.RECORD


def test_a_factory_goal_made_agreed_says_it_was_restored(team, chain):
    change = chain.user_goal.changes.get()
    assert change.via == AgreementWay.RESTORED
    assert chain.user_goal.agreed_via == AgreementWay.RESTORED
    assert make_goal(team.product, Level.USER, chain.vision).changes.count() == 0


def test_a_removed_member_cannot_be_named_as_agreeing(team, draft):
    leaving = add_member(team.product, UserFactory(display_name="Lee Leaving"), ProductRole.TEAM)
    team.product.memberships.filter(user=leaving).delete()
    with pytest.raises(DomainError) as error:
        goal_agreed_by_record(actor=team.leader, goal=draft, agreed_by=[leaving], reason="x")
    assert error.value.errors["agreed_by"] == ["Lee Leaving is not a member of this product."]


# The activity feed -------------------------------------------------------------------------


def test_the_feed_says_how_each_goal_was_agreed(team, chain, draft, api):
    goal_agreed_by_record(
        actor=team.leader, goal=draft, agreed_by=[team.member], reason="Spring offsite."
    )
    business = make_goal(team.product, Level.BUSINESS, chain.vision, title="Grow")
    goal_agreed_by_decision(actor=team.leader, goal=business, workshop_title="Spring plan")
    sprint = make_goal(team.product, Level.SPRINT, chain.product_goal, title="Ship it")
    feedback_round = make_closed_round(sprint, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    goal_agreed_by_feedback(actor=team.member, goal=sprint, feedback_round=feedback_round)

    results = (
        api(team.stakeholder).get(f"/api/products/{team.product.pk}/activity/").json()["results"]
    )
    # The feed tells the feedback round too, in its own entry.
    results = [r for r in results if r["kind"] == "goal_change"]
    rows = [(r["actor_name"], r["action"], r["subject"], r["detail"]) for r in results[:3]]
    assert rows == [
        (
            "Tom Team",
            "marked agreed after feedback round (everyone asked supported):",
            "Ship it",
            "Agreed after feedback round (everyone asked supported).",
        ),
        (
            "Lea Leader",
            "marked agreed, as a workshop decided:",
            "Grow",
            "Agreed in workshop “Spring plan”.",
        ),
        (
            "Lea Leader",
            "recorded an agreement reached elsewhere on",
            "Plan meals fast",
            "Recorded an agreement reached elsewhere: agreed by Tom Team — Spring offsite.",
        ),
    ]


def test_the_feed_page_shows_a_recorded_agreement(team, draft, browser_client):
    goal_agreed_by_record(
        actor=team.leader, goal=draft, agreed_by=[team.member], reason="Spring offsite."
    )
    html = browser_client(team.member).get(f"/products/{team.product.pk}/activity/").content
    text = html.decode()
    assert "recorded an agreement reached elsewhere on" in text
    assert "agreed by Tom Team — Spring offsite." in text


def test_a_workshop_decision_agrees_the_adopted_goal_and_says_so(team, api):
    room = make_room(team)
    room.to(Phase.DRAFTING)
    proposal = room.propose(
        title="Launch meal planning", starts_on=today(), ends_on=today() + timedelta(days=90)
    )
    room.to(Phase.VOTING)
    for voter in room.voters:
        room.vote(voter, proposal, "agree")
    room.to(Phase.REVEALED)
    decision = workshop_decide(actor=team.leader, workshop=room.workshop, proposal=proposal)
    goal = decision.goal
    assert (goal.status, goal.agreed_via) == (Status.AGREED, AgreementWay.WORKSHOP)
    history = api(team.stakeholder).get(f"/api/goals/{goal.pk}/history/").json()
    assert history[0]["via"] == "workshop"
    assert history[0]["reason"] == "Agreed in workshop “Roadmapping Q1”."
    assert history[0]["changes"]["status"] == ["draft", "agreed"]


def test_an_older_round_does_not_agree_a_goal_a_newer_round_asked_about_again(team, draft, api):
    older = make_closed_round(draft, team.leader, {team.member: FeedbackAnswer.SUPPORT})
    make_closed_round(draft, team.leader, {team.member: FeedbackAnswer.CONCERNS})
    response = api(team.leader).post(
        agreement_url(draft), {"feedback_round": older.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["feedback_round"] == [
        "A newer feedback round on this goal speaks for it now."
    ]


def test_the_migration_marks_goals_adopted_in_workshops_before_it(team):

    migration = import_module("goals.migrations.0004_goal_agreements")
    room = make_room(team)
    room.to(Phase.DRAFTING)
    proposal = room.propose(title="Weekly plans")
    adopted = make_goal(team.product, Level.PRODUCT, room.parent, status=Status.ACHIEVED)
    other = make_goal(team.product, Level.PRODUCT, room.parent, status=Status.AGREED)
    Goal.objects.filter(pk__in=[adopted.pk, other.pk]).update(agreed_via="")
    Decision.objects.create(
        workshop=room.workshop, proposal=proposal, rule="consent", voting_method="consent",
        passed=True, goal=adopted,
    )  # fmt: skip
    migration.mark_goals_adopted_in_workshops(apps, None)
    adopted.refresh_from_db()
    other.refresh_from_db()
    assert (adopted.agreed_via, other.agreed_via) == ("workshop", "")
