"""Two aiortc peers forced to relay-only ICE through Switchboard's TURN open a data channel and talk."""

import asyncio

from webrtc import echoed_data_channel, relay_only


def test_aiortc_relay_only_data_channel(switchboard_for_aiortc):
    turn = [([f"turn:127.0.0.1:{switchboard_for_aiortc.stun_port}?transport=udp"], "bench", "benchpass")]
    pairs = asyncio.run(echoed_data_channel(relay_only(turn), relay_only(turn)))
    assert [(pair.local_candidate.type, pair.remote_candidate.type) for pair in pairs] == [("relay", "relay")] * 2
