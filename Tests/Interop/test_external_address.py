"""turn.relay.externalAddresses behind a real 1:1 NAT (issue 18 item 1).

Three network namespaces this test creates and always deletes, so no packet leaves them:

    vm (switchboard, 10.77.1.2)  --  nat (router: nftables dnat 203.0.113.7 -> 10.77.1.2, snat back)  --  outside
                                                                                       (clients, 198.18.0.2)

The outside namespace has no route to 10.77.1.2: it reaches the server only at the public 203.0.113.7, as a peer
on the internet reaches a cloud VM. A client there fetches the ICE servers from /api/ice-servers through the
public address (they must name it), then an aioice agent gathers a relay candidate from switchboard (relay-only
policy), another aioice agent there with host candidates only must reach it through the public address, and data
must flow both ways. With the private address advertised (the behaviour before externalAddresses) no check can
reach the relay and ICE fails.
"""

import json
import os
import random
import subprocess
import sys
import time

import pytest
from conftest import BINARY, ROOT

PUBLIC = "203.0.113.7"
PRIVATE = "10.77.1.2"
OUTSIDE = "198.18.0.2"
STUN_PORT = 3478
TOKEN = "nat-test-api-token-0123456789"

NAT_RULES = f"""
table ip sbnat {{
    chain prerouting {{
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr {PUBLIC} dnat to {PRIVATE}
    }}
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr {PRIVATE} oifname "out0" snat to {PUBLIC}
    }}
}}
"""

OUTSIDE_SCRIPT = r"""
import asyncio, json, sys, urllib.request
import aioice
from aioice import turn

public, token = sys.argv[1], sys.argv[2]

async def main():
    # The ICE servers as a web app gets them, through the public address.
    request = urllib.request.Request(
        f"http://{public}:3000/api/ice-servers", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        ice = json.loads(response.read())
    entry = ice["iceServers"][1]
    url = entry["urls"][0]  # turn:HOST:PORT?transport=udp
    host, port = url[len("turn:"):].split("?")[0].rsplit(":", 1)
    port = int(port)
    username, password = entry["username"], entry["credential"]

    class Sink(asyncio.DatagramProtocol):
        def datagram_received(self, data, addr):
            pass

    plain, _ = await turn.create_turn_endpoint(
        Sink, server_addr=(host, port), username=username, password=password
    )
    relayed = list(plain.get_extra_info("sockname"))
    plain.close()

    relayed_agent = aioice.Connection(
        ice_controlling=True,
        turn_server=(host, port),
        turn_username=username,
        turn_password=password,
        transport_policy=aioice.TransportPolicy.RELAY,
    )
    host_agent = aioice.Connection(ice_controlling=False)
    await relayed_agent.gather_candidates()
    await host_agent.gather_candidates()
    for one, other in ((relayed_agent, host_agent), (host_agent, relayed_agent)):
        for candidate in other.local_candidates:
            await one.add_remote_candidate(candidate)
        await one.add_remote_candidate(None)
        one.remote_username = other.local_username
        one.remote_password = other.local_password
    await asyncio.wait_for(asyncio.gather(relayed_agent.connect(), host_agent.connect()), 30)
    received = []
    for index in range(20):
        await relayed_agent.send(f"out {index}".encode())
        received.append((await asyncio.wait_for(host_agent.recv(), 10)).decode())
        await host_agent.send(f"back {index}".encode())
        received.append((await asyncio.wait_for(relayed_agent.recv(), 10)).decode())
    print(json.dumps({
        "urls": [url for server in ice["iceServers"] for url in server["urls"]],
        "relayed": relayed,
        "candidates": [(c.type, c.host, c.port) for c in relayed_agent.local_candidates],
        "received": received,
    }))
    await relayed_agent.close()
    await host_agent.close()

asyncio.run(main())
"""


def run(*command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise OSError(f"{' '.join(command)}: {result.stderr.strip()}")


class NATNetwork:
    """The three namespaces and the router's nftables table."""

    def __init__(self):
        suffix = f"{os.getpid() % 100000}{random.randrange(1000)}"
        self.vm, self.nat, self.outside = (f"sbx{suffix}{name}" for name in ("vm", "nat", "out"))
        self.created = []
        try:
            for namespace in (self.vm, self.nat, self.outside):
                run("ip", "netns", "add", namespace)
                self.created.append(namespace)
            # The veth ends are made inside the namespaces: nothing appears in the caller's namespace.
            run("ip", "-n", self.nat, "link", "add", "vm0", "type", "veth", "peer", "name", "nat0", "netns", self.vm)
            run("ip", "-n", self.nat, "link", "add", "out0", "type", "veth", "peer", "name", "nat0",
                "netns", self.outside)
            for namespace, device, address in (
                (self.vm, "nat0", f"{PRIVATE}/24"),
                (self.nat, "vm0", "10.77.1.1/24"),
                (self.nat, "out0", "198.18.0.1/24"),
                (self.outside, "nat0", f"{OUTSIDE}/24"),
            ):
                run("ip", "-n", namespace, "addr", "add", address, "dev", device)
                run("ip", "-n", namespace, "link", "set", device, "up")
            for namespace in (self.vm, self.nat, self.outside):
                run("ip", "-n", namespace, "link", "set", "lo", "up")
            run("ip", "-n", self.vm, "route", "add", "default", "via", "10.77.1.1")
            # Outside knows the public address only, through the router.
            run("ip", "-n", self.outside, "route", "add", f"{PUBLIC}/32", "via", "198.18.0.1")
            # /proc/sys/net is per namespace: this turns forwarding on in the router only.
            run("ip", "netns", "exec", self.nat, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
            subprocess.run(
                ["ip", "netns", "exec", self.nat, "nft", "-f", "-"], input=NAT_RULES, text=True,
                capture_output=True, check=True,
            )
        except (OSError, subprocess.CalledProcessError, FileNotFoundError) as error:
            self.close()
            raise OSError(str(getattr(error, "stderr", "") or error)) from error

    def close(self):
        if self.nat in self.created:
            subprocess.run(["ip", "netns", "exec", self.nat, "nft", "delete", "table", "ip", "sbnat"],
                           capture_output=True)
        for namespace in reversed(self.created):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        self.created = []


@pytest.fixture
def nat_network():
    try:
        network = NATNetwork()
    except OSError as error:
        pytest.skip(f"no 1:1 NAT between network namespaces (needs root, ip netns and nft): {error}")
    yield network
    network.close()


def test_an_outside_peer_reaches_a_relay_through_the_public_address(nat_network, tmp_path):
    log_path = tmp_path / "switchboard.log"
    with open(log_path, "w+b") as log:
        server = subprocess.Popen(
            [
                "ip", "netns", "exec", nat_network.vm, BINARY, "serve",
                "--set", f"stun.addresses={PRIVATE}",
                "--set", f"stun.port={STUN_PORT}",
                "--set", f"http.host={PRIVATE}",
                "--set", "http.port=3000",
                "--set", "ice.api.enabled=true",
                "--set", f"ice.api.tokens={TOKEN}",
                "--set", "threads=2",
                "--set", "turn.realm=nat.test",
                "--set", "turn.secrets=nat-test-secret",
                "--set", f"turn.relay.externalAddresses={PUBLIC}/{PRIVATE}",
                # 198.18.0.0/15 is a benchmarking range, denied as a peer by default.
                "--set", "turn.peers.allow=198.18.0.0/24",
            ],
            stdout=subprocess.DEVNULL, stderr=log,
            env={k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")},
        )
        try:
            deadline = time.monotonic() + 60
            while "STUN listening" not in log_path.read_text(errors="replace"):
                assert server.poll() is None, log_path.read_text(errors="replace")
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")
                time.sleep(0.1)
            result = subprocess.run(
                ["ip", "netns", "exec", nat_network.outside, sys.executable, "-c", OUTSIDE_SCRIPT, PUBLIC, TOKEN],
                capture_output=True, text=True, timeout=120, cwd=ROOT,
            )
            assert result.returncode == 0, result.stderr + log_path.read_text(errors="replace")
            answer = json.loads(result.stdout)
            # The URLs handed out name the public address (the Host the client used is not one of the VM's)...
            assert answer["urls"] == [
                f"stun:{PUBLIC}:{STUN_PORT}",
                f"turn:{PUBLIC}:{STUN_PORT}?transport=udp",
                f"turn:{PUBLIC}:{STUN_PORT}?transport=tcp",
            ]
            # ...and XOR-RELAYED-ADDRESS carries it too.
            assert answer["relayed"][0] == PUBLIC
            assert answer["candidates"] and all(
                kind == "relay" and host == PUBLIC for kind, host, _ in answer["candidates"]
            )
            assert answer["received"] == [
                text for index in range(20) for text in (f"out {index}", f"back {index}")
            ]
            server_log = log_path.read_text(errors="replace")
            assert f"turn.relay={PRIVATE}:" in server_log  # bound on the private address
        finally:
            server.terminate()
            assert server.wait(timeout=30) == 0
