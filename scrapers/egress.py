"""The egress proxy: the only way out for the crawl's browser.

Chromium is started with `--proxy-server` pointing here and `--proxy-bypass-list=<-loopback>`
(without it Chromium reaches localhost and 127.0.0.0/8 directly), so every connection it makes
— navigations, each redirect hop, images, frames, fetch(), WebSockets, HTTP or HTTPS — arrives
here first as either a plain-HTTP request in absolute form or a CONNECT. For each one the
proxy resolves the destination once (AddressGuard.resolve: netguard's rule), refuses it when
any address is internal, and otherwise connects to the address it checked. Playwright's
page.route() could not do this: it sees the first URL of a request only, not the redirect
hops or WebSockets that follow.

It runs in the crawl's own process and event loop, listening on 127.0.0.1 on a port the
kernel picks; it serves nobody but that process's browser and lives as long as the crawl.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from urllib.parse import urlsplit

from scrapers.netguard import Address, AddressGuard, RefusedAddress

logger = logging.getLogger(__name__)

HEAD_LIMIT = 64 * 1024  # request and response heads; Chromium's are a few KB
# Headers meant for the proxy or for one hop only; the proxy sets its own Connection.
_HOP_HEADERS = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "upgrade"})


class EgressProxy:
    """An HTTP proxy (plain requests and CONNECT) that applies the address guard to every connection."""

    def __init__(self, guard: AddressGuard, *, timeout: float = 60.0) -> None:
        self.guard = guard
        self.timeout = timeout  # connect, and silence on a connection, before giving up
        # Bound now, so the port is known before the browser's command line is built; served
        # once the event loop runs (start()).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self._socket.setblocking(False)
        self.port: int = self._socket.getsockname()[1]
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def chromium_args(self) -> list[str]:
        # "<-loopback>" removes Chromium's implicit bypass of localhost and 127.0.0.0/8.
        return [f"--proxy-server={self.url}", "--proxy-bypass-list=<-loopback>"]

    async def start(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, sock=self._socket, limit=HEAD_LIMIT)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        else:
            self._socket.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)

    # --- one client connection ------------------------------------------------------------

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass  # the browser or the site hung up: nothing to report
        finally:
            self._connections.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.timeout)
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, _, rest = request_line.partition(" ")
        target, _, version = rest.partition(" ")
        if method == "CONNECT":
            host, port = _host_port(target)
            shown = f"CONNECT {target}"
        else:
            parts = urlsplit(target)
            if parts.scheme != "http" or not parts.hostname:
                await _reply(writer, 400, f"not an absolute http URL: {target[:200]}")
                return
            host, port = parts.hostname, parts.port or 80
            shown = target
        if not host or not port:
            await _reply(writer, 400, f"bad destination {target[:200]}")
            return
        try:
            addresses = await self.guard.resolve(host, port)
        except RefusedAddress as exc:
            self.guard.record(f"refused {shown[:200]}: {exc}")
            await _reply(writer, 403, f"refused by the crawl's egress guard: {exc}")
            return
        except OSError as exc:
            await _reply(writer, 502, f"cannot resolve {host}: {exc}")
            return
        upstream = await self._connect(addresses, port)
        if upstream is None:
            await _reply(writer, 502, f"cannot connect to {host}:{port}")
            return
        up_reader, up_writer = upstream
        try:
            if method == "CONNECT":
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                await writer.drain()
                await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            else:
                up_writer.write(_origin_request(method, target, version, header_lines))
                await up_writer.drain()
                await self._relay_response(reader, up_reader, up_writer, writer)
        finally:
            up_writer.close()

    async def _connect(
        self, addresses: list[Address], port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        for address in addresses:  # each one checked by resolve()
            try:
                return await asyncio.wait_for(asyncio.open_connection(str(address), port), self.timeout)
            except (OSError, TimeoutError):
                continue
        return None

    async def _relay_response(
        self,
        client: asyncio.StreamReader,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
        writer: asyncio.StreamWriter,
    ) -> None:
        """Send the request body up while the response comes down; one request per connection.

        The response is told "Connection: close", so the browser never sends a second request
        (maybe for another host) down a connection already joined to this one.
        """
        body = asyncio.ensure_future(self._pipe(client, up_writer))
        try:
            head = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), self.timeout)
            writer.write(_closing_response_head(head))
            await self._pipe(up_reader, writer)
        finally:
            body.cancel()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await body

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await asyncio.wait_for(reader.read(65536), self.timeout):
                writer.write(data)
                await writer.drain()
        except (OSError, TimeoutError):
            pass
        finally:
            if writer.can_write_eof() and not writer.is_closing():
                with contextlib.suppress(OSError):
                    writer.write_eof()


def _host_port(target: str) -> tuple[str, int]:
    """CONNECT's authority: host:port or [v6]:port; ("", 0) when unreadable."""
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        return "", 0
    return host.strip("[]").lower(), int(port)


def _origin_request(method: str, target: str, version: str, header_lines: list[str]) -> bytes:
    parts = urlsplit(target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {path} {version}"]
    lines += [line for line in header_lines if line and line.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _closing_response_head(head: bytes) -> bytes:
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    kept = [line for line in header_lines if line and line.split(":", 1)[0].strip().lower() not in _HOP_HEADERS]
    return ("\r\n".join([status_line, *kept, "Connection: close", "Proxy-Connection: close"]) + "\r\n\r\n").encode(
        "latin-1"
    )


async def _reply(writer: asyncio.StreamWriter, status: int, text: str) -> None:
    reason = {400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway"}[status]
    body = text.encode()
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(OSError):
        await writer.drain()
