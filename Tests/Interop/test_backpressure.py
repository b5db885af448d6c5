"""Clients that make the server write and never read (issue 14): a STUN/TCP client sending Allocates, a WebSocket
ping flood, and a dialect C room of clients that never read a fan-out of big messages. Each attack must leave the
server's resident memory bounded (VmRSS from /proc, at most 64 MiB over what it was before the attack), the
attacker's connection closed and counted in /metrics, and an innocent client in the same test served in full."""

import json
import threading
import time

import socketio
import websocket
from conftest import TURN_ARGS

import attacks
import rawstun

MIB = 1 << 20
#: How much more resident memory an attack may cost the server, at its peak.
RSS_BOUND = 64 * MIB
#: What each attacker tries to make the server take (the attacks of the issue used 48 MiB).
FLOOD = 48 * MIB


def wait_for_metric(server, name, reasons, timeout=30):
    """Waits until the sum of the series `name{reason=...}` over `reasons` is positive; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        total = sum(server.metric(name, reason=reason) for reason in reasons)
        if total > 0 or time.monotonic() > deadline:
            return total
        time.sleep(0.2)


def udp_binding_and_allocation(server, attempts=1):
    """An innocent UDP client: a Binding and an authenticated TURN allocation, both answered with success. The
    Binding is sent up to `attempts` times, as a UDP client retransmits (RFC 8489 section 6.2.1)."""
    client = rawstun.Client(server.stun_port)
    try:
        for attempt in range(attempts):
            try:
                binding = client.transact(rawstun.Message(rawstun.BINDING, rawstun.REQUEST))
                break
            except TimeoutError:
                if attempt == attempts - 1:
                    raise
        assert binding.cls == rawstun.SUCCESS
        client.challenge()
        key = rawstun.long_term_key("bench", client.realm, "benchpass")
        allocation = client.authenticated(
            rawstun.ALLOCATE, "bench", key, attributes=[(rawstun.REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))]
        )
        assert allocation.cls == rawstun.SUCCESS, allocation.error_code
    finally:
        client.close()


def test_a_stun_tcp_client_that_never_reads_its_answers(start_switchboard):
    server = start_switchboard(args=[*TURN_ARGS, "--set", "stun.tcpSendTimeoutSeconds=2"])
    pid = server.process.pid
    # Warm-up, before the baseline: a freshly started debug server on a loaded machine may miss the first datagram.
    udp_binding_and_allocation(server, attempts=3)
    attacker = attacks.never_reading_socket("127.0.0.1", server.stun_port)
    with attacks.PeakRSS(pid) as rss:
        baseline = rss.peak
        sent, outcome = attacks.flood(attacker, attacks.allocate_requests(2000), FLOOD)
        # While the attacker's connection is still open: others are served in full.
        udp_binding_and_allocation(server)
        tcp = rawstun.Client(server.stun_port, tcp=True)
        assert tcp.transact(rawstun.Message(rawstun.BINDING, rawstun.REQUEST)).cls == rawstun.SUCCESS
        tcp.close()
        closed = wait_for_metric(
            server, "switchboard_stun_tcp_connections_closed_total", ["slow_reader", "send_timeout"]
        )
    assert outcome != "sent", f"the server took all {sent} bytes of requests from a client that reads nothing"
    assert closed >= 1
    assert attacks.is_closed_by_server(attacker)
    assert rss.peak - baseline < RSS_BOUND, f"VmRSS {baseline / MIB:.0f} -> {rss.peak / MIB:.0f} MiB"
    attacker.close()


def test_a_websocket_ping_flood_that_never_reads_the_pongs(start_switchboard):
    server = start_switchboard(args=["--set", "signaling.sendTimeoutMilliseconds=2000"])
    pid = server.process.pid
    attacker = attacks.ws_upgrade("127.0.0.1", server.http_port, "/ws")
    # An innocent python-socketio client (dialect A) that joins a room before, during and after the flood.
    innocent = socketio.Client(reconnection=False)
    answers = []
    innocent.on("iceServers", lambda payload: answers.append(payload))
    innocent.connect(f"http://127.0.0.1:{server.http_port}", transports=["websocket"])
    with attacks.PeakRSS(pid) as rss:
        baseline = rss.peak
        sent, outcome = attacks.flood(attacker, attacks.ping_frames(1000), FLOOD)
        for index in range(3):
            innocent.emit("join", {"id": f"u{index}", "username": f"user{index}", "roomname": f"room{index}"})
            innocent.sleep(0.5)
        closed = wait_for_metric(
            server, "switchboard_websocket_slow_clients_total", ["send_timeout", "outbound_buffer_full"]
        )
    assert outcome != "sent", f"the server took all {sent} bytes of pings from a client that reads no pong"
    assert closed >= 1
    assert attacks.is_closed_by_server(attacker)
    assert rss.peak - baseline < RSS_BOUND, f"VmRSS {baseline / MIB:.0f} -> {rss.peak / MIB:.0f} MiB"
    assert len(answers) == 3
    innocent.disconnect()
    attacker.close()


def test_a_raw_websocket_room_that_never_reads_a_fan_out(start_switchboard):
    server = start_switchboard(args=["--set", "signaling.sendTimeoutMilliseconds=2000"])
    pid = server.process.pid
    url = f"ws://127.0.0.1:{server.http_port}/ws"
    readers = []
    for index in range(30):
        reader = attacks.ws_upgrade("127.0.0.1", server.http_port, "/ws")
        reader.sendall(attacks.ws_text({"type": "join", "id": f"reader{index}", "nick": "r"}))
        readers.append(reader)
    sender = websocket.create_connection(url, timeout=30)
    sender.send(json.dumps({"type": "join", "id": "sender", "nick": "s"}))
    assert json.loads(sender.recv())["type"] == "iceServers"
    innocent = websocket.create_connection(url, timeout=30)
    innocent.send(json.dumps({"type": "join", "id": "innocent", "nick": "i"}))
    assert json.loads(innocent.recv())["type"] == "iceServers"
    received = []

    def read_offers():
        # Readers closed as too slow leave the room meanwhile: their "leave" messages come between the offers.
        while len(received) < 20:
            message = json.loads(innocent.recv())
            if message["type"] == "offer":
                received.append(message)

    big = "a" * 900_000
    with attacks.PeakRSS(pid) as rss:
        baseline = rss.peak
        reading = threading.Thread(target=read_offers, daemon=True)
        reading.start()
        for number in range(20):
            sender.send(json.dumps({"type": "offer", "n": number, "sdp": {"type": "offer", "sdp": big}}))
            # The innocent reads each offer before the next is sent, as a peer that keeps up does: what piles up
            # for it stays under its budget whatever the machine's load, while the readers' backlogs grow.
            deadline = time.monotonic() + 30
            while len(received) <= number and reading.is_alive() and time.monotonic() < deadline:
                time.sleep(0.005)
        reading.join(timeout=120)
        closed = wait_for_metric(
            server, "switchboard_websocket_slow_clients_total", ["outbound_buffer_full", "send_timeout"]
        )
    assert [offer["n"] for offer in received] == list(range(20))
    assert all(offer["sdp"]["sdp"] == big and offer["id"] == "sender" for offer in received)
    assert closed >= 1
    assert all(attacks.is_closed_by_server(reader) for reader in readers)
    assert rss.peak - baseline < RSS_BOUND, f"VmRSS {baseline / MIB:.0f} -> {rss.peak / MIB:.0f} MiB"
    for connection in (sender, innocent, *readers):
        connection.close()
