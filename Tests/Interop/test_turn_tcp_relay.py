"""RFC 6062 TCP allocations: coturn's turnutils_uclient -T (client to client through TCP relays) over TCP, TLS and the
shared port with no loss, and the rules real clients do not reach, checked with the raw client of rawstun.py."""

import os
import socket
import struct
import time

import pytest

from conftest import TURN_ARGS
from rawstun import (
    ALLOCATE, CREATE_PERMISSION, ERROR, INDICATION, REQUEST, REQUESTED_TRANSPORT, SUCCESS, XOR_PEER_ADDRESS,
    XOR_RELAYED_ADDRESS, Client, Message, long_term_key, parse_xor_address, xor_address,
)
from test_shared_port import SharedPortServer, shared  # noqa: F401 (fixture)
from test_turn_tls import turns_server, uclient_tls  # noqa: F401 (fixture)
from test_turn_uclient import assert_no_loss, uclient

CONNECT, CONNECTION_BIND, CONNECTION_ATTEMPT = 0x00A, 0x00B, 0x00C
CONNECTION_ID = 0x002A
TCP = (REQUESTED_TRANSPORT, bytes([6, 0, 0, 0]))
KEY = long_term_key("bench", "bench.local", "benchpass")


def tcp_allocation(port):
    """A control connection holding a TCP allocation; returns it with its relayed address."""
    client = Client(port, tcp=True)
    client.challenge()
    response = client.authenticated(ALLOCATE, "bench", KEY, attributes=[TCP])
    assert response.cls == SUCCESS, response.error_code
    return client, parse_xor_address(response.get(XOR_RELAYED_ADDRESS), response.transaction_id)


def bind(port, connection_id, nonce, realm):
    """A new connection to the server, bound to `connection_id` with ConnectionBind; returns it and the answer."""
    data = Client(port, tcp=True)
    data.realm, data.nonce = realm, nonce
    response = data.authenticated(CONNECTION_BIND, "bench", KEY, attributes=[(CONNECTION_ID, connection_id)])
    return data, response


def peer_attribute(host, port):
    transaction_id = os.urandom(12)
    return transaction_id, (XOR_PEER_ADDRESS, xor_address(host, port, transaction_id))


def authenticated_with(client, method, attributes, transaction_id):
    request = Message(method, REQUEST, transaction_id=transaction_id)
    for attribute in attributes:
        request.add(*attribute)
    request.add(0x0006, b"bench").add(0x0014, client.realm.encode()).add(0x0015, client.nonce)
    return client.transact(request, key=KEY)


def read_exactly(sock, count, timeout=10):
    sock.settimeout(timeout)
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        assert chunk, f"closed after {len(data)} bytes"
        data += chunk
    return data


# uclient -T implies -t -y -c: pairs of clients, each with a TCP allocation over TCP, connect to each other's relayed
# address (Connect on one side, ConnectionAttempt on the other), bind data connections and exchange messages.
@pytest.mark.parametrize("clients, messages", [(2, 30), (6, 20)])
def test_uclient_tcp_relay_over_tcp(turn_server, clients, messages):
    output = uclient(
        turn_server, "-T", "-u", "bench", "-w", "benchpass", "-X", "-l", "120", "-m", str(clients), "-n", str(messages)
    )
    assert_no_loss(output, clients * messages)
    assert turn_server.metric("switchboard_turn_tcp_binds_total") >= clients


def test_uclient_tcp_relay_without_an_allow_list(start_switchboard):
    # The pair's relayed addresses are loopback, denied by default, yet live relay addresses of this server.
    server = start_switchboard(args=["--set", "turn.users=bench:benchpass", "--set", "turn.realm=bench.local"])
    output = uclient(server, "-T", "-u", "bench", "-w", "benchpass", "-X", "-m", "2", "-n", "30", "-l", "120")
    assert_no_loss(output, 2 * 30)


def test_uclient_tcp_relay_over_tls(turns_server):  # noqa: F811
    output = uclient_tls(
        turns_server.tls_port, "-T", "-u", "bench", "-w", "benchpass", "-X", "-l", "120", "-m", "2", "-n", "30"
    )
    assert_no_loss(output, 2 * 30)


def test_uclient_tcp_relay_on_the_shared_port(shared):  # noqa: F811
    output = uclient_tls(shared.shared_port, "-T", "-u", "bench", "-w", "benchpass", "-X", "-m", "2", "-n", "20")
    assert_no_loss(output, 2 * 20)
    output = uclient(
        SharedPortServer(shared.shared_port), "-T", "-u", "bench", "-w", "benchpass", "-X", "-m", "2", "-n", "20"
    )
    assert_no_loss(output, 2 * 20)


def test_tcp_relay_rules(start_switchboard):
    server = start_switchboard(args=["--set", "turn.users=bench:benchpass", "--set", "turn.realm=bench.local"])
    # Over UDP a TCP allocation is 400 (RFC 6062 section 5.1).
    udp = Client(server.stun_port)
    udp.challenge()
    assert udp.authenticated(ALLOCATE, "bench", KEY, attributes=[TCP]).error_code == 400
    # Connect to a peer the policy denies (loopback, not a relay address) is 403, as for CreatePermission.
    control, _ = tcp_allocation(server.stun_port)
    transaction_id, peer = peer_attribute("127.0.0.1", 9)
    assert authenticated_with(control, CONNECT, [peer], transaction_id).error_code == 403
    # ConnectionBind with an unknown CONNECTION-ID is 400, and on the control connection too.
    data, response = bind(server.stun_port, struct.pack("!I", 12345), control.nonce, control.realm)
    assert response.cls == ERROR and response.error_code == 400
    assert response.integrity_valid(KEY)
    # Channels do not exist on a TCP allocation.
    transaction_id, peer = peer_attribute("8.8.8.8", 9)
    answer = authenticated_with(control, 0x009, [(0x000C, bytes([0x40, 0, 0, 0])), peer], transaction_id)
    assert answer.error_code == 400


def test_tcp_relay_can_be_switched_off(start_switchboard):
    server = start_switchboard(args=[*TURN_ARGS, "--set", "turn.tcpRelay=false"])
    client = Client(server.stun_port, tcp=True)
    client.challenge()
    assert client.authenticated(ALLOCATE, "bench", KEY, attributes=[TCP]).error_code == 442


def test_connect_and_an_incoming_peer_with_a_plain_tcp_peer(turn_server):
    """Both directions of RFC 6062 against a TCP server and client written here: Connect then ConnectionBind, and a
    peer connecting to the relayed address (refused without a permission, announced with one)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    control, relayed = tcp_allocation(turn_server.stun_port)

    transaction_id, peer = peer_attribute(*listener.getsockname())
    answer = authenticated_with(control, CONNECT, [peer], transaction_id)
    assert answer.cls == SUCCESS and answer.integrity_valid(KEY)
    connection_id = answer.get(CONNECTION_ID)
    accepted, source = listener.accept()
    # RFC 6062 section 5.2: the connection leaves from the relayed address.
    assert source == relayed
    accepted.sendall(b"early bytes wait for the bind")
    data, response = bind(turn_server.stun_port, connection_id, control.nonce, control.realm)
    assert response.cls == SUCCESS and response.integrity_valid(KEY)
    assert read_exactly(data.sock, 29) == b"early bytes wait for the bind"
    data.sock.sendall(b"x" * 100_000)
    assert read_exactly(accepted, 100_000) == b"x" * 100_000
    # A second Connect to the same peer is 446.
    transaction_id, peer = peer_attribute(*listener.getsockname())
    assert authenticated_with(control, CONNECT, [peer], transaction_id).error_code == 446
    # The peer closing closes the client's data connection.
    accepted.close()
    data.sock.settimeout(10)
    assert data.sock.recv(10) == b""

    # Incoming: no permission, the connection is closed at once.
    incoming = socket.create_connection(relayed, timeout=10)
    assert incoming.recv(10) == b""
    transaction_id, peer = peer_attribute("127.0.0.1", 1)
    assert authenticated_with(control, CREATE_PERMISSION, [peer], transaction_id).cls == SUCCESS
    incoming = socket.create_connection(relayed, timeout=10)
    attempt = Message.decode(control.receive())
    assert (attempt.method, attempt.cls) == (CONNECTION_ATTEMPT, INDICATION)
    assert parse_xor_address(attempt.get(XOR_PEER_ADDRESS), attempt.transaction_id) == incoming.getsockname()
    data, response = bind(turn_server.stun_port, attempt.get(CONNECTION_ID), control.nonce, control.realm)
    assert response.cls == SUCCESS
    incoming.sendall(b"hello client")
    assert read_exactly(data.sock, 12) == b"hello client"
    data.sock.sendall(b"hello peer")
    assert read_exactly(incoming, 10) == b"hello peer"
    # The client closing its data connection closes the peer's.
    data.close()
    incoming.settimeout(10)
    assert incoming.recv(10) == b""
    # Deleting the allocation (closing the control connection) closes the listener.
    control.close()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(relayed, timeout=1).close()
        except OSError:
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_a_peer_that_does_not_read_stops_the_client_not_the_server(turn_server):
    """Back-pressure: the server reads from the client's data connection only as fast as the peer takes the bytes,
    so a client sending to a peer that never reads soon blocks in its own send buffer."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    control, _ = tcp_allocation(turn_server.stun_port)
    transaction_id, peer = peer_attribute(*listener.getsockname())
    answer = authenticated_with(control, CONNECT, [peer], transaction_id)
    accepted, _ = listener.accept()
    accepted.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    data, response = bind(turn_server.stun_port, answer.get(CONNECTION_ID), control.nonce, control.realm)
    assert response.cls == SUCCESS
    data.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    data.sock.settimeout(0.5)
    sent = 0
    chunk = b"y" * 65536
    with pytest.raises(TimeoutError):
        while sent < 512 * 1024 * 1024:
            sent += data.sock.send(chunk)
    # Kernel buffers on four sockets plus at most a few hundred KiB in the server: far below what could be sent.
    assert sent < 64 * 1024 * 1024, sent
    # The peer reading again drains everything, in order.
    accepted.settimeout(10)
    received = 0
    while received < sent:
        received += len(accepted.recv(1 << 20))
    assert received == sent
