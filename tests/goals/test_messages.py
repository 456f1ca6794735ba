"""Messages people read use the words of the form and the goals' titles, never a field name
or an id ([2/7] item 8): "say why you change its end date", not "its ends_on"; "“Grow” is a
business goal", not "goal 9 is a business goal"."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps

from goals.errors import DomainError
from goals.models import Level, Status
from goals.services.check_ins import Value, check_in_create
from goals.services.goals import goal_update
from tests.factories import KeyResultFactory, make_chain, make_goal

ROOT = Path(__file__).resolve().parents[2]
# Where messages for people are written: services, rules, the import, the API and the pages.
SOURCES = [
    *sorted((ROOT / "goals" / "services").glob("*.py")),
    *sorted((ROOT / "goals" / "api").glob("*.py")),
    *sorted((ROOT / "goals" / "api" / "serializers").glob("*.py")),
    *sorted((ROOT / "goals" / "forms").glob("*.py")),
    *sorted((ROOT / "goals" / "views").glob("*.py")),
    *sorted((ROOT / "workshops" / "views").glob("*.py")),
    *sorted((ROOT / "workshops" / "services").glob("*.py")),
    *sorted((ROOT / "goals" / "exchange").glob("*.py")),
    *sorted((ROOT / "goals" / "rules").glob("*.py")),
    *(
        ROOT / name
        for name in (
            "workshops/rules.py",
            "workshops/api.py",
            "workshops/serializers.py",
            "workshops/forms.py",
        )
    ),
]
ERRORS = {"DomainError", "Conflict", "Forbidden", "NotFound", "ValidationError"}
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
# "goal {x}", "key result {x}": a thing named by what follows, most often its id.
NAMED_BY_VALUE = re.compile(
    r"\b(goal|key result|person|proposal|workshop|product|comment|round)\s*$", re.I
)


def field_names() -> set[str]:
    names: set[str] = set()
    for model in [
        *apps.get_app_config("goals").get_models(),
        *apps.get_app_config("workshops").get_models(),
    ]:
        for field in model._meta.get_fields():
            names.add(field.name)
            names.add(getattr(field, "attname", field.name))
    return {name for name in names if "_" in name}


def _messages(node: ast.AST) -> list[ast.expr]:
    """The message texts inside an error's argument: strings, in lists or as dict values."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return [node]
    if isinstance(node, ast.List | ast.Tuple):
        return [m for element in node.elts for m in _messages(element)]
    if isinstance(node, ast.Dict):
        return [m for value in node.values for m in _messages(value)]
    if isinstance(node, ast.ListComp):
        return _messages(node.elt)
    return []


def message_nodes(tree: ast.AST) -> list[ast.expr]:
    """Each message a person may read: errors.add(field, message), raised errors, page
    messages (messages.success(request, message)) and notification texts."""
    found: list[ast.expr] = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = getattr(call.func, "attr", None) or getattr(call.func, "id", None)
        if name == "add" and len(call.args) >= 2:
            found += _messages(call.args[1])
        elif name in ERRORS:
            found += [m for arg in call.args for m in _messages(arg)]
        elif name in {"success", "error", "info", "warning"} and len(call.args) >= 2:
            found += _messages(call.args[1])
        found += [m for kw in call.keywords if kw.arg == "text" for m in _messages(kw.value)]
    return found


# Messages of the API's request shape, which name the JSON keys an API client sends.
REQUEST_SHAPE = (
    'Send a list of {"key_result": id, "value": number}.',
    "Send either a closed feedback round (feedback_round), or who agreed and why ",
)
# A row named by its place among the rows a person filled in ("Key result 2"), not an id.
POSITIONS = {"number"}


def problems(message: ast.expr, fields: set[str]) -> list[str]:
    parts = message.values if isinstance(message, ast.JoinedStr) else [message]
    found = []
    for i, part in enumerate(parts):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            if part.value.startswith(REQUEST_SHAPE):
                continue
            found += [f"field name {w!r}" for w in SNAKE.findall(part.value) if w in fields]
            following = parts[i + 1] if i + 1 < len(parts) else None
            if (
                isinstance(following, ast.FormattedValue)
                and ast.unparse(following.value) not in POSITIONS
                and NAMED_BY_VALUE.search(part.value)
            ):
                found.append(f"named by a value: {part.value!r}")
        elif isinstance(part, ast.FormattedValue):
            shown = ast.unparse(part.value)
            if re.search(r"(\.pk|\.id|_id|^pk|^id)$", shown):
                found.append(f"an id: {{{shown}}}")
    return found


def test_no_message_in_the_source_names_a_field_or_an_id():
    fields = field_names()
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(), filename=str(path))
        for message in message_nodes(tree):
            for problem in problems(message, fields):
                found.append(f"{path.relative_to(ROOT)}:{message.lineno}: {problem}")
    assert not found, "\n".join(found)


def test_the_sweep_finds_what_it_looks_for():
    source = """
errors.add("ends_on", f"say why you change its {', '.join(needing)} and ends_on")
errors.add("parents", f"A product goal links to a user goal; goal {parent.pk} is not.")
raise DomainError({"people": [f"Unknown person {pk}." for pk in missing]})
"""
    found = [p for m in message_nodes(ast.parse(source)) for p in problems(m, field_names())]
    assert "field name 'ends_on'" in found
    assert any(p.startswith("named by a value") for p in found)
    assert "an id: {parent.pk}" in found
    assert "an id: {pk}" in found


FIELD_OR_ID = re.compile(r"\b[a-z]+_[a-z_]+\b|\b(goal|key result|person) \d+\b", re.I)


def assert_readable(error: DomainError) -> None:
    fields = field_names()
    for message in (m for messages in error.errors.values() for m in messages):
        for match in FIELD_OR_ID.finditer(message):
            assert match.group(0) not in fields and match.group(1) is None, message


@pytest.fixture
def chain(team):
    return make_chain(team.product)


def test_an_agreed_goals_change_asks_why_in_the_forms_words(team, chain):
    goal = chain.product_goal
    with pytest.raises(DomainError) as refused:
        goal_update(
            actor=team.leader,
            goal=goal,
            data={"title": "Sharper", "ends_on": goal.ends_on + timedelta(days=7)},
            version=goal.version,
        )
    assert_readable(refused.value)
    assert refused.value.errors["change_reason"] == [
        "This goal is agreed: say why you change its title and end date."
    ]


def test_a_link_to_the_wrong_level_names_the_goal_by_its_title(team, chain):
    draft = make_goal(team.product, Level.PRODUCT, chain.user_goal, status=Status.DRAFT)
    chain.vision.title = "Healthy lives"
    chain.vision.save(update_fields=["title"])
    with pytest.raises(DomainError) as refused:
        goal_update(
            actor=team.leader,
            goal=draft,
            data={"parents": [chain.vision]},
            version=draft.version,
        )
    assert_readable(refused.value)
    (message,) = refused.value.errors["parents"]
    assert "; “Healthy lives” is a product vision." in message


def test_a_link_to_a_dropped_goal_names_it_by_its_title(team, chain):
    dropped = make_goal(
        team.product, Level.USER, chain.vision, status=Status.DROPPED, title="Plan meals fast"
    )
    draft = make_goal(team.product, Level.PRODUCT, chain.user_goal, status=Status.DRAFT)
    with pytest.raises(DomainError) as refused:
        goal_update(
            actor=team.leader, goal=draft, data={"parents": [dropped]}, version=draft.version
        )
    assert_readable(refused.value)
    assert refused.value.errors["parents"] == [
        f"“{dropped.title}” was dropped; link to a live goal."
    ]


def test_check_in_values_name_key_results_by_their_titles(team, chain):
    goal = chain.product_goal
    kr = KeyResultFactory(goal=goal, title="Weekly planners", owner=team.member)
    other = KeyResultFactory(goal=chain.sprint_goal, title="Secret elsewhere")
    with pytest.raises(DomainError) as refused:
        check_in_create(
            actor=team.member,
            goal=goal,
            values=[
                Value(kr.pk, Decimal(1)),
                Value(kr.pk, Decimal("1e13")),
                Value(other.pk, Decimal(1)),
            ],
            confidence=3,
        )
    assert_readable(refused.value)
    messages = refused.value.errors["values"]
    assert "“Weekly planners” has more than one value." in messages
    assert "Give “Weekly planners” a number below 10¹²." in messages
    assert "A value is for a key result that is not one of this goal's." in messages
    assert not any(re.search(rf"\b{pk}\b", " ".join(messages)) for pk in (kr.pk, other.pk))


def test_the_api_refuses_unknown_goals_to_serve_without_naming_ids(team, chain, api):
    response = api(team.leader).post(
        "/api/goals/",
        {"product": team.product.pk, "level": "product", "title": "New", "parents": [999999]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["parents"] == ["One of the goals to serve is not in this organisation."]
