"""The application uvicorn serves: event streams on Django's ASGI handler, every other request
on its WSGI handler in a pool of threads (goalchain/serving.py)."""

import os
from typing import cast

from a2wsgi import WSGIMiddleware
from a2wsgi.wsgi_typing import WSGIApp
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application

from goalchain.runtime import tune_garbage_collector
from goalchain.serving import Dispatch

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goalchain.settings")
tune_garbage_collector()
streams = get_asgi_application()  # sets Django up
application = Dispatch(
    # Django's response is the iterable of bytes WSGI wants, which its type does not say.
    plain=WSGIMiddleware(cast(WSGIApp, get_wsgi_application()), workers=settings.WEB_THREADS),
    streams=streams,
)
