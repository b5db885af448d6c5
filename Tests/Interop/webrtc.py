"""Two aiortc peers that open a data channel over relay-only ICE and echo over it (test_turn_aiortc,
test_cluster_turn)."""

import asyncio

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy


def relay_only(servers):
    """aiortc's configuration that gathers relay candidates only, from `(urls, username, credential)` triples."""
    return RTCConfiguration(
        iceServers=[RTCIceServer(urls=urls, username=username, credential=credential) for urls, username, credential in servers],
        iceTransportPolicy=RTCIceTransportPolicy.RELAY,
    )


async def exchange_directly(offerer, answerer):
    """Hands the offer and the answer from one peer to the other in the same process."""
    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    await answerer.setLocalDescription(await answerer.createAnswer())
    await offerer.setRemoteDescription(answerer.localDescription)


async def echoed_data_channel(offerer_configuration, answerer_configuration, exchange=exchange_directly, messages=10):
    """Opens a data channel between two peers, `exchange(offerer, answerer)` carrying their descriptions, and sends
    `messages` numbered messages, each echoed by the answerer. Every candidate of both descriptions must be a relay
    candidate. Returns each peer's nominated candidate pair (aioice's, offerer first)."""
    offerer = RTCPeerConnection(offerer_configuration)
    answerer = RTCPeerConnection(answerer_configuration)
    opened = asyncio.Event()
    echoes = asyncio.Queue()
    channel = offerer.createDataChannel("chat")
    channel.on("open", opened.set)
    channel.on("message", echoes.put_nowait)

    @answerer.on("datachannel")
    def on_datachannel(remote):
        remote.on("message", lambda message: remote.send(f"echo {message}"))

    try:
        await exchange(offerer, answerer)
        for sdp in (offerer.localDescription.sdp, answerer.localDescription.sdp):
            candidates = [line for line in sdp.splitlines() if line.startswith("a=candidate")]
            assert candidates and all(" typ relay" in line for line in candidates), sdp
        await asyncio.wait_for(opened.wait(), 60)
        for index in range(messages):
            channel.send(f"hello {index}")
            assert await asyncio.wait_for(echoes.get(), 10) == f"echo hello {index}"
        return [connection.sctp.transport.transport._connection._nominated[1] for connection in (offerer, answerer)]
    finally:
        await offerer.close()
        await answerer.close()
