"""The HTTP side of "safe on the internet", against the real binary.

- `GET /api/ice-servers` is off by default; when on it needs a bearer token or an allowed Origin, names the caller
  with a stable identity, and is rate-limited per client address (429, counted in /metrics).
- `/status`, `/api/status` and `/metrics` answer a client that is not on loopback only with an admin token, on the
  plain and the TLS port alike; with `admin.port` they are served there and only there.
- A forged Host header is not reflected into the stun:/turn: URLs handed out.

A client that is not on loopback is a real one: it runs in a network namespace joined to this one by a veth pair
(`ip netns`, root needed). Where namespaces cannot be made those tests are skipped and say why.
"""

import json
import os
import random
import re
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import socketio
import websocket
from conftest import ROOT, free_port

API_TOKEN = "interop-api-token-aaaaaaaaaaaa"
SECOND_API_TOKEN = "interop-api-token-bbbbbbbbbbbb"
ADMIN_TOKEN = "interop-admin-token-cccccccccccc"
OPERATOR_PATHS = ("/status", "/api/status", "/metrics")


def get(url, headers=None, context=None):
    """(status, headers, body) of a GET from this namespace (loopback)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# Runs inside the namespace: one GET, printed as JSON.
OUTSIDE_GET = r"""
import json, ssl, sys, urllib.error, urllib.request
url, headers = sys.argv[1], json.loads(sys.argv[2])
context = ssl._create_unverified_context()
try:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10, context=context) as r:
        status, body, header = r.status, r.read(), dict(r.headers)
except urllib.error.HTTPError as error:
    status, body, header = error.code, error.read(), dict(error.headers)
print(json.dumps({"status": status, "headers": header, "body": body.decode("utf-8", "replace")}))
"""


class Outside:
    """A network namespace with one veth to this one: `address` here, `client_address` there."""

    def __init__(self):
        suffix = f"{os.getpid() % 100000}{random.randrange(100)}"
        self.namespace = f"sbsec{suffix}"
        self.host_link = f"sbh{suffix}"
        third = random.randrange(1, 250)
        self.address = f"10.231.{third}.1"
        self.client_address = f"10.231.{third}.2"
        commands = [
            ["ip", "netns", "add", self.namespace],
            ["ip", "link", "add", self.host_link, "type", "veth", "peer", "name", f"sbc{suffix}"],
            ["ip", "link", "set", f"sbc{suffix}", "netns", self.namespace],
            ["ip", "addr", "add", f"{self.address}/30", "dev", self.host_link],
            ["ip", "link", "set", self.host_link, "up"],
            ["ip", "-n", self.namespace, "addr", "add", f"{self.client_address}/30", "dev", f"sbc{suffix}"],
            ["ip", "-n", self.namespace, "link", "set", f"sbc{suffix}", "up"],
            ["ip", "-n", self.namespace, "link", "set", "lo", "up"],
        ]
        for command in commands:
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                self.close()
                raise OSError(f"{' '.join(command)}: {result.stderr.strip()}")

    def get(self, url, headers=None):
        result = subprocess.run(
            ["ip", "netns", "exec", self.namespace, sys.executable, "-c", OUTSIDE_GET, url, json.dumps(headers or {})],
            capture_output=True, text=True, timeout=30,
        )
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        return answer["status"], answer["headers"], answer["body"]

    def close(self):
        subprocess.run(["ip", "link", "del", self.host_link], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True)


@pytest.fixture(scope="module")
def outside():
    try:
        namespace = Outside()
    except OSError as error:
        pytest.skip(f"no network namespace for a non-loopback client (needs root and ip netns): {error}")
    yield namespace
    namespace.close()


def start_retrying(start_switchboard, make_args):
    """Starts a server with `make_args()`, again with fresh ports when one was taken in between (the machine is
    shared: a port free when picked may be bound by another process before the server binds it)."""
    for attempt in range(5):
        try:
            return start_switchboard(args=make_args())
        except RuntimeError as error:
            if "Address already in use" not in str(error) or attempt == 4:
                raise


def api_args(*extra):
    return ["--set", "ice.api.enabled=true", "--set", f"ice.api.tokens={API_TOKEN},{SECOND_API_TOKEN}", *extra]


def identity(body):
    """The user part of the TURN REST username in an ICE servers payload."""
    turn_entry = json.loads(body)["iceServers"][1]
    expiry, user = turn_entry["username"].split(":", 1)
    assert re.fullmatch(r"\d+", expiry)
    return user


# ---- GET /api/ice-servers ---------------------------------------------------------------------------------------


def test_ice_api_is_off_by_default(start_switchboard):
    server = start_switchboard()
    status, _, body = get(f"http://127.0.0.1:{server.http_port}/api/ice-servers")
    assert status == 404
    assert b"ice.api.enabled" in body and b"credential" not in body
    # Even a token opens nothing while the API is off.
    status, _, _ = get(f"http://127.0.0.1:{server.http_port}/api/ice-servers", {"Authorization": f"Bearer {API_TOKEN}"})
    assert status == 404
    assert server.metric("switchboard_ice_api_requests_total", outcome="disabled") == 2


def test_ice_api_tokens_give_one_stable_identity_each(start_switchboard):
    server = start_switchboard(args=api_args())
    url = f"http://127.0.0.1:{server.http_port}/api/ice-servers"
    identities = []
    for _ in range(3):
        status, headers, body = get(url, {"Authorization": f"Bearer {API_TOKEN}"})
        assert status == 200 and headers["Cache-Control"] == "no-store"
        identities.append(identity(body))
    assert identities == ["api-0"] * 3  # never a fresh user per request
    status, _, body = get(url, {"Authorization": f"bearer {SECOND_API_TOKEN}"})
    assert status == 200 and identity(body) == "api-1"
    assert server.metric("switchboard_ice_api_requests_total", outcome="served") == 4


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-but-long-enough"}, {"Authorization": f"Basic {API_TOKEN}"},
     {"Authorization": f"Bearer {API_TOKEN}x"}],
)
def test_ice_api_refuses_missing_and_wrong_tokens(start_switchboard, headers):
    server = start_switchboard(args=api_args())
    status, answer_headers, body = get(f"http://127.0.0.1:{server.http_port}/api/ice-servers", headers)
    assert status == 401
    assert answer_headers["WWW-Authenticate"].startswith("Bearer")
    assert b"credential" not in body
    assert server.metric("switchboard_ice_api_requests_total", outcome="unauthorized") == 1


def test_ice_api_allowed_origins(start_switchboard):
    server = start_switchboard(args=api_args("--set", "ice.api.allowedOrigins=https://app.example.org"))
    url = f"http://127.0.0.1:{server.http_port}/api/ice-servers"
    status, headers, body = get(url, {"Origin": "https://app.example.org"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert identity(body) == "api-app.example.org"
    status, headers, body = get(url, {"Origin": "https://evil.example"})
    assert status == 403 and headers["Access-Control-Allow-Origin"] is None and b"credential" not in body
    assert server.metric("switchboard_ice_api_requests_total", outcome="forbidden_origin") == 1


def test_ice_api_rate_limit_per_client_address(start_switchboard, outside):
    server = start_retrying(
        start_switchboard, lambda: api_args("--set", "ice.api.requestsPerMinute=3", "--set", "http.host=0.0.0.0")
    )
    url = f"http://127.0.0.1:{server.http_port}/api/ice-servers"
    token = {"Authorization": f"Bearer {API_TOKEN}"}
    statuses = [get(url, token)[0] for _ in range(3)]
    status, headers, body = get(url, token)
    assert statuses == [200, 200, 200] and status == 429
    assert headers["Retry-After"] == "60" and b"credential" not in body
    # Refused requests count too (they would otherwise let a client guess tokens at full speed).
    assert get(url, {"Authorization": "Bearer wrong-token-but-long-enough"})[0] == 429
    assert server.metric("switchboard_ice_api_requests_total", outcome="rate_limited") == 2
    assert server.metric("switchboard_ice_api_requests_total", outcome="served") == 3
    # Another client address has its own allowance.
    status, _, body = outside.get(f"http://{outside.address}:{server.http_port}/api/ice-servers", token)
    assert status == 200 and identity(body.encode()) == "api-0"


# ---- Operator endpoints -----------------------------------------------------------------------------------------


def join_room(server, room):
    """A chatroom member in `room` (so /api/status has something to leak); returns the connected client."""
    client = socketio.Client(reconnection=False)
    got_ice = []
    client.on("iceServers", lambda payload: got_ice.append(payload))
    client.connect(f"http://127.0.0.1:{server.http_port}", transports=["websocket"], wait_timeout=10)
    client.emit("join", {"id": "id-mallory-target", "username": "target-user", "roomname": room})
    deadline = time.monotonic() + 10
    while not got_ice and time.monotonic() < deadline:
        time.sleep(0.05)
    assert got_ice, "no iceServers after join"
    return client


def test_operator_endpoints_need_loopback_or_an_admin_token(start_switchboard, outside):
    server = start_retrying(
        start_switchboard, lambda: ["--set", "http.host=0.0.0.0", "--set", f"admin.tokens={ADMIN_TOKEN}"]
    )
    member = join_room(server, "secret-room")
    try:
        base = f"http://{outside.address}:{server.http_port}"
        for path in OPERATOR_PATHS:
            status, _, body = outside.get(base + path)
            assert status == 403, path
            assert "secret-room" not in body and "target-user" not in body and "switchboard_" not in body
            status, _, body = outside.get(base + path, {"Authorization": "Bearer wrong-token-but-long-enough"})
            assert status == 401 and "secret-room" not in body, path
            status, _, body = outside.get(base + path, {"Authorization": f"Bearer {ADMIN_TOKEN}"})
            assert status == 200, path
        status, _, body = outside.get(base + "/api/status", {"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert json.loads(body)["rooms"][0]["name"] == "secret-room"
        # X-Forwarded-For names no loopback client: the TCP peer decides.
        status, _, _ = outside.get(base + "/metrics", {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1"})
        assert status == 403
        # The public page and the health check need nothing.
        assert outside.get(base + "/")[0] == 200
        assert outside.get(base + "/healthz")[0] == 200
        # Loopback clients are served without a token (the existing tests and a local Prometheus rely on it).
        for path in OPERATOR_PATHS:
            assert get(f"http://127.0.0.1:{server.http_port}{path}")[0] == 200, path
        assert server.metric("switchboard_admin_refused_total", reason="forbidden") == 4
        assert server.metric("switchboard_admin_refused_total", reason="bad_token") == 3
    finally:
        member.disconnect()


def test_tls_port_applies_the_same_rules(start_switchboard, outside, tmp_path):
    subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(tmp_path)], check=True, capture_output=True)
    ports = []

    def args():
        ports.append(free_port(socket.SOCK_STREAM, socket.SOCK_STREAM))
        return [
            "--set", "http.host=0.0.0.0", "--set", f"tls.port={ports[-1]}", "--set", f"admin.tokens={ADMIN_TOKEN}",
            "--set", f"tls.certificateFile={tmp_path / 'cert.pem'}",
            "--set", f"tls.privateKeyFile={tmp_path / 'key.pem'}",
        ]

    server = start_retrying(start_switchboard, args)
    tls_port = ports[-1]
    base = f"https://{outside.address}:{tls_port}"
    assert outside.get(base + "/healthz")[0] == 200
    assert outside.get(base + "/api/status")[0] == 403
    assert outside.get(base + "/api/status", {"Authorization": f"Bearer {ADMIN_TOKEN}"})[0] == 200
    assert outside.get(base + "/api/ice-servers")[0] == 404
    context = ssl._create_unverified_context()
    assert get(f"https://127.0.0.1:{tls_port}/api/status", context=context)[0] == 200
    assert server.process.poll() is None


def test_admin_port_serves_the_operator_endpoints_there_only(start_switchboard):
    ports = []

    def args():
        ports.append(free_port(socket.SOCK_STREAM, socket.SOCK_STREAM))
        return ["--set", f"admin.port={ports[-1]}", "--set", f"admin.tokens={ADMIN_TOKEN}"]

    server = start_retrying(start_switchboard, args)
    admin_port = ports[-1]
    admin = f"http://127.0.0.1:{admin_port}"
    status, headers, body = get(admin + "/metrics")
    assert status == 200 and b"switchboard_" in body
    assert get(admin + "/api/status")[0] == 200
    status, _, body = get(admin + "/status")
    assert status == 200 and b"/assets/status.js" in body
    for asset in ("/assets/status.js", "/assets/app.css", "/favicon.svg"):
        assert get(admin + asset)[0] == 200, asset
    # The admin server serves nothing else.
    assert get(admin + "/")[0] == 404
    assert get(admin + "/api/ice-servers")[0] == 404
    # The main port no longer serves them, not even to loopback or with a token.
    main = f"http://127.0.0.1:{server.http_port}"
    for path in OPERATOR_PATHS:
        status, _, body = get(main + path, {"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert status == 404 and b"admin.port" in body and b"switchboard_" not in body, path
    assert get(main + "/healthz")[0] == 200
    assert "admin HTTP listening" in server.log()


# ---- Host header ------------------------------------------------------------------------------------------------


def test_a_forged_host_is_not_reflected(start_switchboard):
    server = start_switchboard(args=api_args())
    url = f"http://127.0.0.1:{server.http_port}/api/ice-servers"
    token = {"Authorization": f"Bearer {API_TOKEN}"}
    status, _, body = get(url, {**token, "Host": "evil.example:3000"})
    assert status == 200
    urls = [u for entry in json.loads(body)["iceServers"] for u in entry["urls"]]
    assert urls and all("evil" not in u for u in urls)
    assert urls[0] == f"stun:127.0.0.1:{server.stun_port}"  # the listening address
    # The server's own names are kept.
    status, _, body = get(url, {**token, "Host": f"localhost:{server.http_port}"})
    assert json.loads(body)["iceServers"][0]["urls"] == [f"stun:localhost:{server.stun_port}"]
    # The credentials handed out on join follow the same rule (dialect C over a plain WebSocket).
    ws = websocket.create_connection(f"ws://127.0.0.1:{server.http_port}/ws", timeout=10, host="evil.example")
    try:
        ws.send(json.dumps({"type": "join", "id": "a", "nick": "A"}))
        ice = json.loads(ws.recv())
        assert ice["type"] == "iceServers"
        assert ice["iceServers"][0]["urls"] == [f"stun:127.0.0.1:{server.stun_port}"]
    finally:
        ws.close()


def test_allowed_hosts_and_public_address(start_switchboard):
    server = start_switchboard(args=api_args("--set", "http.allowedHosts=chat.example.org"))
    url = f"http://127.0.0.1:{server.http_port}/api/ice-servers"
    token = {"Authorization": f"Bearer {API_TOKEN}"}
    _, _, body = get(url, {**token, "Host": "chat.example.org"})
    assert json.loads(body)["iceServers"][0]["urls"] == [f"stun:chat.example.org:{server.stun_port}"]
    public = start_switchboard(args=api_args("--set", "ice.publicAddress=203.0.113.7"))
    _, _, body = get(f"http://127.0.0.1:{public.http_port}/api/ice-servers", {**token, "Host": "localhost"})
    assert json.loads(body)["iceServers"][0]["urls"] == [f"stun:203.0.113.7:{public.stun_port}"]
