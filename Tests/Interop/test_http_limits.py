"""Connection limits against the real binary: HTTP head and idle timeouts, 400 for a malformed head, connection and
Engine.IO session caps per client address, the STUN/TCP framing timeout and caps, and a connection flood under a
lowered file descriptor limit (the accept loop pauses instead of spinning; UDP, /healthz and Engine.IO still answer).

Every wait below is a socket timeout far longer than the configured limit; no test asserts how long anything took.
Loopback addresses other than 127.0.0.1 (127.0.0.5, 127.0.1.x) act as other clients: Linux routes all of
127.0.0.0/8 to the loopback interface, so a socket bound to one connects to a server on 127.0.0.1.
"""

import json
import os
import pathlib
import socket
import ssl
import struct
import subprocess
import time
import urllib.error
import urllib.request

import conftest
import pytest
import socketio
from conftest import ROOT, TURN_ARGS, free_port
from rawstun import ALLOCATE, REQUESTED_TRANSPORT, SUCCESS, Client, long_term_key

MAGIC_COOKIE = 0x2112A442


def connect(port, source="127.0.0.1", timeout=15.0):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def read_until_closed(sock):
    """Everything the server sends until it closes the connection; raises socket.timeout if it never does."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def healthz(server, timeout=20):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/healthz", timeout=timeout) as response:
        return response.status


def engineio_handshake(server, source="127.0.0.1"):
    """A raw Engine.IO v4 polling handshake from `source`: (status, body)."""
    sock = connect(server.http_port, source)
    with sock:
        sock.sendall(
            b"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        response = read_until_closed(sock)
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def binding_request():
    transaction_id = os.urandom(12)
    return transaction_id, struct.pack("!HHI", 0x0001, 0, MAGIC_COOKIE) + transaction_id


def udp_binding(server, timeout=5.0, attempts=3):
    """A Binding over UDP, retransmitted as a STUN client does (RFC 8489 section 6.2.1): True once answered."""
    transaction_id, request = binding_request()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        for _ in range(attempts):
            sock.sendto(request, ("127.0.0.1", server.stun_port))
            try:
                response = sock.recv(2048)
            except TimeoutError:
                continue
            return response[:2] == b"\x01\x01" and response[8:20] == transaction_id
    return False


def tcp_binding(server, source="127.0.0.1"):
    transaction_id, request = binding_request()
    with connect(server.stun_port, source) as sock:
        sock.sendall(request)
        response = sock.recv(2048)
    return response[:2] == b"\x01\x01" and response[8:20] == transaction_id


def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (proc(5))."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


# MARK: - HTTP timeouts and malformed heads


def test_a_head_that_never_completes_gets_408_and_is_closed(start_switchboard):
    server = start_switchboard(args=["--set", "http.requestHeadTimeoutSeconds=1"])
    with connect(server.http_port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        response = read_until_closed(sock)
    assert response.startswith(b"HTTP/1.1 408"), response
    assert server.metric("switchboard_http_connections_closed_total", reason="head_timeout") >= 1


def test_a_head_trickled_byte_by_byte_is_closed(start_switchboard):
    server = start_switchboard(args=["--set", "http.requestHeadTimeoutSeconds=1"])
    with connect(server.http_port) as sock:
        closed = False
        for byte in b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + b"a" * 200:
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
        if not closed:
            response = read_until_closed(sock)
            assert response.startswith(b"HTTP/1.1 408"), response


def test_a_silent_connection_is_closed_without_an_answer(start_switchboard):
    server = start_switchboard(args=["--set", "http.requestHeadTimeoutSeconds=1"])
    with connect(server.http_port) as sock:
        assert read_until_closed(sock) == b""


def test_an_idle_keep_alive_connection_is_closed(start_switchboard):
    server = start_switchboard(args=["--set", "http.idleTimeoutSeconds=1"])
    with connect(server.http_port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        # A second request on the same connection still works before the connection idles out.
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        second = sock.recv(65536)
        assert second.startswith(b"HTTP/1.1 200"), second
        assert read_until_closed(sock) == b""
    assert server.metric("switchboard_http_connections_closed_total", reason="idle") >= 1


def test_a_long_poll_outlives_the_idle_timeout(start_switchboard):
    """A poll waits for packets up to the ping interval; the server, not the client, is slow then."""
    server = start_switchboard(
        args=["--set", "http.idleTimeoutSeconds=1", "--set", "signaling.pingIntervalMilliseconds=2500"]
    )
    status, body = engineio_handshake(server)
    assert status == 200, body
    sid = json.loads(body[1:])["sid"]
    with connect(server.http_port) as sock:
        sock.sendall(
            f"GET /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
        )
        # The poll is answered with the ping after 2.5 s, past the 1 s idle timeout.
        response = sock.recv(65536)
    assert response.startswith(b"HTTP/1.1 200"), response
    assert response.endswith(b"2"), response


@pytest.mark.parametrize(
    "head",
    [
        b"GARBAGE\x00\x01 / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: localhost\r\nBad Header Without Colon\r\n\r\n",
        b"GET / HTTP/9.9.9\r\n\r\n",
    ],
)
def test_a_malformed_head_gets_400_and_is_closed(switchboard, head):
    with connect(switchboard.http_port) as sock:
        sock.sendall(head)
        response = read_until_closed(sock)
    assert response.startswith(b"HTTP/1.1 400"), response
    assert switchboard.metric("switchboard_http_connections_closed_total", reason="malformed") >= 1
    assert healthz(switchboard) == 200


def test_an_oversized_head_gets_400_and_is_closed(switchboard):
    with connect(switchboard.http_port) as sock:
        try:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = read_until_closed(sock)
    # The server may reset the connection while the rest of the head is still arriving; it never answers 200.
    assert response == b"" or response.startswith(b"HTTP/1.1 400"), response[:200]


def test_https_gets_the_same_head_timeout_malformed_answer_and_cap(start_switchboard, tmp_path: pathlib.Path):
    subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(tmp_path)], check=True, capture_output=True)
    tls_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=[
            "--set", f"tls.port={tls_port}",
            "--set", f"tls.certificateFile={tmp_path / 'cert.pem'}",
            "--set", f"tls.privateKeyFile={tmp_path / 'key.pem'}",
            "--set", "http.requestHeadTimeoutSeconds=3",
            "--set", "http.maxConnectionsPerAddress=2",
        ]
    )
    deadline = time.monotonic() + 20
    while "HTTPS listening" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def tls_connect(source):
        return context.wrap_socket(connect(tls_port, source))

    with tls_connect("127.0.0.9") as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 408")
    with tls_connect("127.0.0.9") as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 400")
    # (Held for less than the 3 s head timeout.)
    held = [tls_connect("127.0.0.10") for _ in range(2)]
    try:
        # HTTP and HTTPS share the cap: the plain connection from the same address is the third.
        with connect(server.http_port, "127.0.0.10") as refused:
            assert read_until_closed(refused).startswith(b"HTTP/1.1 503")
    finally:
        for sock in held:
            sock.close()


# MARK: - Connection caps


def test_the_connection_over_the_per_address_cap_gets_503_while_other_clients_get_in(start_switchboard):
    server = start_switchboard(args=["--set", "http.maxConnectionsPerAddress=5"])
    held = [connect(server.http_port, "127.0.0.5") for _ in range(5)]
    try:
        # Wait until the server counts all five (each is accepted on some event loop).
        deadline = time.monotonic() + 10
        while server.metric("switchboard_http_connections") < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        with connect(server.http_port, "127.0.0.5") as refused:
            response = read_until_closed(refused)
        assert response.startswith(b"HTTP/1.1 503"), response
        assert server.metric("switchboard_http_connections_refused_total", reason="per_address") >= 1

        # Another address is unaffected: /healthz and a real Socket.IO client.
        assert healthz(server) == 200
        client = socketio.Client(reconnection=False)
        client.connect(f"http://127.0.0.1:{server.http_port}", transports=["polling", "websocket"], wait_timeout=10)
        assert client.connected
        client.disconnect()
    finally:
        for sock in held:
            sock.close()
    # Once the held connections go, the address gets in again.
    deadline = time.monotonic() + 10
    while True:
        with connect(server.http_port, "127.0.0.5") as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            response = read_until_closed(sock)
        if response.startswith(b"HTTP/1.1 200") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert response.startswith(b"HTTP/1.1 200"), response


def test_engineio_sessions_over_the_per_address_cap_get_503_with_the_engineio_error(start_switchboard):
    server = start_switchboard(args=["--set", "signaling.maxSessionsPerAddress=2"])
    for _ in range(2):
        status, body = engineio_handshake(server, "127.0.0.6")
        assert status == 200, body
    status, body = engineio_handshake(server, "127.0.0.6")
    assert status == 503, body
    assert json.loads(body) == {"code": 6, "message": "Too many sessions"}
    assert server.metric("switchboard_signaling_sessions_refused_total", reason="per_address") >= 1
    # Another client still gets a session, over polling and over WebSocket.
    status, body = engineio_handshake(server, "127.0.0.1")
    assert status == 200, body
    client = socketio.Client(reconnection=False)
    client.connect(f"http://127.0.0.1:{server.http_port}", transports=["websocket"], wait_timeout=10)
    assert client.connected
    client.disconnect()


def test_engineio_websocket_handshakes_over_the_cap_are_refused(start_switchboard):
    server = start_switchboard(args=["--set", "signaling.maxSessionsPerAddress=1"])
    status, body = engineio_handshake(server, "127.0.0.7")
    assert status == 200, body
    with connect(server.http_port, "127.0.0.7") as sock:
        sock.sendall(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        response = read_until_closed(sock)
    assert response.startswith(b"HTTP/1.1 400"), response
    assert server.metric("switchboard_signaling_sessions_refused_total", reason="per_address") >= 1


# MARK: - STUN/TCP


def test_a_stun_tcp_frame_that_never_completes_is_closed(start_switchboard):
    server = start_switchboard(args=["--set", "stun.tcpFramingTimeoutSeconds=1"])
    with connect(server.stun_port) as sock:
        # A Binding request header announcing 8 attribute bytes that never come.
        sock.sendall(struct.pack("!HHI", 0x0001, 8, MAGIC_COOKIE) + os.urandom(12))
        assert read_until_closed(sock) == b""
    assert server.metric("switchboard_stun_tcp_connections_closed_total", reason="framing_timeout") >= 1
    # Whole messages still get answers, however slowly the connection is used.
    with connect(server.stun_port) as sock:
        for _ in range(2):
            transaction_id, request = binding_request()
            sock.sendall(request)
            response = sock.recv(2048)
            assert response[8:20] == transaction_id
            time.sleep(1.5)


def test_stun_tcp_connections_over_the_per_address_cap_are_closed_at_once(start_switchboard):
    server = start_switchboard(args=["--set", "stun.tcpMaxConnectionsPerAddress=3"])
    held = [connect(server.stun_port, "127.0.0.8") for _ in range(3)]
    try:
        for sock in held:
            transaction_id, request = binding_request()
            sock.sendall(request)
            assert sock.recv(2048)[8:20] == transaction_id
        with connect(server.stun_port, "127.0.0.8") as refused:
            assert read_until_closed(refused) == b""
        assert server.metric("switchboard_stun_tcp_connections_refused_total", reason="per_address") >= 1
        assert tcp_binding(server, "127.0.0.1")
    finally:
        for sock in held:
            sock.close()


# MARK: - Flood under a low descriptor limit


def test_a_connection_flood_at_the_descriptor_limit_does_not_spin_or_starve_udp(start_switchboard):
    server = start_switchboard(
        args=[
            "--set", "http.requestHeadTimeoutSeconds=4",
            "--set", "http.maxConnectionsPerAddress=60",
            "--set", "stun.tcpMaxConnectionsPerAddress=60",
            "--set", "stun.tcpFramingTimeoutSeconds=4",
        ]
    )
    pid = server.process.pid
    subprocess.run(["prlimit", f"--pid={pid}", "--nofile=160:160"], check=True)
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    flood = []
    try:
        # 10 addresses x 30 connections to each listener: more than the process may hold open.
        for address in range(10):
            for port in (server.http_port, server.stun_port):
                for _ in range(30):
                    try:
                        flood.append(connect(port, f"127.0.1.{address + 1}", timeout=2))
                    except OSError:
                        pass
        # While the backlog holds connections the server cannot accept, it must wait, not spin.
        before = cpu_ticks(pid)
        time.sleep(3)
        used = cpu_ticks(pid) - before
        assert used < 0.5 * 3 * ticks_per_second, f"{used} ticks in 3 s"
        assert udp_binding(server)
    finally:
        for sock in flood:
            sock.close()
    # The flood's connections time out or close; everything answers again.
    assert healthz(server) == 200
    assert udp_binding(server)
    assert tcp_binding(server)
    status, body = engineio_handshake(server)
    assert status == 200, body
    failures = server.metric("switchboard_accept_failures_total", listener="http") + server.metric(
        "switchboard_accept_failures_total", listener="stun_tcp"
    )
    assert failures >= 1, server.log()[-2000:]
    assert server.process.poll() is None


def test_caps_fit_a_low_descriptor_limit_so_a_flood_is_refused_and_allocations_still_get_sockets(
    start_switchboard, tmp_path, monkeypatch
):
    """Started with 256 descriptors, the HTTP total is lowered to (256 - 64) / 2 = 96: a flood from many addresses
    meets the cap (503) instead of EMFILE, and a TURN allocation still gets its relay socket (not 508)."""
    wrapper = tmp_path / "switchboard-256"
    wrapper.write_text(f'#!/bin/sh\nexec prlimit --nofile=256:256 {conftest.BINARY} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(conftest, "BINARY", str(wrapper))
    server = start_switchboard(args=[*TURN_ARGS, "--set", "http.maxConnectionsPerAddress=20"])
    assert "connection cap lowered to fit the file descriptor limit" in server.log()
    flood = []
    try:
        for address in range(8):
            for _ in range(20):
                flood.append(connect(server.http_port, f"127.0.2.{address + 1}", timeout=5))
        # The total is reached: one more connection, from an address under its own cap, is refused cleanly.
        with connect(server.http_port, "127.0.0.1") as probe:
            assert read_until_closed(probe).startswith(b"HTTP/1.1 503")
        client = Client(server.stun_port)
        try:
            client.challenge()
            key = long_term_key("bench", "bench.local", "benchpass")
            response = client.authenticated(
                ALLOCATE, "bench", key, attributes=[(REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))]
            )
            assert response.cls == SUCCESS, response.error_code
        finally:
            client.close()
        assert udp_binding(server)
    finally:
        for sock in flood:
            sock.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            assert healthz(server) == 200
            break
        except urllib.error.HTTPError:
            # The server may not have seen every flood connection close yet.
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert server.metric("switchboard_http_connections_refused_total", reason="total") >= 1
    assert server.metric("switchboard_accept_failures_total", listener="http") == 0
