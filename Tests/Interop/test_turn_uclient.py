"""The TURN relay against coturn's own client and peer: turnutils_uclient and turnutils_peer."""

import re
import subprocess

import pytest


def uclient(server, *flags, peer=None, timeout=180):
    command = ["turnutils_uclient", "-p", str(server.stun_port), *flags]
    if peer is not None:
        command += ["-e", "127.0.0.1", "-r", str(peer.port)]
    command.append("127.0.0.1")
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    return result.stdout + result.stderr


def assert_no_loss(output, expected_messages):
    totals = re.findall(r"tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$", output, re.MULTILINE)
    assert totals, output
    sent, received = map(int, totals[-1])
    assert sent == expected_messages, output
    assert received == sent, output
    assert re.search(r"Total lost packets 0 \(0\.0+%\)", output), output
    assert "ERROR" not in output, output


# Paced runs (uclient's default 20 ms between messages per client): every message must come back.
@pytest.mark.parametrize(
    "flags, clients, messages",
    [
        (["-c"], 1, 50),  # channels (ChannelBind + ChannelData), one allocation per client
        ([], 2, 30),  # RTP + RTCP allocations: EVEN-PORT with the R bit, then RESERVATION-TOKEN
        (["-c", "-s"], 2, 30),  # Send and Data indications instead of channels
        (["-c", "-t"], 2, 30),  # TCP between client and server
        (["-t", "-s"], 2, 30),  # TCP with indications and RTCP allocations
        (["-c", "-g"], 2, 30),  # DONT-FRAGMENT
        (["-c"], 20, 20),  # 20 clients
    ],
)
def test_uclient_through_a_peer(turn_server, peer, flags, clients, messages):
    output = uclient(
        turn_server, "-u", "bench", "-w", "benchpass", "-X", "-l", "120", "-m", str(clients), "-n", str(messages),
        *flags, peer=peer,
    )
    assert_no_loss(output, clients * messages)


def test_uclient_client_to_client_without_an_allow_list(start_switchboard):
    # -y: pairs of clients send to each other's relay addresses. They are loopback addresses, denied by default,
    # yet allowed because they are live relay addresses of this very server.
    server = start_switchboard(args=["--set", "turn.users=bench:benchpass", "--set", "turn.realm=bench.local"])
    output = uclient(server, "-u", "bench", "-w", "benchpass", "-X", "-y", "-c", "-m", "4", "-n", "30", "-l", "120")
    assert_no_loss(output, 4 * 30)


def test_uclient_rest_credentials(turn_server, peer):
    # -W: username "<now+86400>:bench", password base64(HMAC-SHA1(secret, username)).
    output = uclient(turn_server, "-u", "bench", "-W", "benchsecret", "-X", "-c", "-m", "2", "-n", "30", peer=peer)
    assert_no_loss(output, 2 * 30)
    # A rotated-out secret that is still listed is accepted too.
    output = uclient(turn_server, "-u", "carol", "-W", "oldsecret", "-X", "-c", "-m", "1", "-n", "20", peer=peer)
    assert_no_loss(output, 20)


def test_wrong_password_cannot_allocate(turn_server, peer):
    output = uclient(turn_server, "-u", "bench", "-w", "wrong", "-X", "-c", "-n", "5", peer=peer, timeout=120)
    assert "Cannot complete Allocation" in output, output
    assert turn_server.metric("switchboard_turn_auth_failures_total", reason="bad_integrity") > 0


def test_wrong_rest_secret_cannot_allocate(turn_server, peer):
    output = uclient(turn_server, "-u", "bench", "-W", "notthesecret", "-X", "-c", "-n", "5", peer=peer, timeout=120)
    assert "Cannot complete Allocation" in output, output


def test_loopback_peer_is_forbidden_without_the_allow_list(start_switchboard, peer):
    server = start_switchboard(args=["--set", "turn.users=bench:benchpass", "--set", "turn.realm=bench.local"])
    output = uclient(server, "-u", "bench", "-w", "benchpass", "-X", "-c", "-n", "5", peer=peer, timeout=120)
    assert re.search(r"error 403", output), output
    # 127.0.0.1 is both loopback and this server's own address; either reason counts.
    assert sum(server.metric("switchboard_turn_forbidden_total", reason=r) for r in ("loopback", "server_address")) > 0
