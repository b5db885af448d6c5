"""The TURN relay against aioice's TURN client (the one aiortc uses), over UDP and TCP."""

import asyncio

import pytest
from aioice import turn
from conftest import TURN_ARGS


async def echo_through_relay(server, peer, transport, username="bench", password="benchpass", count=200):
    loop = asyncio.get_running_loop()
    received = asyncio.Queue()

    class Receiver(asyncio.DatagramProtocol):
        def datagram_received(self, data, addr):
            received.put_nowait((data, addr))

    relay_transport, _ = await turn.create_turn_endpoint(
        Receiver,
        server_addr=("127.0.0.1", server.stun_port),
        username=username,
        password=password,
        transport=transport,
    )
    try:
        relayed = relay_transport.get_extra_info("sockname")
        assert relayed[0] == "127.0.0.1" and relayed[1] > 0
        for index in range(count):
            message = f"ping {index}".encode()
            relay_transport.sendto(message, ("127.0.0.1", peer.port))
            data, addr = await asyncio.wait_for(received.get(), 10)
            assert data == message
            assert addr == ("127.0.0.1", peer.port)
        return relayed
    finally:
        relay_transport.close()
        await asyncio.sleep(0.2)  # lets the Refresh with LIFETIME 0 go out


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_aioice_echoes_200_datagrams(turn_server, peer, transport):
    asyncio.run(echo_through_relay(turn_server, peer, transport))
    assert turn_server.metric("switchboard_turn_packets_total", direction="client_to_peer") >= 0  # flushed each second
    log = turn_server.log()
    assert "TURN allocation created" in log
    assert f"turn.user=bench" in log


def test_aioice_with_rest_credentials(turn_server, peer):
    import base64
    import hashlib
    import hmac
    import time

    username = f"{int(time.time()) + 3600}:alice"
    password = base64.b64encode(hmac.new(b"benchsecret", username.encode(), hashlib.sha1).digest()).decode()
    asyncio.run(echo_through_relay(turn_server, peer, "udp", username=username, password=password, count=20))


def test_aioice_refused_with_an_expired_rest_username(turn_server, peer):
    import base64
    import hashlib
    import hmac
    import time

    username = f"{int(time.time()) - 60}:alice"
    password = base64.b64encode(hmac.new(b"benchsecret", username.encode(), hashlib.sha1).digest()).decode()
    with pytest.raises(Exception):
        asyncio.run(echo_through_relay(turn_server, peer, "udp", username=username, password=password, count=1))
    assert turn_server.metric("switchboard_turn_auth_failures_total", reason="expired") > 0


def test_handed_ice_credentials_allocate(start_switchboard, peer):
    import json
    import re
    import subprocess
    import urllib.request

    token = "interop-api-token-0123456789"
    turn_server = start_switchboard(args=[*TURN_ARGS, "--set", "ice.api.enabled=true", "--set", f"ice.api.tokens={token}"])
    request = urllib.request.Request(
        f"http://127.0.0.1:{turn_server.http_port}/api/ice-servers", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        config = json.loads(response.read())
    stun, turn_entry = config["iceServers"]
    assert stun["urls"] == [f"stun:127.0.0.1:{turn_server.stun_port}"]
    assert turn_entry["urls"] == [
        f"turn:127.0.0.1:{turn_server.stun_port}?transport=udp",
        f"turn:127.0.0.1:{turn_server.stun_port}?transport=tcp",
    ]
    assert re.fullmatch(r"\d+:api-0", turn_entry["username"])
    # aioice allocates with them...
    asyncio.run(
        echo_through_relay(
            turn_server, peer, "udp", username=turn_entry["username"], password=turn_entry["credential"], count=20
        )
    )
    # ...and so does coturn's client, given the same username and password.
    result = subprocess.run(
        [
            "turnutils_uclient", "-p", str(turn_server.stun_port), "-u", turn_entry["username"],
            "-w", turn_entry["credential"], "-X", "-c", "-n", "20", "-e", "127.0.0.1", "-r", str(peer.port), "127.0.0.1",
        ],
        capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert re.search(r"Total lost packets 0 \(0\.0+%\)", output), output
