"""Two aiortc peers forced to relay-only ICE through Switchboard's TURN open a data channel and talk."""

import asyncio

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy


async def relayed_data_channel(server):
    configuration = RTCConfiguration(
        iceServers=[
            RTCIceServer(
                urls=[f"turn:127.0.0.1:{server.stun_port}?transport=udp"],
                username="bench",
                credential="benchpass",
            )
        ],
        iceTransportPolicy=RTCIceTransportPolicy.RELAY,
    )
    offerer = RTCPeerConnection(configuration)
    answerer = RTCPeerConnection(configuration)
    received = asyncio.Queue()
    opened = asyncio.Event()

    channel = offerer.createDataChannel("chat")

    @channel.on("open")
    def on_open():
        opened.set()

    @answerer.on("datachannel")
    def on_datachannel(remote):
        @remote.on("message")
        def on_message(message):
            received.put_nowait(message)
            remote.send(f"echo {message}")

    replies = asyncio.Queue()

    @channel.on("message")
    def on_reply(message):
        replies.put_nowait(message)

    try:
        await offerer.setLocalDescription(await offerer.createOffer())
        await answerer.setRemoteDescription(offerer.localDescription)
        await answerer.setLocalDescription(await answerer.createAnswer())
        await offerer.setRemoteDescription(answerer.localDescription)
        for sdp in (offerer.localDescription.sdp, answerer.localDescription.sdp):
            candidates = [line for line in sdp.splitlines() if line.startswith("a=candidate")]
            assert candidates and all(" typ relay" in line for line in candidates), sdp
        await asyncio.wait_for(opened.wait(), 60)
        for index in range(10):
            channel.send(f"hello {index}")
            assert await asyncio.wait_for(received.get(), 10) == f"hello {index}"
            assert await asyncio.wait_for(replies.get(), 10) == f"echo hello {index}"
        selected = []
        for connection in (offerer, answerer):
            ice = connection.sctp.transport.transport._connection
            pair = ice._nominated[1]
            selected.append((pair.local_candidate.type, pair.remote_candidate.type))
        return selected
    finally:
        await offerer.close()
        await answerer.close()


def test_aiortc_relay_only_data_channel(switchboard_for_aiortc):
    selected = asyncio.run(relayed_data_channel(switchboard_for_aiortc))
    assert selected == [("relay", "relay"), ("relay", "relay")]
