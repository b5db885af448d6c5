"""One TCP port for everything (shared.port): the same port serves TURN over TLS and over TCP to coturn's
turnutils_uclient with no loss, HTTPS and HTTP pages to curl, and Socket.IO over HTTPS (polling and WebSocket) to
python-socketio 5 and 4 and the official JavaScript client; what the port does not accept, or cannot recognise, is
closed."""

import os
import socket
import subprocess
import time

import pytest
import requests
import socketio

from conftest import TURN_ARGS, free_port
from test_dialect_legacy import WEBRTCROOM
from test_socketio_js import client_dir, run_official_client  # noqa: F401 (client_dir is a fixture)
from test_dialect_legacy import run as run_legacy
from rawstun import BINDING, REQUEST, XOR_MAPPED_ADDRESS, Client, Message
from test_turn_tls import certificate, uclient_tls
from test_turn_uclient import assert_no_loss, uclient


def wait_for_shared_port(server, port, timeout=30):
    deadline = time.monotonic() + timeout
    while not any("shared port listening" in line and f":{port}" in line for line in server.log().splitlines()):
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)


@pytest.fixture
def shared(start_switchboard, tmp_path):
    port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(args=[*TURN_ARGS, *certificate(tmp_path), "--set", f"shared.port={port}"])
    server.shared_port = port
    wait_for_shared_port(server, port)
    return server


class SharedPortServer:
    """Lets test_turn_uclient's helper aim at the shared port."""

    def __init__(self, port):
        self.stun_port = port


def test_uclient_over_tls_on_the_shared_port(shared, peer):
    output = uclient_tls(shared.shared_port, "-u", "bench", "-w", "benchpass", "-X", "-c", "-m", "2", "-n", "30", peer=peer)
    assert_no_loss(output, 2 * 30)
    assert shared.metric("switchboard_shared_port_connections_total", protocol="turns") >= 2
    assert shared.metric("switchboard_shared_port_connections_total", protocol="https") == 0


def test_uclient_over_plain_tcp_on_the_shared_port(shared, peer):
    output = uclient(
        SharedPortServer(shared.shared_port), "-t", "-u", "bench", "-w", "benchpass", "-X", "-c", "-m", "2", "-n", "30",
        peer=peer,
    )
    assert_no_loss(output, 2 * 30)


@pytest.mark.parametrize("scheme, flags", [("https", ["-k"]), ("http", [])])
def test_curl_gets_the_page_on_the_shared_port(shared, scheme, flags):
    result = subprocess.run(
        ["curl", "-sS", *flags, "-o", "-", "-w", "\n%{http_code}", f"{scheme}://127.0.0.1:{shared.shared_port}/"],
        capture_output=True, text=True, timeout=30,
    )
    body, _, status = result.stdout.rpartition("\n")
    assert status == "200", result.stdout + result.stderr
    with open_page(shared) as expected:
        assert body == expected


class open_page:
    """The page as the HTTP port serves it."""

    def __init__(self, server):
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/", timeout=10) as response:
            self.body = response.read().decode()

    def __enter__(self):
        return self.body

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("transports", [["polling"], ["websocket"], ["polling", "websocket"]])
def test_socketio_over_https_on_the_shared_port(shared, transports, tmp_path):
    # Polling trusts the test certificate through the requests session; the WebSocket skips verification.
    session = requests.Session()
    session.verify = str(tmp_path / "cert.pem")
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would win over session.verify
    client = socketio.Client(reconnection=False, http_session=session, ssl_verify=False)
    received = []
    client.on("iceServers", lambda payload: received.append(payload))
    client.connect(f"https://127.0.0.1:{shared.shared_port}", transports=transports, wait_timeout=10)
    try:
        client.emit("join", {"id": "id-ann", "username": "ann", "roomname": "shared"})
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert received, "no iceServers event after join"
        assert client.transport() == transports[-1]
        urls = received[0]["iceServers"][1]["urls"]
        assert urls[-1] == f"turns:127.0.0.1:{shared.shared_port}?transport=tcp", urls
    finally:
        client.disconnect()


def test_legacy_socketio_4_clients_over_https_on_the_shared_port(shared):
    # python-socketio 4.6.1 (Engine.IO v3) runs the WebRtcRoom flow of test_dialect_legacy: polling then the WebSocket
    # upgrade, rooms, offers and exits, all through the sniffed TLS connections of the one port.
    run_legacy(WEBRTCROOM, f"https://127.0.0.1:{shared.shared_port}")


@pytest.mark.parametrize("mode", ["polling", "websocket", "upgrade"])
def test_official_javascript_client_over_https_on_the_shared_port(start_switchboard, client_dir, tmp_path, mode):
    # The conformance app's events (test_socketio_js.py); Node trusts the test certificate through NODE_EXTRA_CA_CERTS,
    # which covers both its https module (polling) and its built-in WebSocket.
    port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=["--set", "signaling.testApp=true", *certificate(tmp_path), "--set", f"shared.port={port}"]
    )
    wait_for_shared_port(server, port)
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(tmp_path / "cert.pem")}
    run_official_client(client_dir, f"https://127.0.0.1:{port}", mode, server, env=env)


def test_binding_in_the_clear_on_the_shared_port(shared):
    client = Client(shared.shared_port, tcp=True)
    try:
        assert client.transact(Message(BINDING, REQUEST)).get(XOR_MAPPED_ADDRESS) is not None
    finally:
        client.close()


def test_unrecognised_and_refused_protocols_are_closed(start_switchboard, tmp_path):
    port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=[*certificate(tmp_path), "--set", f"shared.port={port}", "--set", "shared.protocols=https,turns",
              "--set", "shared.sniffTimeoutSeconds=1"]
    )
    wait_for_shared_port(server, port)
    for first_bytes in (b"SSH-2.0-OpenSSH\r\n", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Message(BINDING, REQUEST).encode()):
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(first_bytes)
            sock.settimeout(30)
            assert sock.recv(100) == b"", first_bytes
    # Silence is closed after the sniff timeout.
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(30)
        assert sock.recv(100) == b""
    assert server.process.poll() is None
    # SSH's 'S' could begin ChannelData, so it counts with the cleartext TURN and HTTP that are not accepted here.
    assert server.metric("switchboard_shared_port_closed_total", reason="not_accepted") == 3
    assert server.metric("switchboard_shared_port_closed_total", reason="sniff_timeout") == 1
    assert server.metric("switchboard_shared_port_connections_total", protocol="turn") == 0


def test_graceful_stop_with_shared_port_connections_open(shared):
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    held = []
    # A kept-alive HTTPS connection after one request, a TLS TURN connection, a cleartext one still being sniffed.
    https = context.wrap_socket(socket.create_connection(("127.0.0.1", shared.shared_port)))
    https.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert https.recv(100).startswith(b"HTTP/1.1 200")
    held.append(https)
    turns = context.wrap_socket(socket.create_connection(("127.0.0.1", shared.shared_port)))
    turns.sendall(Message(BINDING, REQUEST).encode())
    assert turns.recv(100)[:2] == b"\x01\x01"
    held.append(turns)
    held.append(socket.create_connection(("127.0.0.1", shared.shared_port)))
    try:
        assert shared.stop() == 0
    finally:
        for sock in held:
            sock.close()


def test_connections_being_sniffed_are_capped_and_released(start_switchboard, tmp_path):
    port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=[*certificate(tmp_path), "--set", f"shared.port={port}", "--set", "stun.tcpMaxConnectionsPerAddress=2"]
    )
    wait_for_shared_port(server, port)
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    try:
        with socket.create_connection(("127.0.0.1", port)) as third:
            third.settimeout(30)
            assert third.recv(100) == b""
        assert server.metric("switchboard_shared_port_closed_total", reason="over_cap") == 1
    finally:
        for sock in silent:
            sock.close()
    # Closing them gives their places back.
    deadline = time.monotonic() + 10
    while True:
        client = Client(port, tcp=True)
        try:
            assert client.transact(Message(BINDING, REQUEST)).get(XOR_MAPPED_ADDRESS) is not None
            break
        except (ConnectionError, OSError):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        finally:
            client.close()
