"""The page's web server, served for real on a loopback socket."""

import http.client
import socket
import time

import pytest

from app.compute.playback import AudioChunks
from app.document.datastore import DataStore
from app.shell.server import WEB_ROOT, PageServer, make_app

TOKEN = "s3cret-token"


READ_TIMEOUT = 0.5  # short, so that the test of a half-sent request is quick


@pytest.fixture
def served():
    data = DataStore(capacity=3)
    server = PageServer(make_app(data, TOKEN), read_timeout=READ_TIMEOUT)

    def get(path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, response.getheader("Content-Type"), body

    get.port = server.port
    yield data, get
    server.close()


def test_serves_the_page_and_its_modules(served):
    _, get = served
    status, kind, body = get("/")
    assert status == 200 and kind.startswith("text/html")
    assert body == (WEB_ROOT / "index.html").read_bytes()
    status, kind, _ = get("/main.js")
    assert status == 200 and kind.startswith("text/javascript")  # ES modules need a JS type


@pytest.mark.parametrize(
    "path",
    [
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/..%2fpyproject.toml",
        "/nonexistent.js",
        "/data",
    ],
)
def test_nothing_outside_web_is_served(served, path):
    _, get = served
    status, _, body = get(path)
    assert status == 404
    assert b"[project]" not in body


def test_data_needs_the_token(served):
    data, get = served
    data.put("img-1", b"\x00\x01\x02")
    assert get("/data/img-1")[0] == 403
    assert get("/data/img-1", {"X-Soma-Token": "wrong"})[0] == 403
    status, kind, body = get("/data/img-1", {"X-Soma-Token": TOKEN})
    assert (status, kind, body) == (200, "application/octet-stream", b"\x00\x01\x02")
    assert get("/data/img-2", {"X-Soma-Token": TOKEN})[0] == 404


def test_data_store_drops_the_oldest_past_its_capacity(served):
    data, get = served
    for i in range(5):
        data.put(f"k{i}", bytes([i]))
    assert len(data) == 3
    assert data.get("k0") is None and data.get("k1") is None
    assert get("/data/k4", {"X-Soma-Token": TOKEN})[2] == b"\x04"


@pytest.fixture
def served_audio():
    """The server with a document open (2 s of silence at 1 kHz, two partials) on /audio."""
    from test_playback import _store

    server = PageServer(
        make_app(DataStore(), TOKEN, AudioChunks(_store())), read_timeout=READ_TIMEOUT
    )
    yield server.port
    server.close()


def _raw(port, request: bytes, timeout=10.0) -> bytes:
    """Send `request` as it is on a raw socket; what the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def _status_and_body(answer: bytes):
    """The status code and body of a reply. A request line too broken to tell its HTTP
    version gets an HTTP/0.9 reply, the body alone, which here starts with the code."""
    if not answer.startswith(b"HTTP/"):
        return int(answer.split(b" ", 1)[0]), answer
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/index.html%00.js",
        "/a%00b/main.js",
        "/" + "x" * 300,
        "/" + "x" * 300 + "/main.js",
        "/%ff%fe.js",
    ],
)
def test_a_path_no_file_can_have_is_a_short_4xx(served, path):
    _, get = served
    status, kind, body = get(path)
    assert 400 <= status < 500 and kind.startswith("text/plain")
    assert len(body) < 200 and b"Traceback" not in body and b"Error" not in body


@pytest.mark.parametrize("start", ["1e308", "-0", "1e-320", "99999999999"])
def test_audio_from_any_start_is_a_chunk_never_a_500(served_audio, start):
    answer = _raw(
        served_audio,
        f"GET /audio?start={start}&seconds=0.5 HTTP/1.0\r\nX-Soma-Token: {TOKEN}\r\n\r\n".encode(),
    )
    status, body = _status_and_body(answer)
    assert status == 200, answer
    assert len(body) % 4 == 0 and len(body) <= 500 * 4


@pytest.mark.parametrize(
    "sent",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/x.y\r\n\r\n",
        b"GET /" + b"x" * 70000 + b"\r\n\r\n",
        b"GET / HTTP/1.0\r\n" + b"X-A: b\r\n" * 200 + b"\r\n",
        b"BREW / HTTP/1.0\r\n\r\n",
    ],
)
def test_a_malformed_request_is_a_short_plain_4xx(served, sent):
    _, get = served
    status, body = _status_and_body(_raw(get.port, sent))
    assert 400 <= status < 500, body
    assert len(body) < 200 and b"<" not in body


@pytest.mark.parametrize("part", [b"", b"GE", b"GET / HTTP/1.0\r\n", b"GET / HTTP/1.0\r\nHost: x"])
def test_a_half_sent_request_is_dropped_after_the_read_timeout(served, part):
    _, get = served
    started = time.monotonic()
    # The client's own timeout fails the test, rather than hangs it, if the server waits on.
    with socket.create_connection(("127.0.0.1", get.port), timeout=10 * READ_TIMEOUT + 5) as c:
        c.sendall(part)
        assert c.recv(65536) == b""  # the server closed the connection
    assert time.monotonic() - started >= READ_TIMEOUT * 0.9
    assert get("/")[0] == 200  # and goes on serving
