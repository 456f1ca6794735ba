"""`make run` serves the demo, and the emails it sends link to the address it serves."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESTORE_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _call(url: str, body: dict | None = None, token: str = "") -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Token {token}"} if token else {}),
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


class _Output:
    """Everything `make run` prints, read as it comes: a pipe nobody reads fills up, and then
    the server, the worker and the recipe's own Ctrl-C handler block on their next line."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.changed = threading.Condition()
        assert process.stdout is not None
        self.reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append("")  # the end of the output
            self.changed.notify_all()

    def wait_for(self, text: str, seconds: float) -> str:
        deadline = time.monotonic() + seconds
        checked = 0
        with self.changed:
            while True:
                for line in self.lines[checked:]:
                    if text in line:
                        return line
                    if line == "":
                        deadline = 0
                checked = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"`make run` never printed {text!r}:\n{self.tail()}")
                self.changed.wait(left)

    def tail(self) -> str:
        return "".join(self.lines)[-3000:]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_emails_from_make_run_link_to_the_address_it_serves(tmp_path):
    port = _free_port()
    address = f"127.0.0.1:{port}"
    mail = tmp_path / "mail"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SITE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {
        "GOALCHAIN_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_URL": f"file://{mail}",
        "SECRET_KEY": "make-run-test-only",
    }
    process = subprocess.Popen(
        # Ctrl-C must reach a make that listens for it, as in a terminal. A test run started
        # in the background inherits SIGINT ignored, which make and the recipe's shell would
        # keep (a shell cannot trap a signal that was ignored when it started): restored here.
        [
            sys.executable,
            "-c",
            RESTORE_SIGINT,
            "make",
            "--no-print-directory",
            "run",
            f"ADDR={address}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = _Output(process)
    try:
        banner = output.wait_for("Goal Chain is running at", 120)
        assert f"http://{address}/" in banner
        base = f"http://{address}/api"
        token = _call(
            f"{base}/auth/token/",
            {"email": "leader@example.com", "password": "goalchain-demo"},
        )["token"]
        organization = _call(f"{base}/organizations/", token=token)["results"][0]["id"]
        _call(
            f"{base}/organizations/{organization}/members/",
            {"email": "newcomer@example.com", "role": "member"},
            token=token,
        )
        # The demo's feedback rounds send their own emails: wait for the invitation's.
        deadline = time.monotonic() + 60
        emails = ""
        while time.monotonic() < deadline and "newcomer@example.com" not in emails:
            time.sleep(0.5)
            emails = "".join(p.read_text() for p in mail.iterdir()) if mail.exists() else ""
        assert "newcomer@example.com" in emails, "the worker sent no invitation"
        assert f"http://{address}/invitations/" in emails
        assert "127.0.0.1:8000" not in emails
    finally:
        _stop(process, output)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # the web server stopped with `make run`


def _stop(process: subprocess.Popen, output: _Output) -> None:
    """Ctrl-C as a person gives it: `make run` stops the server and the worker it started."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"`make run` did not stop within 40 s of Ctrl-C:\n{output.tail()}")
