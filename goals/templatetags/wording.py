"""`{{ sentence|full_stop }}`: a full stop after a sentence that does not end in one yet."""

from __future__ import annotations

from django import template

from goals import wording

register = template.Library()


@register.filter(is_safe=True)
def full_stop(text: str) -> str:
    return wording.full_stop(str(text))
