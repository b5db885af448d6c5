"""TURN across the nodes of a cluster (docs/cluster.md): two aiortc peers whose signaling clients (python-socketio 5,
dialect A) sit on different nodes connect relay-only, each through the TURN server of its own node, with the ICE
servers its node handed out; the offer and answer cross nodes through PostgreSQL. A credential minted by one node is
accepted by the other (one `turn.secrets` for the cluster)."""

import asyncio
import re
import subprocess

import pytest
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from cluster import ChatMember, ClusterNodes
from conftest import Peer


@pytest.fixture
def two_nodes(request, postgres_url):
    # Both nodes relay on 127.0.0.1, so each must let its relays reach the other node's loopback relay addresses
    # (a deployment's relays have public addresses, which the default peer policy allows).
    nodes = ClusterNodes(
        postgres_url, count=2, extra_args=["--set", "turn.peers.allow=127.0.0.1"], name=request.node.name
    )
    yield nodes
    died = [index for index in nodes.alive() if nodes.nodes[index].process.poll() is not None]
    codes = nodes.stop()
    assert not died and all(code == 0 for code in codes.values()), nodes.logs()


def relay_only(ice):
    """aiortc's configuration from a node's `iceServers` payload: its turn: URLs over UDP only, relay-only."""
    servers = []
    for server in ice["iceServers"]:
        urls = [url for url in server["urls"] if url.startswith("turn:") and "transport=tcp" not in url]
        if urls:
            servers.append(RTCIceServer(urls=urls, username=server["username"], credential=server["credential"]))
    assert servers, ice
    return RTCConfiguration(iceServers=servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY)


def uclient_relays(node, ice, peer):
    """turnutils_uclient relays 5 messages to coturn's turnutils_peer through `node` with the credential in `ice`
    (minted by whichever node sent it); whether none was lost, and uclient's output."""
    turn = next(server for server in ice["iceServers"] if "username" in server)
    result = subprocess.run(
        ["turnutils_uclient", "-n", "5", "-m", "1", "-u", turn["username"], "-w", turn["credential"],
         "-p", str(node.stun_port), "-e", "127.0.0.1", "-r", str(peer.port), "127.0.0.1"],
        capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    return re.search(r"Total lost packets 0 \(0\.0+%\)", output) is not None and "ERROR" not in output, output


async def connect_relay_only(ann, bob, ann_ice, bob_ice):
    offerer = RTCPeerConnection(relay_only(ann_ice))
    answerer = RTCPeerConnection(relay_only(bob_ice))
    opened = asyncio.Event()
    received = asyncio.Queue()
    channel = offerer.createDataChannel("chat")
    channel.on("open", opened.set)

    @answerer.on("datachannel")
    def on_datachannel(remote):
        remote.on("message", lambda message: remote.send(f"echo {message}"))

    channel.on("message", received.put_nowait)
    loop = asyncio.get_running_loop()
    try:
        await offerer.setLocalDescription(await offerer.createOffer())
        offer = {"type": offerer.localDescription.type, "sdp": offerer.localDescription.sdp}
        ann.client.emit("offer", {"connectorId": "ann-c", "memberId": bob.sid, "offer": offer, "streamType": "user"})
        event, arguments = await loop.run_in_executor(None, bob.next)
        assert event == "offer" and arguments[0]["memberId"] == ann.sid, (event, arguments)
        await answerer.setRemoteDescription(RTCSessionDescription(**arguments[0]["offer"]))
        await answerer.setLocalDescription(await answerer.createAnswer())
        answer = {"type": answerer.localDescription.type, "sdp": answerer.localDescription.sdp}
        bob.client.emit(
            "answer",
            {"remoteConnectorId": "ann-c", "connectorId": "bob-c", "memberId": ann.sid, "answer": answer,
             "streamType": "user"},
        )
        event, arguments = await loop.run_in_executor(None, ann.next)
        assert event == "answer" and arguments[0]["memberId"] == bob.sid, (event, arguments)
        await offerer.setRemoteDescription(RTCSessionDescription(**arguments[0]["answer"]))
        for sdp, ice in ((offerer.localDescription.sdp, ann_ice), (answerer.localDescription.sdp, bob_ice)):
            candidates = [line for line in sdp.splitlines() if line.startswith("a=candidate")]
            assert candidates and all(" typ relay" in line for line in candidates), sdp
        await asyncio.wait_for(opened.wait(), 60)
        for index in range(5):
            channel.send(f"hello {index}")
            assert await asyncio.wait_for(received.get(), 10) == f"echo hello {index}"
        relays = []
        for connection in (offerer, answerer):
            pair = connection.sctp.transport.transport._connection._nominated[1]
            relays.append(pair.local_candidate.port)
        return relays
    finally:
        await offerer.close()
        await answerer.close()


def test_aiortc_peers_on_two_nodes_connect_relay_only_each_through_its_own_node(two_nodes):
    ann = ChatMember(two_nodes.node_url(0), name="ann")
    bob = ChatMember(two_nodes.node_url(1), name="bob")
    try:
        ann_ice = ann.join("u-ann", "ann", "call")
        bob_ice = bob.join("u-bob", "bob", "call")
        # Each client's ICE servers name the node it is connected to.
        assert two_nodes.node_of(ann_ice) == 0 and two_nodes.node_of(bob_ice) == 1, (ann_ice, bob_ice)
        assert ann.next() == ("getOffer", [{"memberId": bob.sid}])
        ann_relay, bob_relay = asyncio.run(connect_relay_only(ann, bob, ann_ice, bob_ice))
        assert ann_relay != bob_relay
        # The credential bob's node minted works on ann's node too: the cluster shares turn.secrets.
        peer = Peer()
        try:
            relayed, output = uclient_relays(two_nodes.nodes[0], bob_ice, peer)
        finally:
            peer.stop()
        assert relayed, output
    finally:
        ann.close()
        bob.close()
