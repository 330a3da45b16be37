"""What every request to the server passes through before any work is done for it.

- :class:`Guard` (ASGI middleware): the Host header against the allow-list (a page on a staff PC
  cannot be reached through another name: DNS rebinding), the body's size (on Content-Length,
  then counted as it arrives: 413) and the request's time from its arrival to its answer,
  reading the body included (503).
- :func:`protocol`: uvicorn's h11 connection with a time limit on the request line and headers
  (:data:`~planvalidator.limits.HEADER_SECONDS`): a connection that never finishes sending them
  is closed instead of being kept open for ever.
"""

from __future__ import annotations

import json
import socket
import time

from planvalidator import limits
from planvalidator.partxml import size_text
from planvalidator.server.messages import BAD_HOST, BUSY, TOO_LARGE, TOO_SLOW, detail

DEADLINE = "planvalidator.deadline"     # scope key: time.monotonic() when the request's time is up
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str, extra=()) -> frozenset[str]:
    """The names a request may carry in its Host header, from the address the server listens on:
    loopback names for a loopback address; for every interface (0.0.0.0, ::), also this machine's
    name and its addresses; for one address, that address and the names it has. ``extra`` adds
    names (``serve --allow-host``); ``*`` allows any."""
    names = {*LOOPBACK, *(name.strip().lower() for name in extra)}
    if host in ("0.0.0.0", "::", ""):
        for name in (socket.gethostname(), socket.getfqdn()):
            names.add(name.lower())
            try:
                names.update(info[4][0] for info in socket.getaddrinfo(name, None))
            except OSError:
                pass
    elif host not in LOOPBACK and not host.startswith("127."):
        names.add(host.lower())
        try:
            names.add(socket.gethostbyaddr(host)[0].lower())
        except OSError:
            pass
    else:
        names.add(host)
    return frozenset(n.strip("[]") for n in names)


def host_of(value: str) -> str:
    """The name in a Host header, without its port: 「[::1]:8000」 → 「::1」."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class BodyTooLarge(Exception):
    """The request body passed the size limit while it was read."""


class Guard:
    """Pure ASGI middleware: Host, body size and time of every HTTP request, and the memory all the
    bodies being held take together (:data:`~planvalidator.limits.MAX_BODIES_BYTES`: past it, 503)."""

    def __init__(self, app, *, max_bytes: int, seconds: float, hosts: frozenset[str] | None,
                 max_held: int = limits.MAX_BODIES_BYTES):
        self.app, self.max_bytes, self.seconds, self.hosts = app, max_bytes, seconds, hosts
        self.max_held, self.held = max_held, 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        import anyio

        if self.hosts is not None and "*" not in self.hosts:
            host = _header(scope, b"host") or ""
            if host_of(host) not in self.hosts:
                await send_json(send, 421, detail(BAD_HOST.format(host=host[:100])))
                return
        too_large = TOO_LARGE.format(limit=size_text(self.max_bytes))
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await send_json(send, 413, detail(too_large))
            return
        read, over, busy, started = 0, False, False, False

        async def receive_counted():
            nonlocal read, over, busy
            message = await receive()
            if message["type"] == "http.request":
                size = len(message.get("body", b""))
                read += size
                self.held += size
                if read > self.max_bytes:
                    over = True
                    raise BodyTooLarge
                if self.held > self.max_held:
                    busy = True
                    raise BodyTooLarge
            return message

        async def send_tracked(message):
            nonlocal started
            if (over or busy) and not started:   # whatever the app made of the cut-off body: ours is 413 / 503
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        scope[DEADLINE] = time.monotonic() + self.seconds
        try:
            with anyio.fail_after(self.seconds):
                await self.app(scope, receive_counted, send_tracked)
        except BodyTooLarge:
            pass
        except TimeoutError:
            if not started:
                await send_json(send, 503, detail(TOO_SLOW.format(seconds=self.seconds)))
            return
        finally:
            self.held -= read
        if busy and not started:
            await send_json(send, 503, detail(BUSY.format(seconds=5)), {"Retry-After": 5})
        elif over and not started:
            await send_json(send, 413, detail(too_large))


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _content_length(scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None                   # the server rejects it; the count still applies


async def send_json(send, status: int, content: dict, headers: dict | None = None) -> None:
    body = json.dumps(content, ensure_ascii=False).encode("utf-8")
    extra = [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *extra]})
    await send({"type": "http.response.body", "body": body})


def protocol(header_seconds: float):
    """uvicorn's h11 protocol with a deadline on every request's line and headers."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Guarded(H11Protocol):
        _due = None

        def _arm(self):
            if self._due is None:
                self._due = self.loop.call_later(header_seconds, self._too_slow)

        def _disarm(self):
            if self._due is not None:
                self._due.cancel()
                self._due = None

        def connection_made(self, transport):
            super().connection_made(transport)
            self._arm()

        def data_received(self, data):
            if self.cycle is None or self.cycle.response_complete:
                self._arm()                     # a new request begins: its headers have their time
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()                  # its headers are in

        def connection_lost(self, exc):
            self._disarm()
            super().connection_lost(exc)

        def _too_slow(self):
            self._due = None
            if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
                self.transport.close()

    return Guarded
