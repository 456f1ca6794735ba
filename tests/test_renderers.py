"""The API's orjson renderer writes what DRF's own JSONRenderer writes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from goalchain.renderers import JSONRenderer
from goals.models import Level

SAMPLES = [
    {"id": 1, "title": "Ünïcode — “quotes”", "nested": [{"a": None, "b": True, "c": 1.5}]},
    {"when": datetime(2026, 11, 21, 17, 14, 46, 123456, tzinfo=UTC)},
    {"when": datetime(2026, 11, 21, 17, 14, tzinfo=timezone(timedelta(hours=2)))},
    {"on": date(2026, 1, 2), "at": time(9, 30), "for": timedelta(minutes=5)},
    {"baseline": Decimal("10.0000"), "target": Decimal("12.5")},
    {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"), "lazy": gettext_lazy("Hello")},
    {"level": Level.VISION, 7: "int keys become strings"},
    {"separators": "line\u2028paragraph\u2029end"},
    [1, 2, (3, 4)],
    {"big": 2**70},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_it_writes_what_drfs_renderer_writes(data):
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)


def test_it_honours_a_requested_indent():
    data = {"a": [1, 2]}
    media_type = "application/json; indent=2"
    assert JSONRenderer().render(data, media_type) == DRFJSONRenderer().render(data, media_type)


def test_it_renders_nothing_for_no_data():
    assert JSONRenderer().render(None) == b""
