"""`switchboard credentials` (issue 18 item 4): minted credentials work with coturn's turnutils_uclient against a
running server, and `--check` agrees with what the running server answers to an Allocate with the same
credentials (rawstun), saying why it refuses."""

import base64
import hashlib
import hmac
import shlex
import subprocess
import time

import pytest
import rawstun
from conftest import BINARY, TURN_ARGS
from test_turn_uclient import assert_no_loss


def credentials(server, *args):
    """Runs `switchboard credentials` with the server's own configuration (TURN_ARGS and its port)."""
    command = [BINARY, "credentials", *TURN_ARGS, "--set", f"stun.port={server.stun_port}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def rest_password(username, secret):
    return base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


def server_accepts(server, username, password):
    """Whether the running server grants an Allocate with these credentials."""
    client = rawstun.Client(server.stun_port)
    try:
        client.challenge()
        key = rawstun.long_term_key(username, client.realm, password)
        response = client.authenticated(rawstun.ALLOCATE, username, key, attributes=[
            (rawstun.REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))
        ])
        if response.cls == rawstun.SUCCESS:
            client.authenticated(rawstun.REFRESH, username, key, attributes=[(rawstun.LIFETIME, bytes(4))])
            return True
        assert response.error_code == 401, response.error_code
        return False
    finally:
        client.close()


def test_minted_credentials_relay_uclient_without_loss(turn_server, peer):
    result = credentials(turn_server, "--user", "carol", "--ttl", "600", "--host", "127.0.0.1")
    assert result.returncode == 0, result.stderr
    fields = dict(line.split(": ", 1) for line in result.stdout.strip().splitlines())
    username, password = fields["username"], fields["password"]
    assert username.endswith(":carol")
    assert 590 <= int(username.split(":")[0]) - int(time.time()) <= 600
    assert f'"username":"{username}"' in fields["iceServers"]
    assert f"turn:127.0.0.1:{turn_server.stun_port}?transport=udp" in fields["iceServers"]
    flags = shlex.split(fields["turnutils_uclient"])
    assert flags[-1] == "127.0.0.1"
    command = ["turnutils_uclient", *flags[:-1], "-X", "-c", "-m", "2", "-n", "30",
               "-e", "127.0.0.1", "-r", str(peer.port), flags[-1]]
    run = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert_no_loss(run.stdout + run.stderr, 2 * 30)
    assert f"turn.user={username}" in turn_server.log()


def test_minting_needs_a_configured_secret():
    result = subprocess.run([BINARY, "credentials"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "turn.secrets is empty" in result.stderr


def cases():
    now = int(time.time())
    fresh = f"{now + 3600}:dave"
    stale = f"{now - 60}:dave"
    return [
        ("fresh", fresh, rest_password(fresh, "benchsecret"), "accepted: TURN REST credentials signed by turn.secrets[0]"),
        ("old secret", fresh, rest_password(fresh, "oldsecret"), "accepted: TURN REST credentials signed by turn.secrets[1]"),
        ("expired", stale, rest_password(stale, "benchsecret"), "refused: expired at"),
        ("bad hmac", fresh, rest_password(fresh, "wrongsecret"), "refused: bad HMAC"),
        ("static", "alice", "alicepass", "accepted: static user of turn.users"),
        ("static wrong", "alice", "alicepas", "refused: wrong password for this static user"),
        ("unknown", "mallory", "alicepass", "refused: unknown user"),
    ]


@pytest.mark.parametrize("name, username, password, says", cases(), ids=[case[0] for case in cases()])
def test_check_agrees_with_the_server_and_says_why(turn_server, name, username, password, says):
    result = credentials(turn_server, "--check", username, password)
    assert result.stdout.startswith(says), result.stdout + result.stderr
    accepted = says.startswith("accepted")
    assert result.returncode == (0 if accepted else 1), result.stdout
    assert server_accepts(turn_server, username, password) == accepted
