"""The page's web server, served for real on a loopback socket."""
import http.client
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from app.server import WEB_ROOT, DataStore, make_app

TOKEN = "s3cret-token"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served():
    data = DataStore(capacity=3)
    server = make_server("127.0.0.1", 0, make_app(data, TOKEN), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def get(path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, response.getheader("Content-Type"), body

    yield data, get
    server.shutdown()
    server.server_close()


def test_serves_the_page_and_its_modules(served):
    _, get = served
    status, kind, body = get("/")
    assert status == 200 and kind.startswith("text/html")
    assert body == (WEB_ROOT / "index.html").read_bytes()
    status, kind, _ = get("/main.js")
    assert status == 200 and kind.startswith("text/javascript")  # ES modules need a JS type


@pytest.mark.parametrize("path", ["/../pyproject.toml", "/%2e%2e/pyproject.toml",
                                  "/..%2fpyproject.toml", "/nonexistent.js", "/data"])
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
