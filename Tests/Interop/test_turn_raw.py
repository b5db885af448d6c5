"""TURN behaviour the real clients cannot reach, checked with the raw client in rawstun.py (written here,
independent of the server's Swift codec)."""

import hashlib
import socket
import struct
import time

import pytest
from conftest import TURN_ARGS

from rawstun import (
    ADDITIONAL_ADDRESS_FAMILY, ALLOCATE, CHANNEL_BIND, CHANNEL_NUMBER, CREATE_PERMISSION, ERROR, LIFETIME,
    PASSWORD_ALGORITHMS, REFRESH, REQUEST, REQUESTED_ADDRESS_FAMILY, REQUESTED_TRANSPORT, SUCCESS, UNKNOWN_ATTRIBUTES,
    XOR_MAPPED_ADDRESS, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS, Client, Message, long_term_key, parse_xor_address,
    xor_address,
)

UDP = (REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))
KEY = long_term_key("bench", "bench.local", "benchpass")


def allocate(client, *extra, key=KEY):
    client.challenge()
    return client.authenticated(ALLOCATE, "bench", key, attributes=[UDP, *extra])


def relayed(response):
    return [parse_xor_address(value, response.transaction_id) for value in response.all(XOR_RELAYED_ADDRESS)]


def test_allocate_success_is_signed_and_complete(turn_server):
    client = Client(turn_server.stun_port)
    response = allocate(client)
    assert response.cls == SUCCESS
    assert response.integrity_valid(KEY)
    (host, port), = relayed(response)
    assert host == "127.0.0.1" and 49152 <= port <= 65535
    assert parse_xor_address(response.get(XOR_MAPPED_ADDRESS), response.transaction_id) == client.sock.getsockname()
    assert struct.unpack("!I", response.get(LIFETIME))[0] == 600


def test_unknown_user_gets_401_never_400(turn_server):
    client = Client(turn_server.stun_port)
    client.challenge()
    response = client.authenticated(ALLOCATE, "mallory", long_term_key("mallory", "bench.local", "x"), attributes=[UDP])
    assert response.error_code == 401
    assert response.get(0x0015) is not None  # a fresh NONCE
    assert turn_server.metric("switchboard_turn_auth_failures_total", reason="unknown_user") >= 1


def test_sha256_integrity_and_password_algorithms(turn_server):
    client = Client(turn_server.stun_port)
    challenge = client.challenge()
    offered = challenge.get(PASSWORD_ALGORITHMS)
    assert offered is not None
    algorithms = [struct.unpack("!H", offered[i : i + 2])[0] for i in range(0, len(offered), 4)]
    assert 2 in algorithms and 1 in algorithms  # SHA-256 and MD5 (RFC 8489 section 14.11)
    key = long_term_key("bench", "bench.local", "benchpass", sha256=True)
    response = client.authenticated(
        ALLOCATE, "bench", key, attributes=[UDP], sha256=True, algorithm=(offered, struct.pack("!HH", 2, 0))
    )
    assert response.cls == SUCCESS, response.error_code
    assert response.integrity_valid(key, sha256=True)


def test_userhash_instead_of_username(turn_server):
    client = Client(turn_server.stun_port)
    challenge = client.challenge()
    userhash = hashlib.sha256(b"bench:bench.local").digest()
    key = long_term_key("bench", "bench.local", "benchpass", sha256=True)
    response = client.authenticated(
        ALLOCATE, None, key, attributes=[UDP], sha256=True, userhash=userhash,
        algorithm=(challenge.get(PASSWORD_ALGORITHMS), struct.pack("!HH", 2, 0)),
    )
    assert response.cls == SUCCESS, response.error_code
    assert response.integrity_valid(key, sha256=True)


def test_unknown_comprehension_required_attribute_gets_420(turn_server):
    client = Client(turn_server.stun_port)
    client.challenge()
    response = client.authenticated(ALLOCATE, "bench", KEY, attributes=[UDP, (0x7FF0, b"abcd")])
    assert response.error_code == 420
    assert struct.unpack("!H", response.get(UNKNOWN_ATTRIBUTES)[:2])[0] == 0x7FF0


def test_second_allocate_gets_437_and_a_retransmission_the_same_answer(turn_server):
    client = Client(turn_server.stun_port)
    client.challenge()
    first = Message(ALLOCATE, REQUEST).add(*UDP).add(0x0006, b"bench").add(0x0014, client.realm.encode()).add(0x0015, client.nonce)
    wire = first.encode(key=KEY)
    client.send_raw(wire)
    original = Message.decode(client.receive())
    assert original.cls == SUCCESS
    client.send_raw(wire)  # a retransmission of the very same request
    again = Message.decode(client.receive())
    assert again.cls == SUCCESS and relayed(again) == relayed(original)
    second = client.authenticated(ALLOCATE, "bench", KEY, attributes=[UDP])
    assert second.error_code == 437
    assert second.integrity_valid(KEY)


def test_tcp_relay_requested_over_udp_gets_400_and_another_transport_442(turn_server):
    # RFC 6062 section 5.1: a TCP allocation needs a client on TCP or TLS (test_turn_tcp_relay.py has the rest).
    client = Client(turn_server.stun_port)
    client.challenge()
    response = client.authenticated(ALLOCATE, "bench", KEY, attributes=[(REQUESTED_TRANSPORT, bytes([6, 0, 0, 0]))])
    assert response.error_code == 400
    response = client.authenticated(ALLOCATE, "bench", KEY, attributes=[(REQUESTED_TRANSPORT, bytes([132, 0, 0, 0]))])
    assert response.error_code == 442


def test_quota_per_user_gives_486(start_switchboard):
    server = start_switchboard(args=["--set", "turn.users=bench:benchpass", "--set", "turn.realm=bench.local", "--set", "turn.quota.perUser=2"])
    clients = [Client(server.stun_port) for _ in range(3)]
    assert allocate(clients[0]).cls == SUCCESS
    assert allocate(clients[1]).cls == SUCCESS
    assert allocate(clients[2]).error_code == 486
    assert server.metric("switchboard_turn_quota_refusals_total", quota="user") == 1
    # Deleting one allocation frees a place.
    refresh = clients[0].authenticated(REFRESH, "bench", KEY, attributes=[(LIFETIME, struct.pack("!I", 0))])
    assert refresh.cls == SUCCESS
    assert clients[2].authenticated(ALLOCATE, "bench", KEY, attributes=[UDP]).cls == SUCCESS


def test_refresh_zero_deletes_then_437(turn_server):
    client = Client(turn_server.stun_port)
    assert allocate(client).cls == SUCCESS
    refresh = client.authenticated(REFRESH, "bench", KEY, attributes=[(LIFETIME, struct.pack("!I", 7200))])
    assert struct.unpack("!I", refresh.get(LIFETIME))[0] == 3600  # clamped
    refresh = client.authenticated(REFRESH, "bench", KEY, attributes=[(LIFETIME, struct.pack("!I", 0))])
    assert refresh.cls == SUCCESS and struct.unpack("!I", refresh.get(LIFETIME))[0] == 0
    permission = client.authenticated(
        CREATE_PERMISSION, "bench", KEY, attributes=[(XOR_PEER_ADDRESS, xor_address("127.0.0.1", 9, b"\0" * 12))]
    )
    assert permission.error_code == 437


def test_another_users_credentials_get_441(turn_server):
    client = Client(turn_server.stun_port)
    assert allocate(client).cls == SUCCESS
    alice = long_term_key("alice", "bench.local", "alicepass")
    response = client.authenticated(REFRESH, "alice", alice, attributes=[])
    assert response.error_code == 441


@pytest.mark.parametrize("peer", ["::ffff:127.0.0.1", "127.0.0.1", "10.1.2.3", "169.254.1.1", "100.64.0.1", "224.0.0.1"])
def test_forbidden_peers_get_403_by_default(start_switchboard, peer):
    server = start_switchboard(args=["--set", "turn.users=bench:benchpass", "--set", "turn.realm=bench.local"])
    client = Client(server.stun_port)
    assert allocate(client).cls == SUCCESS
    request = Message(CREATE_PERMISSION, REQUEST)
    request.add(XOR_PEER_ADDRESS, xor_address(peer, 5000, request.transaction_id))
    for name, value in ((0x0006, b"bench"), (0x0014, client.realm.encode()), (0x0015, client.nonce)):
        request.add(name, value)
    response = client.transact(request, key=KEY)
    assert response.error_code == 403
    assert response.integrity_valid(KEY)


def test_listening_port_is_never_a_peer_even_when_allowed(turn_server):
    client = Client(turn_server.stun_port)
    assert allocate(client).cls == SUCCESS
    request = Message(CHANNEL_BIND, REQUEST).add(CHANNEL_NUMBER, struct.pack("!HH", 0x4000, 0))
    request.add(XOR_PEER_ADDRESS, xor_address("127.0.0.1", turn_server.stun_port, request.transaction_id))
    for name, value in ((0x0006, b"bench"), (0x0014, client.realm.encode()), (0x0015, client.nonce)):
        request.add(name, value)
    assert client.transact(request, key=KEY).error_code == 403


def test_channel_bind_rules(turn_server, peer):
    client = Client(turn_server.stun_port)
    assert allocate(client).cls == SUCCESS

    def bind(number, port):
        request = Message(CHANNEL_BIND, REQUEST).add(CHANNEL_NUMBER, struct.pack("!HH", number, 0))
        request.add(XOR_PEER_ADDRESS, xor_address("127.0.0.1", port, request.transaction_id))
        for name, value in ((0x0006, b"bench"), (0x0014, client.realm.encode()), (0x0015, client.nonce)):
            request.add(name, value)
        return client.transact(request, key=KEY)

    assert bind(0x3FFF, peer.port).error_code == 400
    assert bind(0x4000, peer.port).cls == SUCCESS
    assert bind(0x4000, peer.port).cls == SUCCESS  # a rebind refreshes
    assert bind(0x4000, peer.port + 1).error_code == 400  # number taken by another peer
    assert bind(0x4001, peer.port).error_code == 400  # peer bound to another number
    # ChannelData to the peer comes back as ChannelData on the same channel.
    payload = b"hello through a channel"
    client.send_raw(struct.pack("!HH", 0x4000, len(payload)) + payload + bytes(-len(payload) % 4))
    data = client.receive()
    assert struct.unpack("!HH", data[:4]) == (0x4000, len(payload))
    assert data[4 : 4 + len(payload)] == payload


def test_send_indication_and_data_indication_over_tcp(turn_server, peer):
    client = Client(turn_server.stun_port, tcp=True)
    assert allocate(client).cls == SUCCESS
    request = Message(CREATE_PERMISSION, REQUEST)
    request.add(XOR_PEER_ADDRESS, xor_address("127.0.0.1", peer.port, request.transaction_id))
    for name, value in ((0x0006, b"bench"), (0x0014, client.realm.encode()), (0x0015, client.nonce)):
        request.add(name, value)
    assert client.transact(request, key=KEY).cls == SUCCESS
    indication = Message(0x006, 0x010)
    indication.add(XOR_PEER_ADDRESS, xor_address("127.0.0.1", peer.port, indication.transaction_id))
    indication.add(0x0013, b"over tcp")
    client.send_raw(indication.encode(fingerprint=False))
    data = Message.decode(client.receive())
    assert (data.method, data.cls) == (0x007, 0x010)
    assert data.get(0x0013) == b"over tcp"
    assert parse_xor_address(data.get(XOR_PEER_ADDRESS), data.transaction_id) == ("127.0.0.1", peer.port)


def test_ipv6_relay_and_dual_allocation(turn_server):
    client = Client(turn_server.stun_port)
    response = allocate(client, (REQUESTED_ADDRESS_FAMILY, bytes([2, 0, 0, 0])))
    assert response.cls == SUCCESS, response.error_code
    assert [host for host, _ in relayed(response)] == ["::1"]
    dual = Client(turn_server.stun_port)
    response = allocate(dual, (ADDITIONAL_ADDRESS_FAMILY, bytes([2, 0, 0, 0])))
    assert response.cls == SUCCESS, response.error_code
    assert sorted(host for host, _ in relayed(response)) == ["127.0.0.1", "::1"]
    both = Client(turn_server.stun_port)
    response = allocate(
        both, (REQUESTED_ADDRESS_FAMILY, bytes([1, 0, 0, 0])), (ADDITIONAL_ADDRESS_FAMILY, bytes([2, 0, 0, 0]))
    )
    assert response.error_code == 400


def test_wildcard_listener_and_a_burst_through_a_channel(start_switchboard, peer):
    """On a socket bound to 0.0.0.0 the server learns from IP_PKTINFO which address a client reached (the relay
    address follows it); a burst of equal datagrams crosses the relay both ways in order, whatever the server
    batches (its own recvmmsg reads, segmentation-offload sends)."""
    server = start_switchboard(args=[*TURN_ARGS, "--set", "stun.addresses=0.0.0.0"])
    client = Client(server.stun_port)
    response = allocate(client)
    assert response.cls == SUCCESS, response.error_code
    assert [host for host, _ in relayed(response)] == ["127.0.0.1"]
    request = Message(CHANNEL_BIND, REQUEST).add(CHANNEL_NUMBER, struct.pack("!HH", 0x4001, 0))
    request.add(XOR_PEER_ADDRESS, xor_address("127.0.0.1", peer.port, request.transaction_id))
    for name, value in ((0x0006, b"bench"), (0x0014, client.realm.encode()), (0x0015, client.nonce)):
        request.add(name, value)
    assert client.transact(request, key=KEY).cls == SUCCESS
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    payloads = [struct.pack("!I", index) + bytes([index % 251]) * 96 for index in range(40)]
    for payload in payloads:
        client.send_raw(struct.pack("!HH", 0x4001, len(payload)) + payload)
    echoed = []
    for _ in payloads:
        data = client.receive()
        assert struct.unpack("!HH", data[:4]) == (0x4001, len(payloads[0]))
        echoed.append(data[4:])
    assert echoed == payloads
    # The data-plane counters are published once a second.
    deadline = time.monotonic() + 5
    while server.metric("switchboard_turn_packets_total", direction="peer_to_client") < len(payloads):
        assert time.monotonic() < deadline, "relayed datagrams not counted"
        time.sleep(0.1)


def test_datagrams_longer_than_the_server_reads_are_dropped_whole(turn_server):
    """The server takes UDP datagrams of up to 2047 bytes. A longer one, from a peer or from a client, is dropped and
    counted, never relayed cut short; the datagrams around it (one exactly 2047 bytes long) arrive whole, whichever
    read takes them (NIO's of a wake-up's first datagram or the server's own recvmmsg batches)."""
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    peer.settimeout(5)
    client = Client(turn_server.stun_port)
    response = allocate(client)
    assert response.cls == SUCCESS, response.error_code
    relay = relayed(response)[0]
    request = Message(CHANNEL_BIND, REQUEST).add(CHANNEL_NUMBER, struct.pack("!HH", 0x4002, 0))
    request.add(XOR_PEER_ADDRESS, xor_address("127.0.0.1", peer.getsockname()[1], request.transaction_id))
    for name, value in ((0x0006, b"bench"), (0x0014, client.realm.encode()), (0x0015, client.nonce)):
        request.add(name, value)
    assert client.transact(request, key=KEY).cls == SUCCESS

    # Peer to client: too long, whole, too long, whole, exactly the limit.
    for index, size in enumerate([3000, 100, 2048, 200, 2047]):
        peer.sendto(bytes([index]) * size, relay)
    received = [client.receive() for _ in range(3)]
    assert [(struct.unpack("!HH", data[:4]), data[4:]) for data in received] == [
        ((0x4002, size), bytes([index]) * size) for index, size in ((1, 100), (3, 200), (4, 2047))
    ]
    # Client to peer: ChannelData of 2048 bytes in all, then two that fit (the last exactly 2047 bytes with its header).
    for index, size in enumerate([2044, 300, 2043]):
        client.send_raw(struct.pack("!HH", 0x4002, size) + bytes([index]) * size)
    assert peer.recv(65535) == bytes([1]) * 300
    assert peer.recv(65535) == bytes([2]) * 2043
    peer.close()

    deadline = time.monotonic() + 5
    while (
        turn_server.metric("switchboard_turn_dropped_packets_total", reason="too_large") < 2
        or turn_server.metric("switchboard_stun_dropped_packets_total", reason="too_large") < 1
    ):
        assert time.monotonic() < deadline, "oversized datagrams not counted"
        time.sleep(0.1)
