"""Template filters that write sentences and numbers the one way people read them (see
goals.wording): `{{ sentence|full_stop }}`, `{{ value|amount }}`, `{{ n|counted:"concern" }}`."""

from __future__ import annotations

from typing import Any

from django import template

from goals import wording

register = template.Library()


@register.filter(is_safe=True)
def full_stop(text: str) -> str:
    return wording.full_stop(str(text))


@register.filter(is_safe=True)
def amount(value: Any) -> str:
    """A number without trailing zeros and with thousands grouped: `{{ kr.target|amount }}`."""
    return wording.amount(value)


@register.filter
def counted(count: Any, nouns: str) -> str:
    """A count with its noun in the right form: `{{ n|counted:"concern" }}` gives "1 concern"
    or "2 concerns"; `{{ n|counted:"person,people" }}` for nouns that change."""
    singular, _, plural = nouns.partition(",")
    return wording.counted(count, singular, plural or None)
