"""The Jinja2 environment of the hot partials Django's templates draw too slowly (the chain
page's tree, goals/jinja2/): Django's URLs and the goal filters the Django templates share."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.text import capfirst
from jinja2 import Environment

from goals.templatetags.cards import progress_bar, timeframe
from goals.templatetags.reviews import review_due


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def environment(**options: Any) -> Environment:
    env = Environment(**options)
    env.globals["url"] = url
    env.filters.update(
        capfirst=capfirst, progress_bar=progress_bar, review_due=review_due, timeframe=timeframe
    )
    return env
