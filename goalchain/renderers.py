"""The API's JSON renderer: DRF's output, written by orjson.

A large chain is megabytes of JSON, which orjson writes several times faster than the
standard library (bench/README.md has the figures). orjson writes dates and times itself, exactly
as DRF's encoder does (ISO 8601, UTC as `Z`), so views may hand it date objects and save
formatting 100,000 of them in Python. Anything else orjson does not know (decimals, lazy
strings, ...) goes through DRF's own encoder, so the output is the same as DRF's
JSONRenderer gives; indented output and whatever orjson refuses are left to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
# DRF escapes these two so that its JSON is also valid JavaScript; so do we.
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class JSONRenderer(DRFJSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=JSONEncoder().default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if _LINE_SEPARATOR in rendered or _PARAGRAPH_SEPARATOR in rendered:
            rendered = rendered.replace(_LINE_SEPARATOR, b"\\u2028").replace(
                _PARAGRAPH_SEPARATOR, b"\\u2029"
            )
        return rendered
