"""Markdown to safe HTML: markdown-it renders, nh3 keeps only harmless tags and URLs."""

from html import unescape

import nh3
from django.utils.html import strip_tags
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> str:
    """Render user-written markdown to HTML that is safe to show to anyone."""
    if not text:
        return ""
    return nh3.clean(
        _renderer.render(text),
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(html: str) -> str:
    """The words of rendered markdown without its markup, for previews and notifications."""
    return unescape(strip_tags(html))
