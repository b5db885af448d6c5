"""The ICE configuration handed on join: its TURN credentials allocate on Switchboard's own TURN (aioice and
coturn's turnutils_uclient), expire, and carry two aiortc peers signaled through dialect A over relay-only ICE."""

import asyncio
import re
import subprocess
import time

import pytest
import socketio
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from test_turn_aioice import echo_through_relay


def join_and_get_ice(server, user="ann"):
    client = socketio.Client(reconnection=False)
    received = []
    client.on("iceServers", lambda payload: received.append(payload))
    client.connect(f"http://127.0.0.1:{server.http_port}")
    client.emit("join", {"id": f"id-{user}", "username": user, "roomname": "ice"})
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    client.disconnect()
    assert received, "no iceServers event after join"
    return received[0]


def test_handed_credentials_allocate_with_aioice_and_uclient(start_switchboard, peer):
    server = start_switchboard(args=["--set", "turn.peers.allow=127.0.0.1"])
    ice = join_and_get_ice(server)
    turn_entry = ice["iceServers"][1]
    asyncio.run(
        echo_through_relay(server, peer, "udp", username=turn_entry["username"], password=turn_entry["credential"], count=20)
    )
    asyncio.run(
        echo_through_relay(server, peer, "tcp", username=turn_entry["username"], password=turn_entry["credential"], count=20)
    )
    result = subprocess.run(
        [
            "turnutils_uclient", "-p", str(server.stun_port), "-u", turn_entry["username"], "-w", turn_entry["credential"],
            "-X", "-c", "-n", "20", "-e", "127.0.0.1", "-r", str(peer.port), "127.0.0.1",
        ],
        capture_output=True, text=True, timeout=120,
    )
    assert re.search(r"Total lost packets 0 \(0\.0+%\)", result.stdout + result.stderr), result.stdout + result.stderr


def test_handed_credentials_expire(start_switchboard, peer):
    server = start_switchboard(args=["--set", "turn.peers.allow=127.0.0.1", "--set", "ice.credentialTTLSeconds=1"])
    turn_entry = join_and_get_ice(server)["iceServers"][1]
    time.sleep(2.5)
    with pytest.raises(Exception):
        asyncio.run(
            echo_through_relay(server, peer, "udp", username=turn_entry["username"], password=turn_entry["credential"], count=1)
        )
    assert server.metric("switchboard_turn_auth_failures_total", reason="expired") > 0


class Peer:
    """One aiortc peer signaled by dialect A, the way the original rtc-client does it (the existing member offers
    to the newcomer on getOffer)."""

    def __init__(self, server, name, loop):
        self.loop = loop
        self.name = name
        self.ice = asyncio.Queue()
        self.events = asyncio.Queue()
        self.client = socketio.AsyncClient(reconnection=False)
        self.server = server

        @self.client.on("*")
        async def on_any(event, *args):
            await (self.ice if event == "iceServers" else self.events).put((event, args))

    async def start(self):
        await self.client.connect(f"http://127.0.0.1:{self.server.http_port}", transports=["websocket"])
        self.sid = self.client.get_sid("/")
        await self.client.emit("join", {"id": f"id-{self.name}", "username": self.name, "roomname": "e2e"})
        _, (payload,) = await asyncio.wait_for(self.ice.get(), 10)
        servers = [
            RTCIceServer(urls=entry["urls"], username=entry.get("username"), credential=entry.get("credential"))
            for entry in payload["iceServers"]
        ]
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=servers, iceTransportPolicy=RTCIceTransportPolicy.RELAY))

    async def next_event(self, name):
        while True:
            event, args = await asyncio.wait_for(self.events.get(), 30)
            if event == name:
                return args[0]


async def e2e(server):
    loop = asyncio.get_running_loop()
    ann, bob = Peer(server, "ann", loop), Peer(server, "bob", loop)
    await ann.start()
    await bob.start()
    got_offer = await ann.next_event("getOffer")
    assert got_offer == {"memberId": bob.sid}

    # ann offers: a data channel and a video track.
    channel = ann.pc.createDataChannel("chat")
    ann.pc.addTrack(VideoStreamTrack())
    opened = asyncio.Event()
    channel.on("open", lambda: opened.set())
    replies = asyncio.Queue()
    channel.on("message", lambda message: replies.put_nowait(message))
    await ann.pc.setLocalDescription(await ann.pc.createOffer())
    await ann.client.emit(
        "offer",
        {"connectorId": "ann-1", "memberId": bob.sid, "offer": {"type": "offer", "sdp": ann.pc.localDescription.sdp}, "streamType": "user"},
    )

    frames = asyncio.Queue()

    @bob.pc.on("track")
    def on_track(track):
        async def pull():
            for _ in range(3):
                frame = await track.recv()
                frames.put_nowait((frame.width, frame.height))

        asyncio.ensure_future(pull())

    @bob.pc.on("datachannel")
    def on_datachannel(remote):
        remote.on("message", lambda message: remote.send(f"bob got {message}"))

    offer = await bob.next_event("offer")
    assert offer["memberId"] == ann.sid and offer["remoteConnectorId"] == "ann-1" and offer["streamType"] == "user"
    await bob.pc.setRemoteDescription(RTCSessionDescription(sdp=offer["offer"]["sdp"], type="offer"))
    await bob.pc.setLocalDescription(await bob.pc.createAnswer())
    await bob.client.emit(
        "answer",
        {"remoteConnectorId": "ann-1", "connectorId": "bob-1", "memberId": ann.sid, "answer": {"type": "answer", "sdp": bob.pc.localDescription.sdp}, "streamType": "user"},
    )
    answer = await ann.next_event("answer")
    assert answer["connectorId"] == "ann-1" and answer["remoteConnectorId"] == "bob-1"
    await ann.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["answer"]["sdp"], type="answer"))

    await asyncio.wait_for(opened.wait(), 60)
    for index in range(5):
        channel.send(f"hello {index}")
        assert await asyncio.wait_for(replies.get(), 15) == f"bob got hello {index}"
    width, height = await asyncio.wait_for(frames.get(), 60)
    assert width > 0 and height > 0
    selected = []
    for pc in (ann.pc, bob.pc):
        pair = pc.sctp.transport.transport._connection._nominated[1]
        selected.append((pair.local_candidate.type, pair.remote_candidate.type))
    for member in (ann, bob):
        await member.pc.close()
        await member.client.disconnect()
    return selected


def test_two_aiortc_peers_signaled_by_dialect_a_relay_data_and_video(start_switchboard):
    # Default peer policy: the relay-only peers reach each other because each one's address is a live relay
    # address of this server.
    server = start_switchboard()
    assert asyncio.run(e2e(server)) == [("relay", "relay"), ("relay", "relay")]
    assert server.metric("switchboard_turn_allocations_created_total") >= 2
