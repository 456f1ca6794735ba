"""Goal detail and goal list given again from the shared cache, with no database query.

An answer given to an API token is kept under the token and the address asked, with the
write stamp read before it was built (goalchain/writes.py). It is given again to the same
token at the same address while all of these hold:
- nothing was written to the database since: an edit anywhere, a revoked token, a person
  deactivated or leaving the organisation each change the stamp;
- no date turned: health codes follow the date in the organisation's time zone, a token's
  expiry the server's, and every time zone's midnight falls on a quarter hour of UTC, so an
  answer is kept until the next quarter hour at most;
- the token's last use was stamped less than a minute ago (accounts/tokens.py), so its use
  is still recorded once a minute by the answer made as usual.
Otherwise the view answers as usual, and that answer is kept.

Only with a cache that every process shares (Redis, `FAST_READS`): a process's own memory
would not see the stamps another one writes.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.authentication import KEYWORD
from accounts.models import ApiToken
from accounts.tokens import USE_RECORDED_EVERY
from goalchain.writes import STAMP_KEY, new_stamp
from goals.services.metrics import METRIC_SECRET_START

QUARTER_HOUR = 15 * 60
# What a client sends that the JSON answer is the same for (DRF negotiates the rest).
_PLAIN_ACCEPTS = frozenset({"*/*", "application/json", "application/json, */*"})


@dataclass(frozen=True)
class _Asked:
    key: str
    stamp: int
    at: float  # when the stamp was read, in seconds since the epoch


def _kept_answer(request: HttpRequest) -> tuple[_Asked | None, bytes | None]:
    """The answer kept for this request when it still holds; else what to keep the
    answer under (None when this request's answer is not kept)."""
    meta = request.META
    if not settings.FAST_READS or request.method != "GET" or "format" in request.GET:
        return None, None
    if meta.get("HTTP_ACCEPT", "*/*") not in _PLAIN_ACCEPTS:
        return None, None
    words = meta.get("HTTP_AUTHORIZATION", "").split()
    if len(words) != 2 or words[0] != KEYWORD or words[1].startswith(METRIC_SECRET_START):
        return None, None
    asked = f"{words[1]}\n{request.build_absolute_uri()}"
    key = "answer:" + hashlib.sha256(asked.encode("utf-8", "surrogatepass")).hexdigest()
    found = cache.get_many([STAMP_KEY, key])
    now = time.time()
    stamp = found.get(STAMP_KEY)
    if stamp is None:
        return _Asked(key, new_stamp(), now), None
    kept = found.get(key)
    if kept is not None and kept[0] == stamp and now < kept[1]:
        return None, kept[2]
    return _Asked(key, stamp, now), None


def _keep(asked: _Asked, request: Request, response: HttpResponseBase) -> None:
    if response.status_code != 200 or not isinstance(response, HttpResponse):
        return
    token = request.auth  # signed in: the answer is a 200
    if not isinstance(token, ApiToken) or token.last_used_at is None:
        return
    until = min(
        (int(asked.at) // QUARTER_HOUR + 1) * QUARTER_HOUR,
        token.last_used_at.timestamp() + USE_RECORDED_EVERY.total_seconds(),
    )
    left = until - time.time()
    if left > 0:
        cache.set(asked.key, (asked.stamp, until, response.content), math.ceil(left))


class KeptAnswersView(APIView):
    """An API view whose GET answers to tokens are kept as above."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        asked, body = _kept_answer(request)
        if body is not None:
            answer = HttpResponse(body, content_type="application/json")
            for name, value in self.default_response_headers.items():  # as DRF finalises
                answer[name] = value
            return answer
        response = super().dispatch(request, *args, **kwargs)
        if asked is not None:
            _keep(asked, self.request, response)
        return response
