"""The page's own web server: web/ as static files, and binary results on /data/<key>.

`PageServer` serves the WSGI app of `make_app` on 127.0.0.1 with a free port, and the window
loads its url. Soma runs it rather than pywebview (which serves a WSGI app passed as the
window url) because pywebview's server has no read timeout: a client that sends half a
request and stops would hold a thread for ever.
Spectrogram images travel as raw bytes over this route because pywebview's js_api returns go
through json.dumps and evaluate_js: measured 36 ms for a 512x1200 float32 image fetched here
against 210 ms as base64 and 1.24 s as a JSON list. Data routes demand pywebview's per-run
token so that no other local program can read the user's audio analysis.
"""

from __future__ import annotations

import hmac
import logging
import mimetypes
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from app.document.datastore import DataStore

log = logging.getLogger(__name__)

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
TOKEN_HEADER = "HTTP_X_SOMA_TOKEN"  # the page sends it as the X-Soma-Token request header
# The page's requests arrive whole at once over loopback; a request still incomplete after
# this long is from a client that stopped, and its connection is closed.
READ_TIMEOUT_SECONDS = 10.0

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


StartResponse = Callable[[str, list], object]
AudioSource = Callable[[dict], bytes]


def make_app(
    data: DataStore, token: str, audio: AudioSource | None = None, web_root: Path = WEB_ROOT
):
    """A WSGI application serving `web_root` at /, `data` at /data/<key> and, with `audio`,
    chunks of sound at /audio?start=...: `audio(query)` returns the bytes, and raises
    ValueError for a bad query (400) or LookupError when there is nothing to play (404)."""
    root = web_root.resolve()

    def respond(
        start_response: StartResponse,
        status: str,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
    ) -> Iterable[bytes]:
        # no-store: dev mode reloads the page after an edit and must get the new files.
        start_response(
            status,
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    def app(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return respond(start_response, "405 Method Not Allowed", b"method not allowed")
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/data/") or path == "/audio":
            sent = environ.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(sent.encode(), token.encode()):
                return respond(start_response, "403 Forbidden", b"missing or wrong token")
        if path == "/audio" and audio is not None:
            query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            try:
                body = audio(query)
            except ValueError as error:
                return respond(start_response, "400 Bad Request", str(error).encode())
            except LookupError as error:
                return respond(start_response, "404 Not Found", str(error).encode())
            return respond(start_response, "200 OK", body, "application/octet-stream")
        if path.startswith("/data/"):
            item = data.get(path[len("/data/") :])
            if item is None:
                return respond(start_response, "404 Not Found", b"no such result")
            return respond(start_response, "200 OK", item[0], item[1])

        relative = "index.html" if path in ("", "/") else path.lstrip("/")
        try:
            target = (root / relative).resolve()
            body = target.read_bytes() if target.is_relative_to(root) and target.is_file() else None
        except (OSError, ValueError):  # a NUL byte, a name over NAME_MAX: no file has it
            body = None
        if body is None:
            return respond(start_response, "404 Not Found", b"not found")
        content_type = (
            _CONTENT_TYPES.get(target.suffix)
            or mimetypes.guess_type(target.name)[0]
            or "application/octet-stream"
        )
        return respond(start_response, "200 OK", body, content_type)

    return app


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler with a read timeout, errors as short plain text (its own are an
    HTML page) and its log in Soma's log rather than on stderr."""

    error_message_format = "%(code)d %(message)s\n"
    error_content_type = "text/plain; charset=utf-8"

    def handle(self) -> None:
        try:
            super().handle()
        except TimeoutError:  # the client stopped mid-request: drop the connection
            log.debug("request from %s incomplete after %g s", self.client_address[0], self.timeout)

    def log_message(self, format: str, *args) -> None:
        log.debug("page server: " + format, *args)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a request in progress must not keep Soma from exiting


class PageServer:
    """`app` served on 127.0.0.1 on a free port, each request on a thread of its own, until
    `close()`; a request that has not arrived whole within `read_timeout` seconds is dropped."""

    def __init__(self, app, read_timeout: float = READ_TIMEOUT_SECONDS) -> None:
        if not read_timeout > 0:
            raise ValueError(f"read_timeout must be positive, not {read_timeout}")
        handler = type("RequestHandler", (_RequestHandler,), {"timeout": read_timeout})
        self._server = make_server(
            "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=handler
        )
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="soma-page-server", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
