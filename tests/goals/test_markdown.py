"""User-written markdown becomes HTML that runs no script in anyone's browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from goals.markdown import render_markdown

SAFE_SCHEMES = {"http", "https", "mailto"}


class _Tags(HTMLParser):
    """Every tag and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_it_renders_markdown():
    html = render_markdown("# Vision\n\n**Healthy** _lives_\n\n- one\n- two")
    assert "<h1>Vision</h1>" in html
    assert "<strong>Healthy</strong>" in html
    assert "<em>lives</em>" in html
    assert "<li>one</li>" in html


def test_it_renders_nothing_for_empty_text():
    assert render_markdown("") == ""


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hello <SCRIPT src=//evil.example/x.js></SCRIPT>",
        "```\n</code><script>alert(1)</script>\n```",
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_it_removes_script_tags(text):
    assert "script" not in {tag for tag, _ in tags_of(render_markdown(text))}


@pytest.mark.parametrize(
    "text",
    [
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        '<p onmouseover="alert(1)">hover</p>',
        '[x](https://example.com "t" onclick=alert(1))',
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_it_removes_event_handlers(text):
    tags = tags_of(render_markdown(text))
    assert tags, "expected some HTML"
    assert not [(tag, name) for tag, attrs in tags for name in attrs if name.startswith("on")]
    assert not {tag for tag, _ in tags} & {"img", "svg"}


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "<a href='javascript:alert(1)'>x</a>",
        "[click](java&#x09;script:alert(1))",
        "![img](javascript:alert(1))",
    ],
)
def test_it_removes_dangerous_urls(text):
    tags = tags_of(render_markdown(text))
    urls = [
        value or "" for _, attrs in tags for name, value in attrs.items() if name in {"href", "src"}
    ]
    # A browser ignores tabs and newlines inside a scheme; "%09" makes it a relative path.
    schemes = [
        re.match(r"([a-z0-9+.-]+):", re.sub(r"[\s\x00-\x1f]", "", url), re.I) for url in urls
    ]
    assert not [m.group(1) for m in schemes if m and m.group(1).lower() not in SAFE_SCHEMES]
    assert "img" not in {tag for tag, _ in tags}


def test_it_keeps_safe_links_and_adds_rel():
    html = render_markdown("[the plan](https://example.com/plan) and [mail](mailto:a@b.org)")
    assert 'href="https://example.com/plan"' in html
    assert 'href="mailto:a@b.org"' in html
    links = [attrs for tag, attrs in tags_of(html) if tag == "a"]
    assert [link["rel"] for link in links] == ["noopener noreferrer nofollow"] * 2


def test_it_escapes_raw_html_instead_of_rendering_it():
    html = render_markdown("<b>bold</b> & <iframe src=https://evil.example></iframe>")
    assert {tag for tag, _ in tags_of(html)} == {"p"}


def test_it_keeps_tables():
    html = render_markdown("| a | b |\n| - | - |\n| 1 | 2 |")
    assert "<table>" in html
    assert "<td>1</td>" in html
