"""TURN over TLS (turns:, RFC 8656 section 3.1) on stun.tlsPort: coturn's turnutils_uclient -S relays through it with
no loss, TLS 1.2 and 1.3 both carry STUN, and the TCP connection limits hold for TLS connections too."""

import socket
import ssl
import subprocess
import time

import pytest

from conftest import ROOT, TURN_ARGS, free_port
from rawstun import BINDING, REQUEST, XOR_MAPPED_ADDRESS, Client, Message
from test_turn_uclient import assert_no_loss


def certificate(directory):
    subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(directory)], check=True, capture_output=True)
    return ["--set", f"tls.certificateFile={directory / 'cert.pem'}", "--set", f"tls.privateKeyFile={directory / 'key.pem'}"]


def wait_for_listener(server, transport, port, timeout=30):
    deadline = time.monotonic() + timeout
    while not any(
        "STUN listening" in line and f"transport={transport}" in line and f":{port}" in line
        for line in server.log().splitlines()
    ):
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)


@pytest.fixture
def turns_server(start_switchboard, tmp_path):
    tls_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(args=[*TURN_ARGS, *certificate(tmp_path), "--set", f"stun.tlsPort={tls_port}"])
    server.tls_port = tls_port
    wait_for_listener(server, "tls", tls_port)
    return server


def uclient_tls(port, *flags, peer=None, timeout=180):
    command = ["turnutils_uclient", "-S", "-t", "-p", str(port), *flags]
    if peer is not None:
        command += ["-e", "127.0.0.1", "-r", str(peer.port)]
    command.append("127.0.0.1")
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    return result.stdout + result.stderr


class TLSClient(Client):
    """rawstun's TCP client with TLS under the STUN framing."""

    def __init__(self, port, version):
        super().__init__(port, tcp=True)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.minimum_version = version
        context.maximum_version = version
        self.sock = context.wrap_socket(self.sock)


@pytest.mark.parametrize("flags, clients, messages", [(["-c"], 2, 30), (["-c", "-s"], 2, 30), ([], 2, 20)])
def test_uclient_over_tls_through_a_peer(turns_server, peer, flags, clients, messages):
    output = uclient_tls(
        turns_server.tls_port, "-u", "bench", "-w", "benchpass", "-X", "-l", "120", "-m", str(clients),
        "-n", str(messages), *flags, peer=peer,
    )
    assert_no_loss(output, clients * messages)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_binding_over_each_tls_version(turns_server, version):
    client = TLSClient(turns_server.tls_port, version)
    try:
        assert client.sock.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
        request = Message(BINDING, REQUEST)
        response = client.transact(request)
        assert response.transaction_id == request.transaction_id
        assert response.get(XOR_MAPPED_ADDRESS) is not None
    finally:
        client.close()


def test_tls_1_1_is_refused_by_the_server(turns_server):
    # The client offers only TLS 1.1 at the lowest security level, so the refusal can only come from the server.
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{turns_server.tls_port}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
        input="", capture_output=True, text=True, timeout=30,
    )
    assert "alert protocol version" in result.stdout + result.stderr, result.stdout + result.stderr


def test_plain_stun_on_the_tls_port_is_not_served(turns_server):
    # A cleartext STUN request is not a ClientHello: the connection closes without an answer.
    client = Client(turns_server.tls_port, tcp=True)
    try:
        client.send_raw(Message(BINDING, REQUEST).encode())
        with pytest.raises((ConnectionError, OSError)):
            client.receive()
    finally:
        client.close()
    assert turns_server.process.poll() is None


def test_tls_connections_count_under_the_tcp_caps(start_switchboard, tmp_path):
    tls_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=[*certificate(tmp_path), "--set", f"stun.tlsPort={tls_port}", "--set", "stun.tcpMaxConnectionsPerAddress=2"]
    )
    wait_for_listener(server, "tls", tls_port)
    held = [TLSClient(tls_port, ssl.TLSVersion.TLSv1_3) for _ in range(2)]
    try:
        with pytest.raises((ssl.SSLError, OSError)):
            third = TLSClient(tls_port, ssl.TLSVersion.TLSv1_3)
            third.transact(Message(BINDING, REQUEST))
        assert server.metric("switchboard_stun_tcp_connections_refused_total", reason="per_address") >= 1
        # The two admitted connections still work.
        for client in held:
            assert client.transact(Message(BINDING, REQUEST)).get(XOR_MAPPED_ADDRESS) is not None
    finally:
        for client in held:
            client.close()


def test_an_unfinished_handshake_is_closed_after_the_framing_timeout(start_switchboard, tmp_path):
    tls_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=[*certificate(tmp_path), "--set", f"stun.tlsPort={tls_port}", "--set", "stun.tcpFramingTimeoutSeconds=1"]
    )
    wait_for_listener(server, "tls", tls_port)
    with socket.create_connection(("127.0.0.1", tls_port)) as sock:
        # The first bytes of a ClientHello record header, then nothing: the server must not wait for the rest.
        sock.sendall(b"\x16\x03\x01")
        sock.settimeout(30)
        assert sock.recv(100) == b""
    assert server.metric("switchboard_stun_tcp_connections_closed_total", reason="framing_timeout") >= 1


def test_handed_turns_url_relays_with_its_credential(start_switchboard, tmp_path, peer):
    from test_dialect_ice import join_and_get_ice

    tls_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=[*certificate(tmp_path), "--set", f"stun.tlsPort={tls_port}", "--set", "turn.peers.allow=127.0.0.1"]
    )
    wait_for_listener(server, "tls", tls_port)
    turn_entry = join_and_get_ice(server)["iceServers"][1]
    assert turn_entry["urls"] == [
        f"turn:127.0.0.1:{server.stun_port}?transport=udp",
        f"turn:127.0.0.1:{server.stun_port}?transport=tcp",
        f"turns:127.0.0.1:{tls_port}?transport=tcp",
    ]
    output = uclient_tls(
        tls_port, "-u", turn_entry["username"], "-w", turn_entry["credential"], "-X", "-c", "-n", "20", peer=peer
    )
    assert_no_loss(output, 20)
