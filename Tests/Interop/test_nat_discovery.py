"""RFC 5780 NAT behaviour discovery on the UDP listeners (stun.alternateAddress, stun.alternatePort).

coturn's own client, turnutils_natdiscovery, is run against Switchboard and against coturn configured the same way
(127.0.0.1 and 127.0.0.2, a port and the next one), and must reach the same verdicts from responses that leave the
same addresses. The raw client checks what natdiscovery does not: which socket a reply leaves from, RESPONSE-PORT,
PADDING and the 420 of an impossible change.
"""

import json
import re
import socket
import struct
import subprocess
import time

import pytest

import rawstun
from conftest import BINARY, free_port

CHANGE_REQUEST, PADDING, RESPONSE_PORT = 0x0003, 0x0026, 0x0027
RESPONSE_ORIGIN, OTHER_ADDRESS = 0x802B, 0x802C


def plain_address(value):
    """(host, port) of a MAPPED-ADDRESS-style value (IPv4)."""
    port = struct.unpack("!H", value[2:4])[0]
    return socket.inet_ntoa(value[4:8]), port


def two_ports():
    """A port and the next one, both free (coturn's alternate port is chosen explicitly, as Switchboard's)."""
    for _ in range(50):
        port = free_port()
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.bind(("127.0.0.2", port + 1))
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.bind(("127.0.0.1", port + 1))
            return port, port + 1
        except OSError:
            continue
    raise RuntimeError("no two free ports")


def natdiscovery(port):
    result = subprocess.run(
        ["turnutils_natdiscovery", "-m", "-f", "-H", "-p", str(port), "127.0.0.1"],
        capture_output=True, text=True, timeout=60,
    )
    return result.stdout + result.stderr


def summary(output, port, alternate_port):
    """The verdicts and, per response, its origin as roles (A1/A2, P1/P2), so runs on other ports compare."""
    roles = {"127.0.0.1": "A1", "127.0.0.2": "A2", str(port): "P1", str(alternate_port): "P2"}
    origins = [
        roles.get(ip, ip) + ":" + roles.get(p, p)
        for ip, p in re.findall(r"Response origin: : ([\d.]+):(\d+)", output)
    ]
    verdicts = re.findall(r"^(NAT with .*|.*hairpinning.*)$", output, re.MULTILINE)
    return verdicts, origins


@pytest.fixture
def coturn():
    port, alternate = two_ports()
    process = subprocess.Popen(
        [
            "turnserver", "-n", "--listening-ip=127.0.0.1", "--listening-ip=127.0.0.2",
            f"--listening-port={port}", f"--alt-listening-port={alternate}",
            "--no-tls", "--no-dtls", "--no-tcp", "--no-cli", "--log-file=stdout", "--simple-log",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for_binding(port)
    yield port, alternate
    process.terminate()
    process.wait(timeout=10)


def wait_for_binding(port, host="127.0.0.1", timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        client = rawstun.Client(port, host=host)
        client.sock.settimeout(0.5)
        try:
            client.transact(rawstun.Message(rawstun.BINDING, rawstun.REQUEST))
            return
        except OSError:
            time.sleep(0.2)
        finally:
            client.close()
    raise RuntimeError(f"nothing answers Binding on {host}:{port}")


def discovery_server(start_switchboard, alternate_address=True):
    port, alternate = two_ports()
    args = ["--set", f"stun.port={port}", "--set", f"stun.alternatePort={alternate}"]
    if alternate_address:
        args += ["--set", "stun.alternateAddress=127.0.0.2"]
    server = start_switchboard(args=args)
    return server, port, alternate


def test_natdiscovery_reaches_the_same_answers_as_against_coturn(start_switchboard, coturn):
    server, port, alternate = discovery_server(start_switchboard)
    ours = natdiscovery(port)
    theirs = natdiscovery(coturn[0])
    verdicts, origins = summary(ours, port, alternate)
    assert verdicts == summary(theirs, *coturn)[0], ours + "\n----- coturn -----\n" + theirs
    assert "NAT with Endpoint Independent Mapping!" in verdicts, ours
    assert "NAT with Endpoint Independent Filtering!" in verdicts, ours
    # Every reply left from where coturn's did: the changed ones from A2 (mapping test II) and A2:P2 (filtering).
    assert set(origins) == set(summary(theirs, *coturn)[1]), ours + "\n----- coturn -----\n" + theirs
    assert {"A1:P1", "A2:P1", "A2:P2"} <= set(origins), ours


def transact_on(client, message, timeout=5):
    """Sends `message` and returns (response, address it came from)."""
    client.sock.settimeout(timeout)
    client.send_raw(message.encode())
    while True:
        data, origin = client.sock.recvfrom(65535)
        response = rawstun.Message.decode(data)
        if response.transaction_id == message.transaction_id:
            return response, origin


@pytest.mark.parametrize(
    "flags, expected",
    [(0, ("127.0.0.1", "P1")), (2, ("127.0.0.1", "P2")), (4, ("127.0.0.2", "P1")), (6, ("127.0.0.2", "P2"))],
)
def test_a_change_request_is_answered_from_the_changed_socket(start_switchboard, flags, expected):
    server, port, alternate = discovery_server(start_switchboard)
    ports = {"P1": port, "P2": alternate}
    client = rawstun.Client(port)
    try:
        request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST).add(CHANGE_REQUEST, struct.pack("!I", flags))
        response, origin = transact_on(client, request)
    finally:
        client.close()
    assert response.cls == rawstun.SUCCESS
    assert origin == (expected[0], ports[expected[1]])
    assert plain_address(response.get(RESPONSE_ORIGIN)) == origin
    assert plain_address(response.get(OTHER_ADDRESS)) == ("127.0.0.2", alternate)


def test_response_port_and_padding(start_switchboard):
    server, port, _ = discovery_server(start_switchboard)
    client = rawstun.Client(port)
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.bind(("127.0.0.1", 0))
    other.settimeout(5)
    try:
        # RESPONSE-PORT: the reply goes to the other port of the same IP, and maps the port that asked.
        request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST)
        request.add(RESPONSE_PORT, struct.pack("!HH", other.getsockname()[1], 0))
        client.send_raw(request.encode())
        response = rawstun.Message.decode(other.recv(65535))
        assert response.transaction_id == request.transaction_id and response.cls == rawstun.SUCCESS
        mapped = rawstun.parse_xor_address(response.get(rawstun.XOR_MAPPED_ADDRESS), request.transaction_id)
        assert mapped[1] == client.sock.getsockname()[1]

        # PADDING comes back no larger than it went.
        request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST).add(PADDING, bytes(1000))
        response, _ = transact_on(client, request)
        assert len(response.get(PADDING)) == 1000

        # Both together: 400, to the port that asked.
        request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST)
        request.add(RESPONSE_PORT, struct.pack("!HH", other.getsockname()[1], 0)).add(PADDING, bytes(64))
        response, _ = transact_on(client, request)
        assert response.error_code == 400
    finally:
        client.close()
        other.close()


def test_with_one_address_only_ports_change(start_switchboard):
    server, port, alternate = discovery_server(start_switchboard, alternate_address=False)
    client = rawstun.Client(port)
    try:
        request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST).add(CHANGE_REQUEST, struct.pack("!I", 2))
        response, origin = transact_on(client, request)
        assert origin == ("127.0.0.1", alternate)
        assert plain_address(response.get(OTHER_ADDRESS)) == ("127.0.0.1", alternate)

        request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST).add(CHANGE_REQUEST, struct.pack("!I", 4))
        response, origin = transact_on(client, request)
        assert response.error_code == 420 and origin == ("127.0.0.1", port)
        assert struct.unpack("!H", response.get(rawstun.UNKNOWN_ATTRIBUTES)[:2])[0] == CHANGE_REQUEST
    finally:
        client.close()


def test_without_the_keys_change_request_is_unknown(switchboard):
    client = rawstun.Client(switchboard.stun_port)
    try:
        request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST).add(CHANGE_REQUEST, struct.pack("!I", 2))
        response, _ = transact_on(client, request)
        assert response.error_code == 420
        plain, _ = transact_on(client, rawstun.Message(rawstun.BINDING, rawstun.REQUEST))
        assert plain.get(OTHER_ADDRESS) is None
    finally:
        client.close()


def nat_probe(*args):
    return subprocess.run([BINARY, "nat-probe", *args], capture_output=True, text=True, timeout=60)


def test_nat_probe_against_switchboard_and_coturn(start_switchboard, coturn):
    server, port, alternate = discovery_server(start_switchboard)
    for target, other in ((port, f"127.0.0.2:{alternate}"), (coturn[0], f"127.0.0.2:{coturn[1]}")):
        result = nat_probe("--json", f"127.0.0.1:{target}")
        assert result.returncode == 0, result.stderr
        verdict = json.loads(result.stdout)
        # Loopback: no translation, nothing filtered, the request to our own address comes back.
        assert verdict["nat"] is False and verdict["classicName"] == "open", verdict
        assert verdict["mapping"] == verdict["filtering"] == "endpoint-independent", verdict
        assert verdict["hairpinning"] is True and verdict["otherAddress"] == other, verdict


def test_nat_probe_says_when_the_server_lacks_rfc5780(switchboard):
    result = nat_probe(f"127.0.0.1:{switchboard.stun_port}")
    assert result.returncode == 2
    assert "not RFC 5780 (no OTHER-ADDRESS" in result.stderr and result.stdout == ""
