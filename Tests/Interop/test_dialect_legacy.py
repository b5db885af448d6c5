"""Dialects B (WebRtcRoomServer, over TLS) and D (socketIM) with python-socketio 4.6.1 / python-engineio 3.14.2,
the Engine.IO v3 / Socket.IO v4 protocol their original clients speak (docs/dialects.md#webrtcroom, #socketim).
The client program runs in .venv/sio4 (see test_socketio_v4_legacy.py) and exits non-zero on any difference."""

import pathlib
import subprocess

import pytest

from conftest import BINARY
import sio4_program
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEGACY_PYTHON = ROOT / ".venv" / "sio4" / "bin" / "python"

PRELUDE = sio4_program.PRELUDE + r'''
url = sys.argv[1]
'''

WEBRTCROOM = PRELUDE + r'''
names = ("created", "joined", "offer", "answer", "candidate", "exit", "iceServers", "message")
a, b = client(names), client(names)
a.connect(url, transports=["polling", "websocket"])
check("socket id is the Engine.IO sid", a.sid, a.eio.sid)
a.emit("createAndJoinRoom", {"room": "r1"})
check("created, first", a.wait_for("created"), [{"id": a.sid, "room": "r1", "peers": []}])
ice = a.wait_for("iceServers", skip=("message",))
check("iceServers after created", sorted(ice[0].keys()), ["iceServers", "ttl"])
b.connect(url, transports=["websocket"])
b.emit("createAndJoinRoom", {"room": "r1"})
check("joined", a.wait_for("joined"), [{"id": b.sid, "room": "r1"}])
check("created, second", b.wait_for("created"), [{"id": b.sid, "room": "r1", "peers": [{"id": a.sid}]}])
offer = {"from": b.sid, "to": a.sid, "room": "r1", "sdp": "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}
b.emit("offer", offer)
check("offer verbatim", a.wait_for("offer"), [offer])
answer = {"from": a.sid, "to": b.sid, "room": "r1", "sdp": "v=0\r\n"}
a.emit("answer", answer)
check("answer verbatim", b.wait_for("answer"), [answer])
candidate = {"from": a.sid, "to": b.sid, "room": "r1", "candidate": {"sdpMid": "audio", "sdpMLineIndex": "0", "sdp": "a=candidate:1 1 udp 1 1.2.3.4 5 typ host"}}
a.emit("candidate", candidate)
check("candidate verbatim, string index kept", b.wait_for("candidate"), [candidate])
a.emit("offer", {"from": a.sid, "to": "nobody", "room": "r1", "sdp": "x"})
a.emit("createAndJoinRoom", "not an object")
check("bad input dropped", b.quiet(), [])
b.emit("exit", {"from": b.sid, "room": "r1"})
check("exit", a.wait_for("exit"), [{"from": b.sid, "room": "r1"}])
b.emit("createAndJoinRoom", {"room": "r1"})
b.wait_for("created")
a.wait_for("joined")
a_sid = a.sid
a.disconnect()
check("disconnect broadcast", b.wait_for("exit"), [{"from": a_sid, "room": ""}])
b.disconnect()
'''

SOCKETIM = PRELUDE + r'''
names = ("offer", "answer", "_ice_candidate", "wavMsg", "message", "iceServers")
a, b = client(names), client(names)
a.connect(url, transports=["polling", "websocket"])
check("welcome", a.wait_for("message", skip=("iceServers",)), ["连接成功，欢迎用户"])
b.connect(url, transports=["websocket"])
check("welcome b", b.wait_for("message", skip=("iceServers",)), ["连接成功，欢迎用户"])
offer = '{"data":{"sdp":{"type":"offer","sdp":"v=0\\r\\n"}}}'
a.emit("offer", offer)
check("offer string byte for byte", b.wait_for("offer"), [offer])
answer = '{"type":"_answer","data":{"sdp":{"type":"answer","sdp":"v=0"}}}'
b.emit("answer", answer)
check("answer", a.wait_for("answer"), [answer])
candidate = '{"type":"_candidate","data":{"candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":0}}}'
a.emit("_ice_candidate", candidate)
check("candidate", b.wait_for("_ice_candidate"), [candidate])
check("not echoed to the sender", a.quiet(), [])
b.emit("wav", b"RIFF\x00\x01\x02\xff")
check("wavMsg to the sender", b.wait_for("wavMsg"), [b"RIFF\x00\x01\x02\xff"])
check("wavMsg to the other", a.wait_for("wavMsg"), [b"RIFF\x00\x01\x02\xff"])
a.disconnect()
b.emit("offer", offer)
time.sleep(0.3)
b.disconnect()
'''


def run(program, url):
    result = subprocess.run(
        [str(LEGACY_PYTHON), "-c", program, url], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_webrtcroom_over_tls(start_switchboard, tmp_path):
    subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(tmp_path)], check=True, capture_output=True)
    from conftest import free_port

    tls_port = free_port(socket_kind(), socket_kind())
    server = start_switchboard(
        args=[
            "--set", f"tls.port={tls_port}",
            "--set", f"tls.certificateFile={tmp_path / 'cert.pem'}",
            "--set", f"tls.privateKeyFile={tmp_path / 'key.pem'}",
        ]
    )
    import time

    deadline = time.monotonic() + 30
    while not any("HTTPS listening" in line and str(tls_port) in line for line in server.log().splitlines()):
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.1)
    run(WEBRTCROOM, f"https://127.0.0.1:{tls_port}")


def test_socketim(start_switchboard):
    server = start_switchboard()
    run(SOCKETIM, f"http://127.0.0.1:{server.http_port}")


def socket_kind():
    import socket

    return socket.SOCK_STREAM


def test_a_path_pinned_to_a_dialect(start_switchboard, tmp_path):
    # dialects.pinnedPaths: a second Socket.IO endpoint where every connection speaks WebRtcRoom (B), whatever its
    # Engine.IO revision; the default endpoint keeps choosing by revision.
    import queue

    import socketio

    server = start_switchboard(args=["--set", "dialects.pinnedPaths=/webrtcroom.io/=webrtcroom"])
    events = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("created", lambda payload: events.put(("created", payload)))
    client.connect(f"http://127.0.0.1:{server.http_port}", socketio_path="webrtcroom.io", transports=["websocket"])
    client.emit("createAndJoinRoom", {"room": "pinned"})
    assert events.get(timeout=10) == ("created", {"id": client.get_sid("/"), "room": "pinned", "peers": []})
    client.disconnect()
    broken = tmp_path / "pinned.yaml"
    broken.write_text("dialects:\n  pinnedPaths: [\"nopath=webrtcroom\"]\n")
    result = subprocess.run([BINARY, "check-config", str(broken)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "dialects.pinnedPaths" in result.stderr, result.stderr


# Differences from the original servers found by running the same clients against both (issue 21), one program
# per difference so that each fails on its own.
TWO_B_MEMBERS = PRELUDE + r'''
names = ("created", "joined", "offer", "answer", "candidate", "exit", "iceServers", "message")
a, b = client(names), client(names)
a.connect(url, transports=["websocket"])
a.emit("createAndJoinRoom", {"room": "r"})
a.wait_for("created")
b.connect(url, transports=["polling"])
b.emit("createAndJoinRoom", {"room": "r"})
b.wait_for("created")
a.wait_for("joined")
'''

WEBRTCROOM_HEARTBEAT = PRELUDE + r'''
a = client(())
a.connect(url, transports=["websocket"])
# socket.io 2.1.1 (engine.io 3.2) hands out 25000 / 5000: a peer that lost its network leaves 15 s sooner than
# with engine.io 4's 20000.
check("engine.io 3.x heartbeat", (a.eio.ping_interval, a.eio.ping_timeout), (25.0, 5.0))
a.disconnect()
'''

WEBRTCROOM_CANDIDATE_BURST = TWO_B_MEMBERS + r'''
# 300 candidates at once, as a client with several interfaces and TURN candidates trickles them: all arrive.
for index in range(300):
    b.emit("candidate", {"from": b.sid, "to": a.sid, "room": "r", "candidate": {"sdpMid": "0", "sdpMLineIndex": 0, "sdp": f"a=candidate:{index}"}})
got = [a.wait_for("candidate")[0]["candidate"]["sdp"] for _ in range(300)]
check("300 candidates in order", got, [f"a=candidate:{index}" for index in range(300)])
a.disconnect()
b.disconnect()
'''

WEBRTCROOM_REJOIN = TWO_B_MEMBERS + r'''
# A member joining its room again: the others hear joined again; it is not among its own peers and hears nothing
# about itself (deliberate: the original listed it and sent it joined about itself, docs/dialects.md#webrtcroom).
b.emit("createAndJoinRoom", {"room": "r"})
check("re-join created", b.wait_for("created"), [{"id": b.sid, "room": "r", "peers": [{"id": a.sid}]}])
check("re-join joined to the other", a.wait_for("joined"), [{"id": b.sid, "room": "r"}])
check("nothing about itself", b.quiet(), [])
a.disconnect()
b.disconnect()
'''

TWO_D_PEERS = PRELUDE + r'''
names = ("offer", "answer", "_ice_candidate", "wavMsg", "message", "iceServers", "exit", "joined", "created")
a, b = client(names), client(names)
a.connect(url, transports=["websocket"])
b.connect(url, transports=["websocket"])
'''

SOCKETIM_FIRST_ARGUMENT = TWO_D_PEERS + r'''
# Extra arguments: the original re-emits the first one only.
a.emit("offer", ("first", "second", 3))
check("offer, first argument only", b.wait_for("offer"), ["first"])
b.emit("answer", ("first", {"x": 1}))
check("answer, first argument only", a.wait_for("answer"), ["first"])
a.emit("_ice_candidate", ("first", "second"))
check("candidate, first argument only", b.wait_for("_ice_candidate"), ["first"])
a.emit("wav", (b"RIFF", "extra"))
check("wavMsg, first argument only", b.wait_for("wavMsg"), [b"RIFF"])
a.disconnect()
b.disconnect()
'''

SOCKETIM_LARGE_CLIP = TWO_D_PEERS + r'''
# A 1.5 MB voice clip (socket.io 2 took up to 100 MB): wavMsg reaches both and nobody is disconnected.
clip = bytes(range(256)) * 6144
a.emit("wav", clip)
check("1.5 MB wavMsg to the other", b.wait_for("wavMsg", timeout=60), [clip])
check("1.5 MB wavMsg to the sender", a.wait_for("wavMsg", timeout=60), [clip])
check("both still connected", (a.connected, b.connected), (True, True))
a.disconnect()
b.disconnect()
'''

# dialects.selection auto: an Engine.IO v3 socket is undecided until it speaks. A D callee waits silently for its
# offer; it must hear nothing of B (the original socketIM has no exit event), and B sockets nothing of D.
AUTO_SELECTION_KEEPS_DIALECTS_APART = PRELUDE + r'''
names = ("offer", "answer", "_ice_candidate", "wavMsg", "exit", "joined", "created")
callee = client(names)
callee.connect(url, transports=["websocket"])
silent = client(names)
silent.connect(url, transports=["websocket"])
silent.disconnect()
b1, b2 = client(names), client(names)
for member in (b1, b2):
    member.connect(url, transports=["websocket"])
    member.emit("createAndJoinRoom", {"room": "r"})
    member.wait_for("created")
b1.wait_for("joined")
b2_sid = b2.sid
b2.disconnect()
check("B's exit reaches B", b1.wait_for("exit"), [{"from": b2_sid, "room": ""}])
caller = client(names)
caller.connect(url, transports=["websocket"])
caller.emit("offer", '{"sdp":"v=0"}')
check("the undecided callee gets D's offer", callee.wait_for("offer"), ['{"sdp":"v=0"}'])
callee.emit("answer", '{"sdp":"v=0"}')
check("the caller gets the answer", caller.wait_for("answer"), ['{"sdp":"v=0"}'])
caller.disconnect()
check("the callee heard nothing of B", callee.quiet(), [])
check("B heard nothing of D", b1.quiet(), [])
callee.disconnect()
b1.disconnect()
'''


@pytest.mark.parametrize(
    "program",
    [WEBRTCROOM_HEARTBEAT, WEBRTCROOM_CANDIDATE_BURST, WEBRTCROOM_REJOIN, SOCKETIM_FIRST_ARGUMENT, SOCKETIM_LARGE_CLIP],
    ids=["webrtcroom-heartbeat", "webrtcroom-candidate-burst", "webrtcroom-rejoin", "socketim-first-argument",
         "socketim-large-clip"],
)
def test_as_the_original(start_switchboard, program):
    server = start_switchboard()
    run(program, f"http://127.0.0.1:{server.http_port}")


def test_auto_selection_keeps_undecided_sockets_out_of_the_other_dialect(start_switchboard):
    server = start_switchboard()
    run(AUTO_SELECTION_KEEPS_DIALECTS_APART, f"http://127.0.0.1:{server.http_port}")
