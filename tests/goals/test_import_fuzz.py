"""An import reads every structure of a document as strictly as the API reads its own input:
whatever is changed in a real export, the answer is a 400 naming where (nothing created) or
a product whose pages open, every one that shows what was changed."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from goals.errors import DomainError
from goals.exchange import import_document
from goals.models import Goal, Product
from tests.goals.test_exchange import do_import, export, fill_product
from workshops.models import Decision

# Values of every JSON kind, each wrong for most places; and a key taken away.
MUTATIONS: list[Any] = [None, "x", -1, True, [[1]], {"x": {}}]
REMOVE = object()
# The envelope is checked first and apart; what an import reads is below it.
ENVELOPE = {"format", "format_version", "exported_at"}
# Parts kept as they come and shown as kept: every page is opened after a change of these.
SHOWN_RAW = ("history", "decisions", "comments", "insights", "check_ins", "retrospectives")


def shape(value: Any) -> Any:
    """The keys of a value, all the way down: entries of one shape are read alike."""
    if isinstance(value, dict):
        return tuple((key, shape(inner)) for key, inner in sorted(value.items()))
    if isinstance(value, list):
        return tuple(sorted({repr(shape(inner)) for inner in value}))
    return ""


def places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value in the document: each key of each object, and of each list
    one element of every shape (a history entry of a check-in, of an edit, ...)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if path or key not in ENVELOPE:
                yield (*path, key)
                yield from places(inner, (*path, key))
    elif isinstance(value, list):
        seen = set()
        for i, inner in enumerate(value):
            if (kind := repr(shape(inner))) not in seen:
                seen.add(kind)
                yield (*path, i)
                yield from places(inner, (*path, i))


def mutated(document: dict[str, Any], path: tuple[Any, ...], to: Any) -> dict[str, Any]:
    document = copy.deepcopy(document)
    holder = document
    for step in path[:-1]:
        holder = holder[step]
    if to is REMOVE:
        del holder[path[-1]]
    else:
        holder[path[-1]] = copy.deepcopy(to)
    return document


class _Undo(Exception):
    """Rolls back an import that was accepted, once its pages were opened."""


@pytest.fixture
def document(team, api):
    fill_product(team)
    return export(api(team.member), team.product).json()


_EXPORT: dict[str, Any] = {}


@pytest.fixture
def an_export(team, api) -> dict[str, Any]:
    """A real export with something of every kind, made once: importing it needs none of
    its people (whom an import cannot seat get the importer's place)."""
    if not _EXPORT:
        fill_product(team)
        _EXPORT.update(export(api(team.member), team.product).json())
    return copy.deepcopy(_EXPORT)


SECTIONS = ["product", "organization", "members", "goals", "key_results", "history"]
SECTIONS += ["decisions", "comments", "review_schedule", "check_ins", "retrospectives"]
SECTIONS += ["insights"]


def pages_to_open(product: Product, titles: list[str] | None) -> list[str]:
    """The product's chain; unless `titles` is None, its activity too and the pages of its
    goals with these titles (each goal's page shows its history, the decision that adopted
    it, its comments...)."""
    if titles is None:
        return [f"/products/{product.pk}/"]
    goals = product.goals.filter(title__in=titles).values_list("pk", flat=True)
    return [
        f"/products/{product.pk}/",
        f"/products/{product.pk}/activity/",
        *(f"/goals/{pk}/" for pk in goals),
    ]


def titles_shown_by(document: dict[str, Any], broken: dict[str, Any], path: tuple) -> list[str]:
    """The titles of the goals whose pages show the entry `path` changes: the goal it names
    before and after the change, or every goal when the change hits the whole section. Entries
    name their goal by its reference in the document, compared as the importer looks it up."""
    if len(path) < 2:
        named = [goal["ref"] for goal in document["goals"]]
    else:
        entries = [document[path[0]][path[1]]]
        if isinstance(broken.get(path[0]), list) and len(broken[path[0]]) > path[1]:
            entries.append(broken[path[0]][path[1]])
        named = [entry.get("goal") for entry in entries if isinstance(entry, dict)]
    return [goal["title"] for goal in document["goals"] if goal["ref"] in named]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_mutation_of_an_export_is_refused_or_makes_pages_that_open(
    team, an_export, browser_client, section
):
    document = an_export
    assert document[section]
    titles = [goal["title"] for goal in document["goals"]]
    assert len(set(titles)) == len(titles)  # a goal's title finds it in the import
    client = browser_client(team.org_admin)
    products = Product.objects.count()

    def import_and_open(broken: dict[str, Any], shown: list[str] | None) -> None:
        with transaction.atomic():
            product = import_document(
                actor=team.org_admin, organization=team.product.organization, document=broken
            ).product
            for page in pages_to_open(product, shown):
                status = client.get(page).status_code
                assert status == 200, (page, status)
            raise _Undo

    # The document as exported opens every page. A change opens the chain, and where it hits
    # a part kept as it comes, the pages that show that part: the activity and the pages of
    # the goals the changed entry belongs to.
    with pytest.raises(_Undo):
        import_and_open(document, titles)
    accepted = refused = 0
    for path in places({section: document[section]}):
        for to in [*MUTATIONS, REMOVE]:
            broken = mutated(document, path, to)
            shown = titles_shown_by(document, broken, path) if path[0] in SHOWN_RAW else None
            try:
                import_and_open(broken, shown)
            except DomainError:
                refused += 1
            except _Undo:
                accepted += 1
            except AssertionError as failure:
                failure.add_note(f"{path} changed to {to!r}")
                raise
            assert Product.objects.count() == products, (path, to)
    assert refused > 0 and accepted > 0


@pytest.mark.parametrize(
    ("where", "to"),
    [
        ("tallies", "lots"),
        ("tallies", {"voters": "3", "supporters": 3, "objectors": 0, "counts": {}}),
        ("tallies", {"voters": 3, "supporters": 3, "objectors": 0, "counts": {"agree": [3]}}),
        ("tallies", {"voters": 3, "supporters": 3, "objectors": 0, "counts": {"maybe": 3}}),
        ("tallies", {"voters": 3, "supporters": 3, "counts": {"agree": 3}}),
        ("objections", [{"reason": {"why": "no"}}]),
        ("objections", ["no"]),
        ("objections", {"reason": "no"}),
    ],
)
def test_an_import_refuses_malformed_tallies_and_objections_naming_them(
    team, document, api, where, to
):
    document["decisions"][0][where] = to
    response = do_import(api(team.org_admin), team, document)
    assert response.status_code == 400
    assert f"decisions[0].{where}" in response.json(), response.json()
    assert (
        not Product.objects.filter(name=document["product"]["name"])
        .exclude(pk=team.product.pk)
        .exists()
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "agreed"},
        {"status": [None, "finished"]},
        {"title": [None, {"text": "x"}]},
        {"parents": [[], [999999]]},
        {"confidence": [None, 9]},
        {"ends_on": [None, "soon"]},
        {"favourite_colour": [None, "blue"]},
        {"key_result:Cooks": [None, {"title": "Cooks"}]},
        {"key_result:Cooks.target": [5, "lots"]},
    ],
)
def test_an_import_refuses_history_it_could_not_show(team, document, api, changes):
    document["history"][0]["changes"] = changes
    response = do_import(api(team.org_admin), team, document)
    assert response.status_code == 400
    assert any(key.startswith("history[0].changes") for key in response.json()), response.json()


@pytest.mark.parametrize(
    ("tallies", "objections"),
    [
        ("lots", "none"),
        ({"voters": "3", "counts": ["agree"]}, [1, None, {"reason": {"x": 1}}]),
        ({"voters": None, "counts": {"agree": "many", "1": -2}}, [{"name": ["x"]}]),
    ],
)
def test_the_goal_page_shows_any_kept_decision_without_failing(
    team, document, browser_client, tallies, objections
):
    decision = Decision.objects.get(goal__product=team.product)
    Decision.objects.filter(pk=decision.pk).update(tallies=tallies, objections=objections)
    goal = Goal.objects.get(pk=decision.goal_id)
    response = browser_client(team.stakeholder).get(f"/goals/{goal.pk}/")
    assert response.status_code == 200
    assert "<dd>0, 0 in favour, 0 objecting</dd>" in response.content.decode()
