"""The check a pooled PostgreSQL connection passes before a request gets it."""

from __future__ import annotations

import select

import psycopg
from psycopg_pool import ConnectionPool


def check_pooled_connection(connection: psycopg.Connection) -> None:
    """Raise when an idle pooled connection is gone; cost no round trip when it is not.

    An idle connection hears from PostgreSQL only when the server closes it (a restart, a
    terminated backend): it then has a message or end-of-file waiting. So a poll of its
    socket tells a live one without a query; when something is waiting, psycopg's own
    check (an empty query) decides, and the pool replaces the connection if that fails."""
    if not connection.closed:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        if not poller.poll(0):
            return
    ConnectionPool.check_connection(connection)
