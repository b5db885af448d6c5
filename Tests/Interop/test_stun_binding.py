"""The STUN binding responder against clients no one here wrote: coturn's turnutils_stunclient and aioice."""

import asyncio
import os
import random
import re
import socket
import struct
import subprocess
import threading
import time

import pytest
from aioice import stun
from aioice.ice import StunProtocol

MAGIC_COOKIE = 0x2112A442


class _Receiver:
    """The minimum aioice's StunProtocol needs from its owner when it is used as a plain STUN client."""

    def data_received(self, data, component):
        pass

    def request_received(self, message, addr, protocol, raw_data):
        pass

    def protocol_lost(self, protocol):
        pass


async def aioice_udp_binding(host, port, fingerprint=True):
    """One Binding transaction with aioice's own UDP client code (retransmissions included)."""
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: StunProtocol(_Receiver()), local_addr=(host, 0), family=family
    )
    try:
        request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
        if fingerprint:
            request.add_fingerprint()
        response, _ = await protocol.request(request, (host, port))
        return response, transport.get_extra_info("sockname")
    finally:
        transport.close()


async def aioice_tcp_binding(host, port, count=3):
    """Binding requests over one TCP connection (RFC 8489 section 6.2.2), parsed with aioice's codec."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        local = writer.get_extra_info("sockname")
        responses = []
        for _ in range(count):
            request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
            request.add_fingerprint()
            writer.write(bytes(request))
            await writer.drain()
            header = await asyncio.wait_for(reader.readexactly(20), 10)
            length = struct.unpack("!H", header[2:4])[0]
            body = await asyncio.wait_for(reader.readexactly(length), 10)
            response = stun.parse_message(header + body)
            assert response.transaction_id == request.transaction_id
            responses.append(response)
        return responses, local
    finally:
        writer.close()


def raw_request(transaction_id, attributes=b"", message_type=0x0001, length=None):
    if length is None:
        length = len(attributes)
    return struct.pack("!HHI", message_type, length, MAGIC_COOKIE) + transaction_id + attributes


def udp_exchange(port, payload, host="127.0.0.1", timeout=2.0):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(payload, (host, port))
        try:
            return sock.recv(2048)
        except socket.timeout:
            return None


def test_turnutils_stunclient_gets_its_reflexive_address(switchboard):
    result = subprocess.run(
        ["turnutils_stunclient", "-p", str(switchboard.stun_port), "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    match = re.search(r"UDP reflexive addr: 127\.0\.0\.1:(\d+)", output)
    assert match, output
    assert 0 < int(match.group(1)) < 65536


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_aioice_udp_binding(switchboard, host):
    response, local = asyncio.run(aioice_udp_binding(host, switchboard.stun_port))
    assert response.message_class == stun.Class.RESPONSE
    assert response.message_method == stun.Method.BINDING
    assert response.attributes["XOR-MAPPED-ADDRESS"] == (local[0], local[1])
    assert response.attributes["MAPPED-ADDRESS"] == (local[0], local[1])
    assert response.attributes["SOFTWARE"] == "Switchboard"
    # aioice verified the FINGERPRINT while parsing; it is there because the request carried one.
    assert "FINGERPRINT" in response.attributes


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_a_burst_from_several_sockets_is_answered_in_full(switchboard, host):
    """Every request of a burst (sent before any answer is read, so the server reads and answers in batches) gets
    exactly one answer, for its own transaction, carrying its own socket's address."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets = [socket.socket(family, socket.SOCK_DGRAM) for _ in range(4)]
    try:
        expected = []
        for sock in sockets:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            sock.bind((host, 0))
            expected.append(set())
        for _ in range(100):
            for index, sock in enumerate(sockets):
                request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
                request.add_fingerprint()
                expected[index].add(request.transaction_id)
                sock.sendto(bytes(request), (host, switchboard.stun_port))
        for index, sock in enumerate(sockets):
            local = sock.getsockname()[:2]
            sock.settimeout(5)
            while expected[index]:
                response = stun.parse_message(sock.recv(2048))
                assert response.message_class == stun.Class.RESPONSE
                assert response.transaction_id in expected[index]
                expected[index].remove(response.transaction_id)
                assert response.attributes["XOR-MAPPED-ADDRESS"] == local
            sock.settimeout(0.2)
            with pytest.raises(socket.timeout):
                sock.recv(2048)  # one answer per request, no more
    finally:
        for sock in sockets:
            sock.close()


def test_no_fingerprint_when_the_request_had_none(switchboard):
    response, _ = asyncio.run(aioice_udp_binding("127.0.0.1", switchboard.stun_port, fingerprint=False))
    assert "FINGERPRINT" not in response.attributes
    assert "XOR-MAPPED-ADDRESS" in response.attributes


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_aioice_tcp_binding(switchboard, host):
    responses, local = asyncio.run(aioice_tcp_binding(host, switchboard.stun_port))
    assert len(responses) == 3
    for response in responses:
        assert response.message_class == stun.Class.RESPONSE
        assert response.attributes["XOR-MAPPED-ADDRESS"] == (local[0], local[1])
        assert "FINGERPRINT" in response.attributes


def test_unknown_comprehension_required_attribute_gets_420(switchboard):
    transaction_id = os.urandom(12)
    # 0x7FF0 is comprehension-required and unassigned; 0xC001 is comprehension-optional and must be ignored.
    attributes = struct.pack("!HH", 0x7FF0, 4) + b"abcd" + struct.pack("!HH", 0xC001, 4) + b"efgh"
    data = udp_exchange(switchboard.stun_port, raw_request(transaction_id, attributes))
    assert data is not None
    response = stun.parse_message(data)
    assert response.message_class == stun.Class.ERROR
    assert response.transaction_id == transaction_id
    assert response.attributes["ERROR-CODE"][0] == 420
    # aioice does not decode UNKNOWN-ATTRIBUTES (0x000A); read it from the bytes.
    offset = 20
    unknown = None
    while offset + 4 <= len(data):
        attribute_type, length = struct.unpack("!HH", data[offset : offset + 4])
        if attribute_type == 0x000A:
            unknown = [struct.unpack("!H", data[offset + 4 + i : offset + 6 + i])[0] for i in range(0, length, 2)]
        offset += 4 + length + (-length % 4)
    assert unknown == [0x7FF0]


def test_only_optional_unknown_attributes_still_succeed(switchboard):
    transaction_id = os.urandom(12)
    data = udp_exchange(switchboard.stun_port, raw_request(transaction_id, struct.pack("!HH", 0xC001, 4) + b"efgh"))
    response = stun.parse_message(data)
    assert response.message_class == stun.Class.RESPONSE


def test_malformed_request_gets_400(switchboard):
    transaction_id = os.urandom(12)
    # An attribute whose length runs past the end of the message.
    attributes = struct.pack("!HH", 0x8022, 200) + b"abcd"
    data = udp_exchange(switchboard.stun_port, raw_request(transaction_id, attributes))
    assert data is not None
    response = stun.parse_message(data)
    assert response.message_class == stun.Class.ERROR
    assert response.transaction_id == transaction_id
    assert response.attributes["ERROR-CODE"][0] == 400


def test_non_stun_datagrams_are_dropped_silently(switchboard):
    for payload in [b"", b"hello world", b"\xff" * 40, bytes(19), raw_request(os.urandom(12))[:-1]]:
        assert udp_exchange(switchboard.stun_port, payload, timeout=0.3) is None
    # A request with a wrong FINGERPRINT is discarded too (RFC 8489 section 7.3).
    request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    request.add_fingerprint()
    data = bytearray(bytes(request))
    data[-1] ^= 0xFF
    assert udp_exchange(switchboard.stun_port, bytes(data), timeout=0.3) is None
    assert switchboard.metric("switchboard_stun_dropped_packets_total", reason="not_stun") >= 4
    assert switchboard.metric("switchboard_stun_dropped_packets_total", reason="bad_fingerprint") >= 1


def test_real_clients_keep_getting_answers_during_a_malformed_flood(switchboard):
    flood_size = 20000
    sent = [0]

    def flood():
        rng = random.Random(1234)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            while sent[0] < flood_size:
                # Paced at roughly 10,000 datagrams a second: a malformed-input flood, not a bandwidth test (the
                # debug build shares two cores with this test, and loss from sheer volume is not what is tested).
                if sent[0] % 100 == 0:
                    time.sleep(0.01)
                kind = rng.randrange(4)
                if kind == 0:
                    payload = rng.randbytes(rng.randrange(0, 600))
                elif kind == 1:  # STUN-looking header with a lying length
                    payload = raw_request(rng.randbytes(12), rng.randbytes(rng.randrange(0, 64)), length=rng.randrange(0, 65536))
                elif kind == 2:  # attributes with odd lengths and overruns
                    attributes = b"".join(
                        struct.pack("!HH", rng.randrange(65536), rng.randrange(0, 300)) + rng.randbytes(rng.randrange(0, 9))
                        for _ in range(rng.randrange(1, 6))
                    )
                    payload = raw_request(rng.randbytes(12), attributes + bytes(-len(attributes) % 4))
                else:  # ChannelData with no allocation
                    payload = struct.pack("!HH", 0x4000 + rng.randrange(0x1000), 8) + rng.randbytes(8)
                try:
                    sock.sendto(payload, ("127.0.0.1", switchboard.stun_port))
                except OSError:
                    pass
                sent[0] += 1

    flooder = threading.Thread(target=flood)
    flooder.start()
    stunclient_runs = 0
    aioice_runs = 0
    try:
        # Real clients query for as long as the flood lasts; every one of their transactions must succeed.
        while flooder.is_alive() or stunclient_runs < 5:
            result = subprocess.run(
                ["turnutils_stunclient", "-p", str(switchboard.stun_port), "127.0.0.1"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert "UDP reflexive addr" in result.stdout + result.stderr, result.stdout + result.stderr
            stunclient_runs += 1
            response, _ = asyncio.run(aioice_udp_binding("127.0.0.1", switchboard.stun_port))
            assert "XOR-MAPPED-ADDRESS" in response.attributes
            responses, _ = asyncio.run(aioice_tcp_binding("127.0.0.1", switchboard.stun_port, count=2))
            assert len(responses) == 2
            aioice_runs += 1
    finally:
        sent[0] = flood_size
        flooder.join()
    assert stunclient_runs >= 5 and aioice_runs >= 5
    assert switchboard.process.poll() is None
    dropped = sum(
        switchboard.metric("switchboard_stun_dropped_packets_total", reason=reason)
        for reason in ("not_stun", "malformed", "channel_data", "bad_fingerprint", "indication", "response")
    )
    assert dropped > 1000
    assert switchboard.metric("switchboard_stun_error_responses_total", code="400") > 0


def test_a_bad_tcp_peer_is_disconnected_without_disturbing_others(switchboard):
    async def scenario():
        good_reader, good_writer = await asyncio.open_connection("127.0.0.1", switchboard.stun_port)
        bad_reader, bad_writer = await asyncio.open_connection("127.0.0.1", switchboard.stun_port)
        bad_writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await bad_writer.drain()
        assert await asyncio.wait_for(bad_reader.read(), 10) == b""  # closed by the server
        request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
        good_writer.write(bytes(request))
        await good_writer.drain()
        header = await asyncio.wait_for(good_reader.readexactly(20), 10)
        body = await good_reader.readexactly(struct.unpack("!H", header[2:4])[0])
        good_writer.close()
        return stun.parse_message(header + body)

    response = asyncio.run(scenario())
    assert response.message_class == stun.Class.RESPONSE
    responses, _ = asyncio.run(aioice_tcp_binding("127.0.0.1", switchboard.stun_port, count=1))
    assert len(responses) == 1


def test_metrics_count_bindings_per_transport(switchboard):
    asyncio.run(aioice_udp_binding("127.0.0.1", switchboard.stun_port))
    asyncio.run(aioice_tcp_binding("127.0.0.1", switchboard.stun_port, count=2))
    assert switchboard.metric("switchboard_stun_success_responses_total", transport="udp") >= 1
    assert switchboard.metric("switchboard_stun_success_responses_total", transport="tcp") >= 2
    assert switchboard.metric("switchboard_stun_requests_total", transport="tcp") >= 2
