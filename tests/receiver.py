"""A real HTTP server on 127.0.0.1 for the integrations' tests: it stands for a webhook
receiver, a chat tool's incoming webhook and a metric source.

Each path answers as the test set it (`receiver.answer(path, ...)`): a status, a body, a
delay before answering, a redirect. Every request it got is kept, with its headers and body.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    content_type: str = "text/plain"
    delay: float = 0.0
    location: str = ""


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    replies: dict[str, list[Reply]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, *replies: Reply) -> str:
        """Answer requests to `path` with these replies in turn, the last one from then on;
        the address of `path`."""
        self.replies[path] = list(replies)
        return f"{self.url}{path}"

    def reply_for(self, path: str) -> Reply:
        with self.lock:
            queued = self.replies.get(path) or [Reply()]
            return queued.pop(0) if len(queued) > 1 else queued[0]

    def to(self, path: str) -> list[Received]:
        with self.lock:
            return [request for request in self.received if request.path == path]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path
            with receiver.lock:
                receiver.received.append(Received(self.command, path, dict(self.headers), body))
            reply = receiver.reply_for(path.split("?")[0])
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                if reply.location:
                    self.send_header("Location", reply.location)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as a timeout test wants

        do_GET = do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve() -> Iterator[Receiver]:
    receiver = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    # shutdown() waits for the loop's next look, every half second by default: per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
