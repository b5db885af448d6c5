"""The relay as an attacker sees it, with the default peer policy: a permission for another allocation's relay
address (the hairpin two relay-only browsers on one host need) must not open the server's other ports, and
EVEN-PORT reservations and many usernames behind one address stay within the quotas. Driven with the raw client in
rawstun.py; every refusal is a STUN error or a counted drop, and the innocent allocations keep working."""

import base64
import hashlib
import hmac
import socket
import struct
import time

import pytest

from rawstun import (
    ALLOCATE, BINDING, CHANNEL_BIND, CHANNEL_NUMBER, CREATE_PERMISSION, DATA, DATA_ATTR, EVEN_PORT, INDICATION,
    LIFETIME, NONCE, REALM, REFRESH, REQUEST, REQUESTED_ADDRESS_FAMILY, REQUESTED_TRANSPORT, RESERVATION_TOKEN, SEND,
    SUCCESS, USERNAME, XOR_PEER_ADDRESS, XOR_RELAYED_ADDRESS, Client, Message, long_term_key, parse_xor_address, xor_address,
)

UDP = (REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))
IPV6 = (REQUESTED_ADDRESS_FAMILY, bytes([2, 0, 0, 0]))
REALM_NAME = "sec.local"
SECRET = "sec-secret"
USERS = {"alice": "alicepass", "bob": "bobpass"}
# The default peer policy (no allow list): loopback peers are this server's own addresses.
ARGS = ["--set", f"turn.realm={REALM_NAME}", "--set", "turn.users=alice:alicepass,bob:bobpass", "--set", f"turn.secrets={SECRET}"]


def key_of(username, password=None):
    return long_term_key(username, REALM_NAME, password if password is not None else USERS[username])


class Relayed:
    """One client with its allocation."""

    def __init__(self, server, host="127.0.0.1", username="alice", password=None, extra=()):
        self.client = Client(server.stun_port, host=host)
        self.username = username
        self.key = key_of(username, password)
        self.client.challenge()
        self.allocation = self.client.authenticated(ALLOCATE, username, self.key, attributes=[UDP, *extra])
        self.relay = None
        if self.allocation.cls == SUCCESS:
            self.relay = parse_xor_address(self.allocation.get(XOR_RELAYED_ADDRESS), self.allocation.transaction_id)

    def request(self, method, *attributes, peer=None):
        """An authenticated request; `peer` becomes its XOR-PEER-ADDRESS (XORed with this very transaction ID)."""
        request = Message(method, REQUEST)
        for attribute in attributes:
            request.add(*attribute)
        if peer is not None:
            request.add(XOR_PEER_ADDRESS, xor_address(peer[0], peer[1], request.transaction_id))
        for name, value in ((USERNAME, self.username.encode()), (REALM, self.client.realm.encode())):
            request.add(name, value)
        request.add(NONCE, self.client.nonce)
        return self.client.transact(request, key=self.key)

    def permit(self, peer):
        return self.request(CREATE_PERMISSION, peer=peer)

    def bind(self, number, peer):
        return self.request(CHANNEL_BIND, (CHANNEL_NUMBER, struct.pack("!HH", number, 0)), peer=peer)

    def send(self, peer, payload):
        message = Message(SEND, INDICATION)
        message.add(XOR_PEER_ADDRESS, xor_address(peer[0], peer[1], message.transaction_id))
        message.add(DATA_ATTR, payload)
        self.client.send_raw(message.encode(fingerprint=True))

    def channel_data(self, number, payload):
        self.client.send_raw(struct.pack("!HH", number, len(payload)) + payload + b"\0" * (-len(payload) % 4))

    def received(self, timeout=2.0):
        """The payload of the next Data indication or ChannelData, or None when nothing arrives in time."""
        self.client.sock.settimeout(timeout)
        try:
            while True:
                raw = self.client.sock.recv(65535)
                if raw[0] >= 0x40:
                    length = struct.unpack("!H", raw[2:4])[0]
                    return raw[4 : 4 + length]
                message = Message.decode(raw)
                if message.method == DATA and message.cls == INDICATION:
                    return message.get(DATA_ATTR)
        except (socket.timeout, TimeoutError):
            return None
        finally:
            self.client.sock.settimeout(5)

    def delete(self):
        return self.request(REFRESH, (LIFETIME, struct.pack("!I", 0)))


def udp_socket(host, port=0):
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    sock.settimeout(1.0)
    return sock


def arrives(sock):
    try:
        return sock.recvfrom(4096)[0]
    except (socket.timeout, TimeoutError):
        return None


def flushed_metric(server, name, **labels):
    time.sleep(1.3)  # the data-plane counters are flushed once a second
    return server.metric(name, **labels)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_hairpin_permission_reaches_only_live_relay_addresses(start_switchboard, host):
    server = start_switchboard(args=ARGS)
    extra = (IPV6,) if ":" in host else ()
    attacker = Relayed(server, host, "alice", extra=extra)
    victim = Relayed(server, host, "bob", extra=extra)
    assert attacker.relay[0] == host and victim.relay[0] == host

    # The hairpin itself works: two relayed clients of this server reach each other.
    assert attacker.permit(victim.relay).cls == SUCCESS
    assert victim.permit(attacker.relay).cls == SUCCESS
    attacker.send(victim.relay, b"hello via the hairpin")
    assert victim.received() == b"hello via the hairpin"

    # Any other port of the same IP stays closed through that permission: a local UDP service ...
    service = udp_socket(host)
    attacker.send(service.getsockname()[:2], b"into a local service")
    assert arrives(service) is None
    # ... and the server's own STUN/TURN port: a relayed Binding is never answered, a relayed Allocate never nests.
    attacker.send((host, server.stun_port), Message(BINDING, REQUEST).encode(fingerprint=True))
    created = server.metric("switchboard_turn_allocations_created_total")
    attacker.send((host, server.stun_port), Message(ALLOCATE, REQUEST).add(*UDP).encode(fingerprint=True))
    assert attacker.received(timeout=1.0) is None
    # A local service cannot send in through the permission either.
    service.sendto(b"from a local service", attacker.relay)
    assert attacker.received(timeout=1.0) is None
    assert flushed_metric(server, "switchboard_turn_forbidden_total", reason="server_address") >= 4
    assert server.metric("switchboard_turn_allocations_created_total") == created

    # The innocent pair still talks, both ways.
    victim.send(attacker.relay, b"still here")
    assert attacker.received() == b"still here"
    assert server.process.poll() is None


def test_channel_to_a_relay_stops_when_that_relay_is_freed(start_switchboard):
    server = start_switchboard(args=ARGS)
    attacker = Relayed(server, username="alice")
    victim = Relayed(server, username="bob")
    assert attacker.bind(0x4001, victim.relay).cls == SUCCESS
    assert victim.permit(attacker.relay).cls == SUCCESS
    attacker.channel_data(0x4001, b"over the channel")
    assert victim.received() == b"over the channel"
    # ChannelBind to the listening port, or a port that is not a relay, is refused outright.
    assert attacker.bind(0x4002, ("127.0.0.1", server.stun_port)).error_code == 403
    squatter = udp_socket("127.0.0.1")
    assert attacker.bind(0x4003, squatter.getsockname()).error_code == 403

    # The victim's relay is freed and its port taken by another local process: the channel leads nowhere now.
    freed = victim.relay
    assert victim.delete().cls == SUCCESS
    time.sleep(0.2)
    taken = udp_socket(*freed)
    attacker.channel_data(0x4001, b"after the relay is gone")
    attacker.send(freed, b"after the relay is gone")
    assert arrives(taken) is None
    assert flushed_metric(server, "switchboard_turn_forbidden_total", reason="server_address") >= 2


def test_ipv4_mapped_forms_of_the_server_address_stay_closed(start_switchboard):
    """`::ffff:127.0.0.1` is the same host as 127.0.0.1: neither a permission for it nor a datagram sent to it
    through a hairpin permission reaches a port that is not a live relay."""
    server = start_switchboard(args=ARGS)
    attacker = Relayed(server, "127.0.0.1", "alice")
    victim = Relayed(server, "127.0.0.1", "bob")
    service = udp_socket("127.0.0.1")
    for port in [service.getsockname()[1], server.stun_port]:
        assert attacker.permit(("::ffff:127.0.0.1", port)).error_code == 403
    assert attacker.permit(("::ffff:127.0.0.1", victim.relay[1])).cls == SUCCESS
    for port in [service.getsockname()[1], server.stun_port]:
        attacker.send(("::ffff:127.0.0.1", port), Message(BINDING, REQUEST).encode(fingerprint=True))
    assert arrives(service) is None
    assert attacker.received(timeout=1.0) is None
    # An IPv6-only allocation has no way to an IPv4 peer at all (443).
    ipv6_only = Relayed(server, "::1", "alice", extra=(IPV6,))
    assert ipv6_only.permit(("::ffff:127.0.0.1", service.getsockname()[1])).error_code == 443


def test_even_port_reservations_count_against_the_quotas(start_switchboard):
    server = start_switchboard(args=ARGS + ["--set", "turn.quota.perUser=4", "--set", "turn.quota.perClientAddress=4"])
    refused = 0
    for _ in range(6):
        holder = Relayed(server, username="alice", extra=((EVEN_PORT, b"\x80"),))
        if holder.allocation.cls != SUCCESS:
            assert holder.allocation.error_code == 486
            refused += 1
            continue
        assert holder.allocation.get(RESERVATION_TOKEN) is not None
        assert holder.delete().cls == SUCCESS  # the allocation goes, its reservation stays for 30 s
    # Each reservation holds a place: two of them fill the quota of four (allocation + reservation each).
    assert refused >= 3
    assert server.metric("switchboard_turn_quota_refusals_total", quota="user") >= 3
    # Claiming a reservation gives its place back to the one who presents the token.
    claimer = Relayed(server, "::1", username="bob", extra=((EVEN_PORT, b"\x80"),))
    assert claimer.allocation.cls == SUCCESS
    token = claimer.allocation.get(RESERVATION_TOKEN)
    second = Relayed(server, "::1", username="bob", extra=((RESERVATION_TOKEN, token),))
    assert second.allocation.cls == SUCCESS, second.allocation.error_code
    assert second.relay[1] == claimer.relay[1] + 1


def rest_username(user, expiry):
    username = f"{expiry}:{user}"
    password = base64.b64encode(hmac.new(SECRET.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return username, password


def test_fresh_rest_usernames_and_many_users_cannot_exceed_one_addresses_quota(start_switchboard):
    server = start_switchboard(args=ARGS + ["--set", "turn.quota.perUser=3", "--set", "turn.quota.perClientAddress=5"])
    now = int(time.time()) + 3600
    # Fresh usernames of one REST user share its quota.
    results = []
    for offset in range(4):
        username, password = rest_username("room-1", now + offset)
        results.append(Relayed(server, username=username, password=password).allocation)
    assert [r.cls == SUCCESS for r in results] == [True, True, True, False]
    assert results[3].error_code == 486
    # Many users behind one address stop at the per-address quota ...
    more = []
    for index in range(3):
        username, password = rest_username(f"room-x{index}", now)
        more.append(Relayed(server, username=username, password=password).allocation)
    assert [r.cls == SUCCESS for r in more] == [True, True, False]
    assert server.metric("switchboard_turn_quota_refusals_total", quota="client_address") >= 1
    # ... while another address (::1) still gets its allocation.
    innocent = Relayed(server, "::1", "bob")
    assert innocent.allocation.cls == SUCCESS
