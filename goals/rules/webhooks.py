"""What webhooks and chat hooks say: the catalogue of events, and each event's message in the
incoming-webhook format of Slack (Block Kit), Microsoft Teams (an Adaptive Card) and
Mattermost (Markdown). Pure functions of the event's payload, which every member of the
product may read: titles, levels, statuses, names and links, never a private word."""

from __future__ import annotations

import json
import re
from typing import Any

# The events a hook can ask for, with the words the hook's page uses for each.
EVENTS: dict[str, str] = {
    "goal.created": "A goal is drafted",
    "goal.agreed": "A goal is agreed",
    "goal.changed": "A goal changes",
    "goal.closed": "A goal is achieved, missed or dropped",
    "key_result.changed": "A key result is added, changed or removed",
    "check_in.created": "Someone checks in on a goal",
    "comment.created": "Someone comments on a goal",
    "workshop.decided": "A workshop adopts a goal",
    "feedback_round.closed": "A feedback round closes",
    "review.overdue": "A goal's review is overdue",
}
# What "Send test" sends; no hook asks for it.
PING = "ping"
CHAT_KINDS = ("slack", "teams", "mattermost")


def headline(payload: dict[str, Any]) -> str:
    """The message's first line, in the words of the pages."""
    data = payload["data"]
    goal = data.get("goal") or {}
    title = f"“{goal.get('title', '')}”"
    level = goal.get("level_name", "Goal")
    match payload["type"]:
        case "goal.created":
            return f"New draft: {level} {title}"
        case "goal.agreed":
            return f"Agreed: {level} {title}"
        case "goal.changed":
            return f"Changed: {level} {title}"
        case "goal.closed":
            outcome = data.get("outcome")
            if outcome == "achieved":
                return f"Win: {level} {title} was achieved"
            return f"{'Missed' if outcome == 'missed' else 'Dropped'}: {level} {title}"
        case "key_result.changed":
            key_result = data.get("key_result") or {}
            return f"Key result {data.get('change', 'changed')}: “{key_result.get('title', '')}”"
        case "check_in.created":
            if data.get("confidence_dropped"):
                return f"Confidence dropping on {title}"
            return f"Check-in on {title}"
        case "comment.created":
            return f"{data.get('actor') or 'Someone'} commented on {title}"
        case "workshop.decided":
            workshop = data.get("workshop") or {}
            return f"The workshop “{workshop.get('title', '')}” adopted {title}"
        case "feedback_round.closed":
            return f"Feedback round closed on {title}"
        case "review.overdue":
            return f"Review overdue: {level} {title}"
    return "Test message from Goal Chain: this hook works."


def detail(payload: dict[str, Any]) -> str:
    """The message's second line, or "" when the headline says it all."""
    data = payload["data"]
    match payload["type"]:
        case "goal.agreed":
            return str(data.get("how", ""))
        case "goal.changed":
            changed = ", ".join(data.get("changed", []))
            reason = data.get("reason") or ""
            return f"Changed: {changed}." + (f" Why: {reason}" if reason else "")
        case "key_result.changed":
            return f"On {data['goal']['title']}" if data.get("goal") else ""
        case "check_in.created":
            now, before = data.get("confidence"), data.get("previous_confidence")
            if before is not None and now != before:
                return f"Confidence {before} → {now} of 5."
            return f"Confidence {now} of 5."
        case "comment.created":
            return str((data.get("comment") or {}).get("excerpt", ""))
        case "feedback_round.closed":
            return "Its leaders find the answers on the round's page."
        case "review.overdue":
            return f"It was due on {data.get('due_on_text', '')}."
    return ""


def footer(payload: dict[str, Any]) -> str:
    data = payload["data"]
    parts = [(data.get("product") or {}).get("name", "")]
    if data.get("actor") and payload["type"] != "comment.created":
        parts.append(f"by {data['actor']}")
    return " · ".join(part for part in parts if part)


def link(payload: dict[str, Any]) -> str:
    data = payload["data"]
    for key in ("goal", "workshop", "product"):
        if (data.get(key) or {}).get("url"):
            return str(data[key]["url"])
    return ""


def chat_message(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The body a chat tool's incoming webhook takes for this event."""
    first, second, last, url = headline(payload), detail(payload), footer(payload), link(payload)
    if kind == "slack":
        return _slack(first, second, last, url)
    if kind == "teams":
        return _teams(first, second, last, url)
    return _mattermost(first, second, last, url)


def body_of(kind: str, payload: dict[str, Any]) -> bytes:
    """The bytes sent: the payload itself for standard hooks, the chat message otherwise."""
    document = payload if kind not in CHAT_KINDS else chat_message(kind, payload)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _slack(first: str, second: str, last: str, url: str) -> dict[str, Any]:
    title = f"*<{url}|{_slack_escape(first)}>*" if url else f"*{_slack_escape(first)}*"
    text = title + (f"\n{_slack_escape(second)}" if second else "")
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    if last:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(last)}]}
        )
    return {"text": first, "blocks": blocks}


def _teams(first: str, second: str, last: str, url: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": first, "weight": "Bolder", "wrap": True}
    ]
    if second:
        body.append({"type": "TextBlock", "text": second, "wrap": True})
    if last:
        body.append({"type": "TextBlock", "text": last, "isSubtle": True, "wrap": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Goal Chain", "url": url}]
    return {
        "type": "message",
        "summary": first,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def _mattermost(first: str, second: str, last: str, url: str) -> dict[str, Any]:
    title = _markdown_escape(first)
    lines = [f"**[{title}]({url})**" if url else f"**{title}**"]
    if second:
        lines.append(_markdown_escape(second))
    if last:
        lines.append(f"_{_markdown_escape(last)}_")
    return {"text": "\n".join(lines), "username": "Goal Chain"}


def _slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup; these three are all it asks to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MARKDOWN = re.compile(r"([\\`*_\[\]()#|>~])")


def _markdown_escape(text: str) -> str:
    """User text shown as itself, not as Markdown (a title with *stars* or [brackets])."""
    return _MARKDOWN.sub(r"\\\1", text)
