"""The web surface over plain HTTP, no browser: every page and asset is embedded in the binary and served with its
content type, `Cache-Control: no-cache` and an entity tag that turns a revalidation into a bodiless 304; the status
JSON has the documented shape.
"""

import json
import pathlib
import urllib.error
import urllib.request

import pytest

WEB = pathlib.Path(__file__).resolve().parents[2] / "Web"

# Path served, content type, and the file of Web/ it must be byte for byte (embedded by scripts/generate-assets).
ASSETS = [
    ("/", "text/html; charset=utf-8", "chat.html"),
    ("/status", "text/html; charset=utf-8", "status.html"),
    ("/assets/app.css", "text/css; charset=utf-8", "app.css"),
    ("/assets/socket-client.js", "text/javascript; charset=utf-8", "socket-client.js"),
    ("/assets/chat.js", "text/javascript; charset=utf-8", "chat.js"),
    ("/assets/status.js", "text/javascript; charset=utf-8", "status.js"),
    ("/favicon.svg", "image/svg+xml", "favicon.svg"),
]


def get(server, path, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def server():
    from conftest import Switchboard

    running = Switchboard()
    yield running
    assert running.stop() == 0


@pytest.mark.parametrize("path,content_type,name", ASSETS)
def test_asset_is_served_with_caching_headers(server, path, content_type, name):
    status, headers, body = get(server, path)
    assert status == 200
    assert headers["Content-Type"] == content_type
    assert headers["Cache-Control"] == "no-cache"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert body == (WEB / name).read_bytes()
    tag = headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34

    status, headers, body = get(server, path, {"If-None-Match": tag})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == tag
    status, _, _ = get(server, path, {"If-None-Match": f'"other", W/{tag}'})
    assert status == 304
    status, _, body = get(server, path, {"If-None-Match": '"other"'})
    assert status == 200 and body == (WEB / name).read_bytes()


def test_pages_reference_only_embedded_assets(server):
    served = {path for path, _, _ in ASSETS}
    for page in ("/", "/status"):
        _, _, body = get(server, page)
        text = body.decode()
        for attribute in ("src", "href"):
            for chunk in text.split(f'{attribute}="')[1:]:
                target = chunk.split('"', 1)[0]
                assert target in served, f"{page} references {target}, which is not embedded"


def test_status_json(server):
    status, headers, body = get(server, "/api/status")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    snapshot = json.loads(body)
    assert isinstance(snapshot["uptimeSeconds"], int)
    assert snapshot["rooms"] == []
    assert set(snapshot["turn"]) == {"allocations", "packetsToPeer", "bytesToPeer", "packetsToClient", "bytesToClient"}
