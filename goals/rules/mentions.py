"""Mentions in comments: `@` followed by a person's email or name, for the people who may be
mentioned there. Anything else stays plain text and notifies nobody."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape

from goals.markdown import render_markdown
from goals.models import User

# Private-use characters mark where a mention goes while markdown renders around it.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    person: User

    def text(self, body: str) -> str:
        return body[self.start : self.end]


def handles(people: Iterable[User]) -> dict[str, User]:
    """Each person's email and name, lower-cased. A name two people share names nobody."""
    found: dict[str, User] = {}
    shared: set[str] = set()
    for person in people:
        found[person.email.lower()] = person
        name = person.name.strip().lower()
        if name in found and found[name].pk != person.pk:
            shared.add(name)
        found.setdefault(name, person)
    return {handle: person for handle, person in found.items() if handle and handle not in shared}


def find_mentions(body: str, people: Iterable[User]) -> list[Mention]:
    """Where `body` mentions one of `people`; the longest handle wins (`@Ann Lee` over `@Ann`)."""
    known = handles(people)
    if not known or "@" not in body:
        return []
    alternatives = "|".join(re.escape(h) for h in sorted(known, key=len, reverse=True))
    # Not inside a word or an email before the @; the handle must end where a word ends.
    pattern = re.compile(rf"(?<![\w@])@({alternatives})(?![\w@]|[.-]\w)", re.IGNORECASE)
    return [
        Mention(match.start(), match.end(), known[match.group(1).lower()])
        for match in pattern.finditer(body)
    ]


def render_comment(body: str, people: Iterable[User]) -> tuple[str, list[User]]:
    """The comment as safe HTML with its mentions marked, and the people it mentions."""
    body = body.replace(_OPEN, "").replace(_CLOSE, "")
    mentions = find_mentions(body, people)
    marked, last = [], 0
    for number, mention in enumerate(mentions):
        marked += [body[last : mention.start], f"{_OPEN}{number}{_CLOSE}"]
        last = mention.end
    marked.append(body[last:])
    html = render_markdown("".join(marked))

    def mark(match: re.Match[str]) -> str:
        mention = mentions[int(match.group(1))]
        return f'<span class="mention">{escape(mention.text(body))}</span>'

    people_mentioned = list({m.person.pk: m.person for m in mentions}.values())
    return _PLACEHOLDER.sub(mark, html), people_mentioned
