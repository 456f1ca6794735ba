"""Large builds are cached after the answer, by one writer thread a process
(goalchain/cache.py); everything they write is right whenever it lands."""

from __future__ import annotations

import logging
import threading

import pytest
import redis
from django.core.cache import cache
from django.db.models import F

import goalchain.cache
from goalchain.cache import set_many_after_answer, written
from goals.api import chain_body, hot_path, organizations
from goals.models import Goal
from tests.factories import make_chain


@pytest.fixture
def chain(team):
    return make_chain(team.product)


def goal_keys(product) -> list[str]:
    ids = Goal.objects.filter(product=product).values_list("pk", flat=True)
    return [f"chain:goal:{pk}:findings" for pk in ids]


def test_outside_a_request_a_write_is_handed_over_at_once():
    set_many_after_answer({"after:one": 1, "after:two": (2, b"body")}, 60)
    written()
    assert cache.get_many(["after:one", "after:two"]) == {"after:one": 1, "after:two": (2, b"body")}


def test_writes_land_in_the_order_they_were_handed_over():
    for value in range(20):
        set_many_after_answer({"after:order": value}, 60)
    written()
    assert cache.get("after:order") == 19


def test_a_large_build_is_cached_once_the_request_has_answered(team, chain, api, monkeypatch):
    """The view has its body before anything is handed to the writer; once the answer is
    out, every goal's body is, and a read in a process that kept nothing builds none."""
    monkeypatch.setattr(hot_path, "FEW_TO_WRITE_AT_ONCE", 0)  # these five goals are many
    handed: list[list[str]] = []
    hand_over = goalchain.cache._hand_over

    def spy(data, timeout):
        handed.append(sorted(data))
        hand_over(data, timeout)

    monkeypatch.setattr(goalchain.cache, "_hand_over", spy)
    while_the_view_ran = []
    chain_json = organizations.chain_json

    def view_body(product):
        body = chain_json(product)
        while_the_view_ran.append(list(handed))
        return body

    monkeypatch.setattr(organizations, "chain_json", view_body)
    client = api(team.leader)
    url = f"/api/products/{team.product.pk}/chain/"
    first = client.get(url)
    assert first.status_code == 200
    assert while_the_view_ran == [[]]
    assert handed == [sorted(goal_keys(team.product))]  # the chain body itself is small
    written()
    assert set(cache.get_many(goal_keys(team.product))) == set(goal_keys(team.product))

    chain_body.forget_assembled_chains()
    cache.delete(f"chain:{team.product.pk}")

    def nothing_to_build(*args):
        raise AssertionError("a goal's body was built again")

    monkeypatch.setattr(chain_body, "load_chain", nothing_to_build)
    monkeypatch.setattr(chain_body, "bodies_one_by_one", nothing_to_build)
    assert client.get(url).content == first.content


def test_a_large_chain_body_is_cached_after_the_answer(team, chain, api, monkeypatch):
    monkeypatch.setattr(chain_body, "LARGE_BODY", 0)
    client = api(team.leader)
    url = f"/api/products/{team.product.pk}/chain/"
    blocked = threading.Event()
    set_many = goalchain.cache._set_many

    def held_up(data, timeout):
        blocked.wait(10)
        set_many(data, timeout)

    monkeypatch.setattr(goalchain.cache, "_set_many", held_up)
    try:
        body = client.get(url).content
        assert cache.get(f"chain:{team.product.pk}") is None  # the writer is still held up
    finally:
        blocked.set()
    written()
    assert cache.get(f"chain:{team.product.pk}")[1] == body
    assert client.get(url).content == body


def test_a_write_that_fails_is_logged_and_the_next_one_lands(monkeypatch, caplog):
    class Refusing:
        def set_many(self, data, timeout):
            if "after:refused" in data:
                raise redis.ConnectionError("Redis is restarting")
            cache.set_many(data, timeout)

    monkeypatch.setattr(goalchain.cache, "cache", Refusing())
    with caplog.at_level(logging.ERROR, logger="goalchain.cache"):
        set_many_after_answer({"after:refused": 1}, 60)
        set_many_after_answer({"after:landed": 2}, 60)
        written()
    assert [r.getMessage() for r in caplog.records] == [
        "A cache write made after the answer failed."
    ]
    assert caplog.records[0].exc_info[0] is redis.ConnectionError
    assert cache.get("after:refused") is None
    assert cache.get("after:landed") == 2


def test_a_write_landing_after_a_newer_one_only_makes_the_next_read_build_again(team, chain, api):
    """A body written late under an older signature is not served: the read builds the
    chain again, with the change."""
    client = api(team.leader)
    url = f"/api/products/{team.product.pk}/chain/"
    old = client.get(url).content
    key = f"chain:{team.product.pk}"
    old_entries = cache.get_many([key, f"{key}:signature"])
    Goal.objects.filter(pk=chain.sprint_goal.pk).update(
        title="Scan the fridge", version=F("version") + 1
    )
    new = client.get(url).content
    assert b"Scan the fridge" in new
    set_many_after_answer(old_entries, 60)
    written()
    chain_body.forget_assembled_chains()
    assert client.get(url).content == new != old
