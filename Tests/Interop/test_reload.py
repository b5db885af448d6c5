"""Reloading the configuration of a running server (issue 18 item 2): SIGHUP, or `switchboard reload` through the
pid file, re-reads the file. TURN secrets, users, quotas, peer lists, bandwidth cap, log level and the TLS
certificate change at once; allocations, WebSocket and polling sessions and open TLS connections survive; keys that
need a restart are reported and left alone; an invalid file is rejected with check-config's lines. A certificate
renewed on disk (as an ACME client does it: new files, symbolic links swapped) reaches new connections without a
signal."""

import os

import base64
import hashlib
import hmac
import json
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest
import rawstun
import socketio
from conftest import BINARY, ROOT, free_port
from test_turn_uclient import assert_no_loss

REALM = "reload.local"


def config_text(secrets=("oldsecret",), users=("alice:alicepass", "bob:bobpass"), log_level="info", extra=""):
    secret_lines = "".join(f"\n    - {secret}" for secret in secrets)
    user_lines = "".join(f"\n    - {user}" for user in users)
    return f"""log:
  level: {log_level}
turn:
  realm: {REALM}
  secrets:{secret_lines}
  users:{user_lines}
  peers:
    allow: ["127.0.0.1", "::1"]
  quota:
    perUser: 100
    perClientAddress: 0
{extra}"""


class Reloading:
    """A server started from a configuration file that the test rewrites and reloads."""

    def __init__(self, start_switchboard, tmp_path, text, args=()):
        self.path = tmp_path / "switchboard.yaml"
        self.path.write_text(text)
        self.server = start_switchboard(args=list(args), config=self.path)

    def reloads(self):
        log = self.server.log()
        return log.count("configuration reloaded") + log.count("configuration reload rejected")

    def reload(self, text=None, send=None):
        """Rewrites the file (when given text), signals the server and waits until it logged the outcome."""
        if text is not None:
            self.path.write_text(text)
        before = self.reloads()
        if send is None:
            self.server.process.send_signal(signal.SIGHUP)
        else:
            send()
        deadline = time.monotonic() + 20
        while self.reloads() == before:
            assert self.server.process.poll() is None, self.server.log()
            assert time.monotonic() < deadline, self.server.log()
            time.sleep(0.05)
        return self.server.log()


TOKEN = "reload-token-0123456789"


@pytest.fixture
def reloading(start_switchboard, tmp_path):
    api = ["--set", "ice.api.enabled=true", "--set", f"ice.api.tokens={TOKEN}"]
    return Reloading(start_switchboard, tmp_path, config_text(), args=api)


def handed_out_credentials(server):
    """The TURN username and credential GET /api/ice-servers hands out."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.http_port}/api/ice-servers", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        servers = json.loads(response.read())["iceServers"]
    turn = next(entry for entry in servers if "username" in entry)
    return turn["username"], turn["credential"]


def rest_credentials_for(username, secret):
    return base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


def rest_credentials(user, secret, ttl=3600):
    username = f"{int(time.time()) + ttl}:{user}"
    return username, rest_credentials_for(username, secret)


class TURNClient:
    """One rawstun 5-tuple with an allocation, or the refusal of one."""

    def __init__(self, server, username, password):
        self.client = rawstun.Client(server.stun_port)
        self.client.challenge()
        self.username = username
        self.key = rawstun.long_term_key(username, self.client.realm, password)
        self.answer = self.request(rawstun.ALLOCATE, (rawstun.REQUESTED_TRANSPORT, bytes([17, 0, 0, 0])))

    def request(self, method, *attributes):
        return self.client.authenticated(method, self.username, self.key, attributes=list(attributes))

    @property
    def allocated(self):
        return self.answer.cls == rawstun.SUCCESS

    def refresh(self):
        return self.request(rawstun.REFRESH, (rawstun.LIFETIME, (600).to_bytes(4, "big")))

    def relay_through(self, peer):
        """CreatePermission for the echo peer, a Send indication to it, and the Data indication it echoes."""
        permission = self.request(
            rawstun.CREATE_PERMISSION,
            (rawstun.XOR_PEER_ADDRESS, rawstun.xor_address("127.0.0.1", 0, bytes(12))),
        )
        assert permission.cls == rawstun.SUCCESS, permission.error_code
        send = rawstun.Message(rawstun.SEND, rawstun.INDICATION)
        send.add(rawstun.XOR_PEER_ADDRESS, rawstun.xor_address("127.0.0.1", peer.port, send.transaction_id))
        send.add(rawstun.DATA_ATTR, b"still relayed")
        self.client.send_raw(send.encode(fingerprint=False))
        while True:
            data = rawstun.Message.decode(self.client.receive())
            if data.method == rawstun.DATA and data.cls == rawstun.INDICATION:
                return data.get(rawstun.DATA_ATTR)

    def close(self):
        self.client.close()


def test_rotated_secret_keeps_allocations_and_refuses_new_ones(reloading, peer):
    server = reloading.server
    old = TURNClient(server, *rest_credentials("carol", "oldsecret"))
    assert old.allocated, old.answer.error_code
    # A live coturn client across the reload: every message must come back.
    uclient = subprocess.Popen(
        ["turnutils_uclient", "-p", str(server.stun_port), "-u", "dave", "-W", "oldsecret", "-X", "-c", "-m", "1",
         "-n", "250", "-e", "127.0.0.1", "-r", str(peer.port), "127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    deadline = time.monotonic() + 30
    while "turn.user=" not in server.log() or server.log().count("turn.user=") < 2:
        assert time.monotonic() < deadline and uclient.poll() is None, server.log()
        time.sleep(0.05)

    log = reloading.reload(config_text(secrets=("newsecret",)))
    assert "applied=turn.secrets" in log, log
    assert "oldsecret" not in log and "newsecret" not in log

    # The allocation made with the old secret lives on: Refresh, CreatePermission and relaying still work.
    assert old.refresh().cls == rawstun.SUCCESS
    assert old.relay_through(peer) == b"still relayed"
    # New Allocates follow the new configuration.
    refused = TURNClient(server, *rest_credentials("erin", "oldsecret"))
    assert refused.answer.error_code == 401
    fresh = TURNClient(server, *rest_credentials("erin", "newsecret"))
    assert fresh.allocated, fresh.answer.error_code
    # The credentials handed out to clients are signed with the new secret.
    username, credential = handed_out_credentials(server)
    assert credential == rest_credentials_for(username, "newsecret")
    api = TURNClient(server, username, credential)
    assert api.allocated, api.answer.error_code
    api.close()

    output, _ = uclient.communicate(timeout=120)
    assert_no_loss(output, 250)
    assert server.metric("switchboard_config_reloads_total", result="applied") == 1
    for client in (old, refused, fresh):
        client.close()


def test_removed_user_keeps_its_allocation_but_cannot_allocate_again(reloading, peer):
    server = reloading.server
    alice = TURNClient(server, "alice", "alicepass")
    assert alice.allocated
    log = reloading.reload(config_text(users=("bob:bobpass",)))
    assert "applied=turn.users" in log, log
    assert "alicepass" not in log
    assert alice.refresh().cls == rawstun.SUCCESS
    assert alice.relay_through(peer) == b"still relayed"
    again = TURNClient(server, "alice", "alicepass")
    assert again.answer.error_code == 401
    bob = TURNClient(server, "bob", "bobpass")
    assert bob.allocated
    for client in (alice, again, bob):
        client.close()


def forbidden_permission(server):
    """A CreatePermission for a peer outside the allow list (403), which the server logs at debug level."""
    client = TURNClient(server, "bob", "bobpass")
    assert client.allocated
    answer = client.request(
        rawstun.CREATE_PERMISSION, (rawstun.XOR_PEER_ADDRESS, rawstun.xor_address("10.0.0.1", 0, bytes(12)))
    )
    assert answer.error_code == 403
    client.close()


def test_log_level_change(reloading):
    server = reloading.server
    forbidden_permission(server)
    assert "TURN peer forbidden" not in server.log()
    log = reloading.reload(config_text(log_level="debug"))
    assert "applied=log.level" in log, log
    forbidden_permission(server)
    deadline = time.monotonic() + 10
    while "TURN peer forbidden" not in server.log():
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)
    # And back up: the next reload's own info lines are no longer written.
    reloading.reload(config_text(log_level="warning"))
    quiet = server.log().count("reloading the configuration")
    reloading.path.write_text(config_text(log_level="warning", extra="stun:\n  software: quiet\n"))
    before = server.log().count("take effect only after a restart")
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while server.log().count("take effect only after a restart") == before:  # a warning: still written
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)
    assert server.log().count("reloading the configuration") == quiet


def test_invalid_configuration_is_rejected_with_check_config_lines(reloading):
    server = reloading.server
    alice = TURNClient(server, "alice", "alicepass")
    assert alice.allocated
    bad = config_text(users=("bob:bobpass",)) + "stun:\n  tcpIdleTimeoutSeconds: 0\n  colour: blue\n"
    reloading.path.write_text(bad)
    check = subprocess.run([BINARY, "check-config", str(reloading.path)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 1
    lines = check.stderr.strip().splitlines()
    assert len(lines) == 2, check.stderr

    log = reloading.reload()
    assert "configuration reload rejected" in log
    for line in lines:
        assert line in log, (line, log)
    assert server.metric("switchboard_config_reloads_total", result="rejected") == 1
    # The old configuration stays: alice is still a user, for her allocation and for new ones.
    assert alice.refresh().cls == rawstun.SUCCESS
    again = TURNClient(server, "alice", "alicepass")
    assert again.allocated
    for client in (alice, again):
        client.close()


def software_of_binding(server):
    client = rawstun.Client(server.stun_port)
    try:
        response = client.transact(rawstun.Message(rawstun.BINDING, rawstun.REQUEST))
        return response.get(rawstun.SOFTWARE)
    finally:
        client.close()


def test_restart_only_keys_are_reported_and_left_alone(reloading):
    server = reloading.server
    assert software_of_binding(server) == b"Switchboard"
    log = reloading.reload(config_text(log_level="debug", extra="stun:\n  software: Renamed\n"))
    warning = [line for line in log.splitlines() if "take effect only after a restart" in line]
    assert warning and "keys=stun.software" in warning[-1], log
    assert "applied=log.level" in log
    assert software_of_binding(server) == b"Switchboard"
    assert server.metric("switchboard_config_restart_pending_keys") == 1


def test_reload_command_signals_through_the_pid_file(start_switchboard, tmp_path):
    pid_file = tmp_path / "switchboard.pid"
    reloading = Reloading(start_switchboard, tmp_path, config_text(extra=f"process:\n  pidFile: {pid_file}\n"))
    deadline = time.monotonic() + 10
    while not pid_file.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert int(pid_file.read_text()) == reloading.server.process.pid

    def command(*args):
        return subprocess.run([BINARY, "reload", *args], capture_output=True, text=True, timeout=60)

    result = None

    def send():
        nonlocal result
        result = command("--config", str(reloading.path))

    new_text = config_text(users=("bob:bobpass",), extra=f"process:\n  pidFile: {pid_file}\n")
    log = reloading.reload(new_text, send=send)
    assert result.returncode == 0, result.stderr
    assert f"sent SIGHUP to process {reloading.server.process.pid}" in result.stdout
    assert "applied=turn.users" in log

    # An invalid file is refused before anything is sent.
    reloading.path.write_text(new_text + "turn:\n  realm: again\n")
    refused = command("--config", str(reloading.path))
    assert refused.returncode == 1
    assert "key appears twice" in refused.stderr or "more than once" in refused.stderr, refused.stderr
    assert "not sent" in refused.stderr
    # Without a configuration, the pid file alone.
    reloading.path.write_text(new_text)
    log = reloading.reload(send=lambda: command("--pid-file", str(pid_file)))
    assert "no live key changed" in log

    assert reloading.server.stop() == 0
    assert not pid_file.exists()


def peer_certificate(port, sock=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if sock is None:
        sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    return sock, sock.getpeercert(binary_form=True)


def https_get(sock, path="/healthz"):
    """One request on a kept-alive connection; returns the status line once the whole response is read."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += sock.recv(4096)
    return head.split(b"\r\n", 1)[0]


def make_certificate(directory):
    subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(directory)], check=True, capture_output=True)


def test_certificate_swapped_with_an_open_tls_connection(start_switchboard, tmp_path):
    certificates = tmp_path / "tls"
    make_certificate(certificates)
    https_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    turns_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    tls = (f"tls:\n  port: {https_port}\n  certificateFile: {certificates / 'cert.pem'}\n"
           f"  privateKeyFile: {certificates / 'key.pem'}\n")
    # stun.tlsPort comes from a flag (the test harness sets 0); flags win over the file on every reload.
    # The files are read again only by the reloads of this test (a renewal found on disk is the next test).
    args = ["--set", f"stun.tlsPort={turns_port}", "--set", "tls.watchIntervalSeconds=0"]
    reloading = Reloading(start_switchboard, tmp_path, config_text(extra=tls), args=args)
    server = reloading.server
    deadline = time.monotonic() + 30
    while "HTTPS listening" not in server.log() or f":{turns_port}" not in server.log():
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)

    open_https, first = peer_certificate(https_port)
    assert b"200" in https_get(open_https)
    _, turns_first = peer_certificate(turns_port)
    assert turns_first == first

    make_certificate(certificates)  # a new key and certificate at the same paths
    log = reloading.reload()
    assert "TLS certificate reloaded" in log, log

    new_https, second = peer_certificate(https_port)
    assert second != first
    assert b"200" in https_get(new_https)
    _, turns_second = peer_certificate(turns_port)
    assert turns_second == second
    # The connection opened before the reload still works, with the certificate it negotiated.
    assert open_https.getpeercert(binary_form=True) == first
    assert b"200" in https_get(open_https)

    # A key that is not the certificate's rejects the reload; the pair in force stays.
    other = tmp_path / "other"
    make_certificate(other)
    (certificates / "key.pem").write_bytes((other / "key.pem").read_bytes())
    log = reloading.reload()
    assert "key 'tls.privateKeyFile': the private key does not go with the certificate" in log, log
    _, still = peer_certificate(https_port)
    assert still == second
    # A certificate that cannot be read rejects the reload too.
    (certificates / "cert.pem").write_text("not a certificate\n")
    log = reloading.reload()
    assert "configuration reload rejected" in log
    assert "key 'tls.certificateFile': cannot load a PEM certificate" in log
    _, third = peer_certificate(https_port)
    assert third == second
    for sock in (open_https, new_https):
        sock.close()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_session_survives_a_reload(start_switchboard, tmp_path, transport):
    reloading = Reloading(start_switchboard, tmp_path, config_text(), args=["--set", "signaling.testApp=true"])
    received = []
    client = socketio.Client(reconnection=False)
    client.on("message-back", lambda *args: received.append(list(args)))
    client.connect(f"http://127.0.0.1:{reloading.server.http_port}", transports=[transport], wait_timeout=10)
    sid = client.sid
    client.emit("message", "before")
    log = reloading.reload(config_text(secrets=("newsecret",), log_level="debug"))
    assert "applied=log.level, turn.secrets" in log, log
    client.emit("message", "after")
    deadline = time.monotonic() + 10
    while len(received) < 2:
        assert time.monotonic() < deadline, received
        time.sleep(0.05)
    assert received == [["before"], ["after"]]
    assert client.connected and client.sid == sid
    client.disconnect()


def test_room_size_limit_applies_to_joins_after_the_reload(start_switchboard, tmp_path):
    from test_dialect_chatroom import Member

    reloading = Reloading(start_switchboard, tmp_path, config_text())
    server = reloading.server
    ann, bob, cat = Member(server), Member(server), Member(server)
    ann.join("u-ann", "ann")
    bob.join("u-bob", "bob")
    assert ann.next() == ("getOffer", [{"memberId": bob.sid}])
    log = reloading.reload(config_text(extra="dialects:\n  maxMembersPerRoom: 2\n"))
    assert "applied=dialects.maxMembersPerRoom" in log, log
    # The two members stay; a third is refused.
    cat.join("u-cat", "cat", accepted=False)
    assert cat.next() == ("error", [{"type": "full", "message": "this room is full"}])
    assert ann.quiet(0.2) == [] and bob.quiet(0.2) == []
    for member in (ann, bob, cat):
        member.close()


def post_reload(server, headers=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.http_port}/api/reload", data=b"", method="POST", headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_admin_endpoint_reloads_and_answers_the_outcome(reloading):
    server = reloading.server
    reloading.path.write_text(config_text(users=("bob:bobpass",), extra="stun:\n  software: Renamed\n"))
    status, answer = post_reload(server)
    assert status == 200, answer
    assert answer == {"result": "applied", "applied": ["turn.users"], "needsRestart": ["stun.software"]}
    assert TURNClient(server, "alice", "alicepass").answer.error_code == 401

    # A page in a browser cannot make it reload.
    status, _ = post_reload(server, {"Origin": "http://evil.example"})
    assert status == 403

    reloading.path.write_text(config_text() + "stun:\n  colour: blue\n")
    status, answer = post_reload(server)
    assert status == 200
    assert answer["result"] == "rejected"
    check = subprocess.run([BINARY, "check-config", str(reloading.path)], capture_output=True, text=True, timeout=60)
    assert answer["errors"] == check.stderr.strip().splitlines(), answer
    assert answer["errors"] == [f"{reloading.path}:16: key 'stun.colour': unknown key"]
    assert server.metric("switchboard_config_reloads_total", result="rejected") == 1


def swap_link(link, target):
    """Points the symbolic link `link` at `target` in one rename, as certbot renews `live/`."""
    temporary = link.with_name(link.name + ".new")
    os.symlink(target, temporary)
    os.replace(temporary, link)


def wait_for_certificate(port, unlike, server, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        sock, certificate = peer_certificate(port)
        sock.close()
        if certificate != unlike:
            return certificate
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.2)


def test_certificate_renewed_on_disk_reaches_new_connections_without_a_signal(start_switchboard, tmp_path):
    archive, live = tmp_path / "archive", tmp_path / "live"
    live.mkdir()
    make_certificate(archive / "1")
    for name in ("cert.pem", "key.pem"):
        swap_link(live / name, archive / "1" / name)
    https_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    turns_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(args=[
        "--set", f"tls.port={https_port}",
        "--set", f"tls.certificateFile={live / 'cert.pem'}",
        "--set", f"tls.privateKeyFile={live / 'key.pem'}",
        "--set", f"stun.tlsPort={turns_port}",
        "--set", "tls.watchIntervalSeconds=1",
    ])
    deadline = time.monotonic() + 30
    while "HTTPS listening" not in server.log() or f":{turns_port}" not in server.log():
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)
    open_https, first = peer_certificate(https_port)
    assert b"200" in https_get(open_https)

    # The renewal: a new pair in the archive, then the links swapped one after the other.
    make_certificate(archive / "2")
    swap_link(live / "cert.pem", archive / "2" / "cert.pem")
    swap_link(live / "key.pem", archive / "2" / "key.pem")
    second = wait_for_certificate(https_port, first, server)
    assert "TLS certificate files changed; reloaded for new connections" in server.log()
    assert "do not load" not in server.log(), server.log()
    _, turns_second = peer_certificate(turns_port)
    assert turns_second == second
    assert server.metric("switchboard_tls_certificate_file_reloads_total", result="applied") == 1
    # The connection opened before still works, with the certificate it negotiated.
    assert open_https.getpeercert(binary_form=True) == first
    assert b"200" in https_get(open_https)

    # A renewal whose key is not the certificate's: refused once, the pair in force stays.
    make_certificate(archive / "3")
    swap_link(live / "key.pem", archive / "3" / "key.pem")
    deadline = time.monotonic() + 30
    while server.metric("switchboard_tls_certificate_file_reloads_total", result="rejected") != 1:
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.2)
    assert "the private key does not go with the certificate" in server.log()
    time.sleep(3)  # three more looks at the unchanged, broken pair
    assert server.log().count("TLS certificate files changed but do not load") == 1, server.log()
    _, still = peer_certificate(https_port)
    assert still == second
    # Fixed by the next renewal.
    swap_link(live / "cert.pem", archive / "3" / "cert.pem")
    third = wait_for_certificate(https_port, second, server)
    assert third not in (first, second)
    assert server.metric("switchboard_tls_certificate_file_reloads_total", result="applied") == 2
    open_https.close()
