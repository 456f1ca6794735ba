"""The garbage collector paused while a large chain is built (goalchain/runtime.py), and a
built chain leaving nothing for it to find."""

from __future__ import annotations

import gc
import threading

import pytest
from django.core.cache import cache

from goalchain.runtime import collector_paused
from goals.api import chain_body
from goals.models import Level
from tests.factories import make_chain, make_goal


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_turns_it_on_again():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_it_stays_off_until_the_last_of_overlapping_pauses_ends():
    """Two threads build at once: the first to finish leaves the collector off for the other."""
    inside, finish = threading.Event(), threading.Event()

    def build():
        with collector_paused():
            inside.set()
            finish.wait(10)

    other = threading.Thread(target=build)
    other.start()
    inside.wait(10)
    with collector_paused():
        pass
    assert not gc.isenabled()
    finish.set()
    other.join(10)
    assert gc.isenabled()


def test_a_chain_is_put_together_with_the_collector_off(team, api, monkeypatch):
    make_chain(team.product)
    seen = []
    outlines = chain_body.product_outlines

    def spy(product):
        seen.append(gc.isenabled())
        return outlines(product)

    monkeypatch.setattr(chain_body, "product_outlines", spy)
    client = api(team.leader)
    assert client.get(f"/api/products/{team.product.pk}/chain/").status_code == 200
    assert client.get(f"/api/products/{team.product.pk}/health/").status_code == 200
    assert seen == [False, False]
    assert gc.isenabled()


def garbage_of_a_cold_read(client, url) -> int:
    """Objects only a collection would free (reference cycles) after a cold read of `url`."""
    cache.clear()
    chain_body.forget_assembled_chains()
    gc.collect()
    gc.disable()
    try:
        assert client.get(url).status_code == 200
        return gc.collect()
    finally:
        gc.enable()


def test_a_chain_put_together_leaves_no_more_garbage_the_more_goals_it_has(team, api, monkeypatch):
    """Garbage kept the goals' bodies alive until the collector found them: each read of
    a 10,000-goal chain paid for a collection walking them (bench/README.md)."""
    monkeypatch.setattr(chain_body, "FEW_TO_BUILD", 0)  # the whole chain loaded at once
    chain = make_chain(team.product)
    client = api(team.leader)
    url = f"/api/products/{team.product.pk}/chain/"
    client.get(url)  # the first read in the process loads what every read then shares
    small = garbage_of_a_cold_read(client, url)
    for i in range(40):
        product_goal = make_goal(team.product, Level.PRODUCT, chain.user_goal, title=f"P{i}")
        make_goal(team.product, Level.SPRINT, product_goal, title=f"S{i}")
    assert garbage_of_a_cold_read(client, url) == small
