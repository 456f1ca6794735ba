"""Malformed input gets a 4xx that names the problem, never a server error."""

from __future__ import annotations

import json

import pytest

from goals.models import Goal, GoalChange, KeyResult
from tests.factories import KeyResultFactory, make_chain

HUGE = 10**30
NEGATIVE_HUGE = -(10**30)
BIGINT_MAX_PLUS_ONE = 2**63


@pytest.fixture
def chain(team):
    return make_chain(team.product)


@pytest.fixture
def leader(team, api):
    """The organisation's admin, who acts as a leader on every product: nothing is forbidden."""
    return api(team.org_admin)


def paths(team, chain) -> dict[str, str]:
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    org = team.product.organization
    return {
        "organization": f"/api/organizations/{org.pk}/",
        "organization_members": f"/api/organizations/{org.pk}/members/",
        "products": "/api/products/",
        "product": f"/api/products/{team.product.pk}/",
        "product_members": f"/api/products/{team.product.pk}/members/",
        "goals": "/api/goals/",
        "goal": f"/api/goals/{chain.product_goal.pk}/",
        "key_results": "/api/key-results/",
        "key_result": f"/api/key-results/{kr.pk}/",
        "organizations": "/api/organizations/",
        "token": "/api/auth/token/",
    }


WRITES = [
    ("post", "organizations"),
    ("patch", "organization"),
    ("post", "organization_members"),
    ("post", "products"),
    ("patch", "product"),
    ("post", "product_members"),
    ("post", "goals"),
    ("patch", "goal"),
    ("post", "key_results"),
    ("patch", "key_result"),
    ("post", "token"),
]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"a string"', "application/json"),
        ("null", "application/json"),
        ("42", "application/json"),
        ('{"title": "x"', "application/json"),
        ("\xff\xfe garbage", "application/json"),
        ("<xml/>", "application/xml"),
        ("title=x&product=1", "text/plain"),
    ],
)
def test_it_answers_a_bad_body_with_a_client_error(team, chain, leader, body, content_type):
    urls = paths(team, chain)
    before = (Goal.objects.count(), KeyResult.objects.count(), GoalChange.objects.count())
    answers = {}
    for method, name in WRITES:
        response = getattr(leader, method)(urls[name], data=body, content_type=content_type)
        answers[f"{method} {name}"] = response.status_code
    # An empty PATCH sends no version: refused, like any edit without one.
    assert {k: v for k, v in answers.items() if v not in {400, 415}} == {}
    assert (Goal.objects.count(), KeyResult.objects.count(), GoalChange.objects.count()) == before


GOAL_FIELDS_BAD_VALUES = {
    "product": ["abc", None, HUGE, NEGATIVE_HUGE, 1.5, [], {}, True, "", BIGINT_MAX_PLUS_ONE],
    "level": ["castle", None, 1, [], {}],
    "title": [None, "", " ", [], {}, "x" * 301, "nul\x00byte"],
    "description": [None, [], {}, "x" * 20001, "nul\x00"],
    "parents": [
        "1",
        1,
        None,
        ["a"],
        [None],
        [HUGE],
        [NEGATIVE_HUGE],
        [{}],
        {"a": 1},
        [[1]],
        list(range(60)),
        [BIGINT_MAX_PLUS_ONE],
    ],
    "owner": ["me", HUGE, NEGATIVE_HUGE, [], {}, 1.5, BIGINT_MAX_PLUS_ONE],
    "status": ["done", None, 1, []],
    "starts_on": ["yesterday", "2026-02-30", 20260101, [], "0000-01-01", "99999-01-01"],
    "ends_on": ["2026-13-01", {}, "2026-01-01T00:00:00+25:00"],
    "confidence": [0, 6, "high", HUGE, -1, 2.5, []],
    "next_review_on": ["soon", 1],
    "outcome_note": [None, [], "x" * 5001],
    "change_reason": [None, [], {}, "x" * 2001],
    "version": ["one", 0, -1, 1.5, [], None],
}


@pytest.mark.parametrize("field", list(GOAL_FIELDS_BAD_VALUES))
def test_it_refuses_a_bad_goal_field_on_create_with_a_400(team, chain, leader, field):
    before = Goal.objects.count()
    answers = {}
    for value in GOAL_FIELDS_BAD_VALUES[field]:
        body = {"product": team.product.pk, "level": "product", "title": "Fine", field: value}
        response = leader.post("/api/goals/", body, format="json")
        answers[repr(value)[:40]] = response.status_code
        assert isinstance(response.json(), dict)
    assert {value: status for value, status in answers.items() if status != 400} == {}
    assert Goal.objects.count() == before


@pytest.mark.parametrize("field", list(GOAL_FIELDS_BAD_VALUES))
def test_it_refuses_a_bad_goal_field_on_update_with_a_400(team, chain, leader, field):
    goal = chain.product_goal
    answers = {}
    for value in GOAL_FIELDS_BAD_VALUES[field]:
        body = {"change_reason": "We learned something", "version": 1, field: value}
        if field == "change_reason":
            body["title"] = "A change that needs a reason"
        response = leader.patch(f"/api/goals/{goal.pk}/", body, format="json")
        answers[repr(value)[:40]] = response.status_code
    assert {value: status for value, status in answers.items() if status != 400} == {}
    goal.refresh_from_db()
    assert goal.version == 1


KR_FIELDS_BAD_VALUES = {
    "goal": ["abc", None, HUGE, NEGATIVE_HUGE, [], BIGINT_MAX_PLUS_ONE],
    "title": [None, "", [], "x" * 301],
    "baseline": ["NaN", "Infinity", "-Infinity", "1e999", "abc", None, [], 10**17, "0.00001"],
    "target": ["NaN", "inf", "", {}, HUGE],
    "current": ["nan", "1e400", [], None],
    "owner": ["me", HUGE, NEGATIVE_HUGE, [], 1.5, BIGINT_MAX_PLUS_ONE],
    "unit": [None, [], "x" * 41],
    "due_on": ["tomorrow", 5],
    "version": ["x", 0, HUGE],
}


@pytest.mark.parametrize("field", list(KR_FIELDS_BAD_VALUES))
def test_it_refuses_a_bad_key_result_field_with_a_4xx(team, chain, leader, field):
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)
    answers = {}
    for value in KR_FIELDS_BAD_VALUES[field]:
        body = {
            "goal": chain.product_goal.pk,
            "title": "Plans made",
            "baseline": 0,
            "target": 10,
            "owner": team.member.pk,
            "change_reason": "A sharper measure",
            field: value,
        }
        created = leader.post("/api/key-results/", body, format="json").status_code
        # A version on create is ignored.
        if created not in ({201, 400} if field == "version" else {400}):
            answers[f"POST {value!r:.40}"] = created
        body = {"version": 1, "change_reason": "A sharper measure", field: value}
        updated = leader.patch(f"/api/key-results/{kr.pk}/", body, format="json")
        if updated.status_code not in (400, 409):
            answers[f"PATCH {value!r:.40}"] = updated.status_code
    assert answers == {}
    kr.refresh_from_db()
    assert kr.version == 1


def test_a_null_character_in_a_query_string_reason_is_a_400_and_deletes_nothing(
    team, chain, leader
):
    """Bodies refuse null characters through their serializers; the reason for removing a
    key result comes in the query string and must be refused the same way (PostgreSQL cannot
    store it, which was a 500)."""
    kr = KeyResultFactory(goal=chain.product_goal, owner=team.member)

    answer = leader.delete(f"/api/key-results/{kr.pk}/?change_reason=Gone%00now")

    assert answer.status_code == 400
    assert answer.json() == {"change_reason": ["Remove the null character from the text."]}
    assert KeyResult.objects.filter(pk=kr.pk).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/organizations/{huge}/",
        "/api/organizations/{huge}/members/",
        "/api/organizations/{org}/members/{huge}/",
        "/api/products/{huge}/",
        "/api/products/{huge}/members/",
        "/api/products/{product}/members/{huge}/",
        "/api/products/{huge}/chain/",
        "/api/products/{huge}/health/",
        "/api/goals/{huge}/",
        "/api/goals/{huge}/history/",
        "/api/key-results/{huge}/",
        "/api/workshops/{huge}/",
        "/api/proposals/{huge}/",
        "/api/proposals/{huge}/vote/",
    ],
)
def test_it_answers_huge_ids_in_the_path_with_a_404(team, leader, path):
    answers = {}
    for huge in (HUGE, BIGINT_MAX_PLUS_ONE, 2**63 - 1, 0):
        url = path.format(huge=huge, org=team.product.organization_id, product=team.product.pk)
        for method in ("get", "patch", "delete", "post", "put"):
            status = getattr(leader, method)(url, {}, format="json").status_code
            if status not in (404, 405):
                answers[f"{method} {url}"] = status
    assert answers == {}


@pytest.mark.parametrize(
    "query",
    [
        "product=abc",
        f"product={HUGE}",
        f"product={NEGATIVE_HUGE}",
        "product=1.5",
        "product=%00",
        f"owner={HUGE}",
        "owner=x",
        "level=castle",
        "level=%00",
        "status=finished",
        f"product={BIGINT_MAX_PLUS_ONE}",
    ],
)
def test_it_answers_bad_goal_filters_with_a_400(team, leader, query):
    response = leader.get(f"/api/goals/?{query}")
    assert response.status_code == 400, response.content
    assert set(response.json()) <= {"product", "owner", "level", "status"}


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/key-results/", f"goal={HUGE}"),
        ("/api/key-results/", "goal=x"),
        ("/api/key-results/", f"product={NEGATIVE_HUGE}"),
        ("/api/products/", f"organization={HUGE}"),
        ("/api/products/", "organization=x"),
    ],
)
def test_it_answers_bad_list_filters_with_a_400(team, leader, url, query):
    assert leader.get(f"{url}?{query}").status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=", "page"),
        ("page=1.5", "page"),
        ("page=²", "page"),
        (f"page={HUGE}", "page"),
        ("page_size=abc", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=-5", "page_size"),
        (f"page_size={HUGE}", "page_size"),
    ],
)
def test_it_answers_malformed_pagination_with_a_400(team, chain, leader, query, field):
    response = leader.get(f"/api/goals/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_page_past_the_last_is_not_found(team, chain, leader):
    assert leader.get("/api/goals/?page=99").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"email": HUGE, "role": "member"},
        {"email": None},
        {"email": ["a@b.org"]},
        {"email": "a@b.org", "role": None},
        {"email": "a@b.org", "role": ["admin"]},
        {"email": "a\x00@b.org"},
        {"email": "x" * 300 + "@b.org"},
    ],
)
def test_it_refuses_bad_member_bodies(team, api, body):
    admin = api(team.org_admin)
    org = team.product.organization
    assert (
        admin.post(f"/api/organizations/{org.pk}/members/", body, format="json").status_code == 400
    )
    assert (
        admin.post(f"/api/products/{team.product.pk}/members/", body, format="json").status_code
        == 400
    )


@pytest.mark.parametrize(
    "body",
    [
        {"email": None, "password": None},
        {"email": [], "password": {}},
        {"email": "x" * 1000, "password": "p"},
        {"email": "a@b.org", "password": "x\x00y"},
        {"email": "a@b.org"},
    ],
)
def test_it_refuses_bad_token_requests(db, client, body):
    response = client.post("/api/auth/token/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400


def test_it_refuses_a_surrogate_in_text(team, leader):
    body = '{"product": PID, "level": "vision", "title": "bad \\ud800 char"}'.replace(
        "PID", str(team.product.pk)
    )
    response = leader.post("/api/goals/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["options", "put", "head", "trace"])
def test_it_answers_other_methods_without_a_server_error(team, chain, leader, method):
    answers = {}
    for name, url in paths(team, chain).items():
        status = getattr(leader, method)(url).status_code
        if status >= 500:
            answers[name] = status
    assert answers == {}


ODD_VALUES = [None, [], {}, [None], HUGE, -HUGE, 1.5, True, "", "x" * 30000, "\x00", {"a": [1]}]


@pytest.mark.parametrize(
    ("method", "name", "body"),
    [
        ("post", "organizations", {"name": "Org", "business_strategy": "s"}),
        ("patch", "organization", {"name": "Org", "business_strategy": "s", "version": 1}),
        ("post", "organization_members", {"email": "a@example.com", "role": "member"}),
        ("post", "products", {"organization": "ORG", "name": "P", "portfolio_strategy": "s"}),
        ("patch", "product", {"name": "P", "portfolio_strategy": "s", "version": 1}),
        ("post", "product_members", {"email": "a@example.com", "role": "team"}),
        ("post", "token", {"email": "a@example.com", "password": "p"}),
    ],
)
def test_it_never_fails_on_odd_values_in_any_field(team, chain, leader, method, name, body):
    url = paths(team, chain)[name]
    body = {k: team.product.organization_id if v == "ORG" else v for k, v in body.items()}
    answers = {}
    for field in body:
        for value in ODD_VALUES:
            response = getattr(leader, method)(url, {**body, field: value}, format="json")
            if response.status_code >= 500:
                answers[f"{field}={value!r:.30}"] = response.status_code
    assert answers == {}


@pytest.mark.parametrize("path", ["/api/goals/abc/", "/api/goals/-1/", "/api/nothing-here/"])
def test_an_unknown_api_url_is_a_json_404(leader, path):
    response = leader.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_unknown_page_is_still_the_html_404(db, client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_a_form_body_is_refused_and_changes_nothing(team, chain, leader, form):
    """The API reads JSON bodies only; the pages have forms of their own."""
    body = {"title": "From a form", "version": chain.product_goal.version}
    if form == "multipart":
        response = leader.patch(f"/api/goals/{chain.product_goal.pk}/", body, format="multipart")
    else:
        response = leader.generic(
            "PATCH",
            f"/api/goals/{chain.product_goal.pk}/",
            "title=From+a+form&version=1",
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 415
    assert "detail" in response.json()
    chain.product_goal.refresh_from_db()
    assert chain.product_goal.title != "From a form"


def test_the_schema_documents_json_bodies_only(db, client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for operations in paths.values():
        for operation in operations.values():
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"]


def test_the_schema_admits_only_the_ids_and_page_numbers_the_server_accepts(db, client):
    """Every integer query parameter of a list starts at 1, as the server refuses 0 with a
    400; page sizes stop at 500."""
    paths = client.get("/api/schema/?format=json").json()["paths"]
    seen = set()
    for path, operations in paths.items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "query" and parameter["schema"].get("type") == "integer":
                seen.add((path, parameter["name"]))
                assert parameter["schema"]["minimum"] == 1, (path, parameter["name"])
                if parameter["name"] == "page_size":
                    assert parameter["schema"]["maximum"] == 500
    names = {name for _, name in seen}
    assert {"page", "page_size", "product", "owner", "goal", "organization"} <= names
    assert ("/api/goals/", "owner") in seen and ("/api/workshops/", "product") in seen


def test_the_largest_measures_come_back_exactly(team, chain, leader):
    """15 digits round-trip exactly, on SQLite's floating point too; a 16th is refused, as
    it could come back rounded past the column's precision (a server error on read)."""
    edge = 99_999_999_999.9999
    created = leader.post(
        "/api/key-results/",
        {
            "goal": chain.product_goal.pk,
            "title": "Edge",
            "baseline": 10,
            "target": edge,
            "current": -edge,
            "owner": team.member.pk,
            "change_reason": "The edge of what we can measure",
        },
    )
    assert created.status_code == 201, created.json()
    read = leader.get(f"/api/key-results/{created.json()['id']}/").json()
    assert (read["target"], read["current"]) == (edge, -edge)
    too_long = leader.post(
        "/api/key-results/",
        {
            "goal": chain.product_goal.pk,
            "title": "Too long",
            "baseline": 10,
            "target": 20,
            "current": -999_999_999_999.9999,
            "owner": team.member.pk,
        },
    )
    assert too_long.status_code == 400
    assert set(too_long.json()) == {"current"}
