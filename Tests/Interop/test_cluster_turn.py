"""TURN across the nodes of a cluster (docs/cluster.md): two aiortc peers whose signaling clients (python-socketio 5,
dialect A) sit on different nodes connect relay-only, each through the TURN server of its own node, with the ICE
servers its node handed out; the offer and answer cross nodes through PostgreSQL. A credential minted by one node is
accepted by the other (one `turn.secrets` for the cluster)."""

import asyncio
import re
import subprocess

import pytest
from aiortc import RTCSessionDescription

from cluster import ChatMember, ClusterNodes
from conftest import Peer
from webrtc import echoed_data_channel, relay_only


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


def node_relay_only(ice):
    """aiortc's relay-only configuration from a node's `iceServers` payload: its turn: URLs over UDP only."""
    servers = []
    for server in ice["iceServers"]:
        urls = [url for url in server["urls"] if url.startswith("turn:") and "transport=tcp" not in url]
        if urls:
            servers.append((urls, server["username"], server["credential"]))
    assert servers, ice
    return relay_only(servers)


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


def exchange_through_nodes(ann, bob):
    """Carries the offer from ann to bob and the answer back as dialect A's `offer` and `answer` events, through
    their nodes."""

    async def exchange(offerer, answerer):
        loop = asyncio.get_running_loop()
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

    return exchange


def test_aiortc_peers_on_two_nodes_connect_relay_only_each_through_its_own_node(two_nodes):
    ann = ChatMember(two_nodes.node_url(0), name="ann")
    bob = ChatMember(two_nodes.node_url(1), name="bob")
    try:
        ann_ice = ann.join("u-ann", "ann", "call")
        bob_ice = bob.join("u-bob", "bob", "call")
        # Each client's ICE servers name the node it is connected to.
        assert two_nodes.node_of(ann_ice) == 0 and two_nodes.node_of(bob_ice) == 1, (ann_ice, bob_ice)
        assert ann.next() == ("getOffer", [{"memberId": bob.sid}])
        pairs = asyncio.run(
            echoed_data_channel(
                node_relay_only(ann_ice), node_relay_only(bob_ice), exchange_through_nodes(ann, bob), messages=5
            )
        )
        # Each peer relays through its own allocation.
        assert pairs[0].local_candidate.port != pairs[1].local_candidate.port
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
