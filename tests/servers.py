"""Real servers in tests (`sagsgang serve`, Radicale, Prefect, SMTP): a free port on loopback,
waiting for one to answer, and stopping it whatever state it is in."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> Callable[[], bool]:
    """A readiness check: `url` answers 200."""

    def check() -> bool:
        try:
            return httpx.get(url, timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    return check


def listening(port: int) -> Callable[[], bool]:
    """A readiness check: something accepts connections on 127.0.0.1:`port`."""

    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    return check


def wait_for(
    ready: Callable[[], bool], process: subprocess.Popen, log: Path, what: str, seconds: float = 30, pause: float = 0.2
) -> None:
    """Until `ready()`; fails the test with the end of `log` if `process` exits or time runs out."""
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start:\n{Path(log).read_text(errors='replace')[-3000:]}")
        time.sleep(pause)


def stop(process: subprocess.Popen | None, seconds: float = 10) -> None:
    """Terminate, and kill if it has not ended after `seconds`."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepted, parsed.

    `hold_at(n)` makes it stop in the middle of receiving the n-th mail (before it answers the
    DATA command), so a test can kill the sender then; a mail whose sender died before the server
    answered is not accepted (RFC 5321 § 4.1.1.4: no reply, no responsibility). Addresses in
    `refused` are answered 550 at RCPT, as a server does for a mailbox that does not exist.
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = free_port()
        self._hold_at: int | None = None
        self._seen = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.refused: set[str] = set()
        self.latency = 0.0  # seconds before answering DATA, as a real server takes
        self._receiving = 0  # DATA commands being handled (a sender killed meanwhile is still served)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def hold_at(self, n: int) -> None:
        self._hold_at, self._seen = n, 0
        self.holding.clear()
        self.release.clear()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Ukendt modtager"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self._receiving += 1
        try:
            return await self._data(envelope)
        finally:
            with self._lock:
                self._receiving -= 1

    def wait_until_idle(self, seconds: float = 10.0) -> None:
        """Until no DATA is being handled: a mail whose sender was killed while the server took its
        time is still accepted, and counts only once the server has stored it."""
        deadline = time.monotonic() + seconds
        while self._receiving and time.monotonic() < deadline:
            time.sleep(0.005)

    async def _data(self, envelope):
        with self._lock:
            self._seen += 1
            hold = self._hold_at is not None and self._seen == self._hold_at
        if hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            self._hold_at = None
            return "451 Afbrudt"
        if self.latency:
            await asyncio.sleep(self.latency)
        with self._lock:
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [m["Subject"] for m in self.messages]
