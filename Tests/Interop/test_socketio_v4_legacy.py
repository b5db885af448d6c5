"""python-socketio 4.6.1 with python-engineio 3.14.2 (Engine.IO v3 / Socket.IO v4, the protocol of the seeds'
legacy clients), against the real binary.

That client cannot share a virtual environment with python-socketio 5, so scripts/install-test-deps puts it in
.venv/sio4; each test writes a small client program and runs it there, and the program exits non-zero (with the
failing step on stderr) if anything differs. The binary runs with `signaling.testApp=true` (see test_socketio_v5.py).
"""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEGACY_PYTHON = ROOT / ".venv" / "sio4" / "bin" / "python"

CLIENT = r'''
import queue
import sys

import socketio

url, mode = sys.argv[1], sys.argv[2]
transports = {"polling": ["polling"], "websocket": ["websocket"], "upgrade": ["polling", "websocket"]}[mode]
assert socketio.__version__.startswith("4."), socketio.__version__


def make_client(namespaces):
    events = queue.Queue()
    client = socketio.Client(reconnection=False)

    def recorder(event, namespace):
        return lambda *args: events.put((namespace, event, list(args)))

    for namespace in namespaces:
        for event in ("auth", "message-back", "server-ack-result", "news", "disconnect"):
            client.on(event, recorder(event, namespace), namespace=namespace)
    client.on("question", lambda *args: ("answer", list(args)))

    def wait(event, namespace="/", timeout=10):
        while True:
            got_namespace, got_event, args = events.get(timeout=timeout)
            if (got_namespace, got_event) == (namespace, event):
                return args

    return client, wait, events


def check(step, actual, expected):
    if actual != expected:
        sys.exit(f"{step}: expected {expected!r}, got {actual!r}")
    print(f"ok {step}")


client, wait, _ = make_client(["/", "/custom"])
client.connect(url, transports=transports, namespaces=["/", "/custom"])
check("auth /", wait("auth"), [{}])
check("auth /custom", wait("auth", "/custom"), [{}])
check("transport", client.transport(), "polling" if mode == "polling" else "websocket")
check("sid is the Engine.IO sid", client.sid == client.eio.sid, True)

check("ack", list(client.call("message-with-ack", (1, "2", {"3": [True]}), timeout=10)), [1, "2", {"3": [True]}])
check("ack /custom", client.call("message-with-ack", "custom", namespace="/custom", timeout=10), "custom")
client.emit("message", (b"\x01\x02\x03", {"nested": b"\xff\x00", "text": "\u00e9\U0001F600"}))
check("bytes back", wait("message-back"), [b"\x01\x02\x03", {"nested": b"\xff\x00", "text": "\u00e9\U0001F600"}])
check("bytes ack", client.call("message-with-ack", b"\x00\x01", timeout=10), b"\x00\x01")
client.emit("server-ack", ("question", 7))
check("server asks for an ack", wait("server-ack-result"), ["answer", [7]])

# Rooms between two legacy clients.
other, other_wait, other_events = make_client(["/"])
other.connect(url, transports=transports, namespaces=["/"])
check("other auth", other_wait("auth"), [{}])
check("join", client.call("join", "room-1", timeout=10), "room-1")
check("other join", other.call("join", "room-1", timeout=10), "room-1")
check("to-room count", client.call("to-room", ("room-1", "news", {"n": 1}), timeout=10), 1)
check("news", other_wait("news"), [{"n": 1}])
other.disconnect()

# Server-side disconnect of one namespace, then disconnect and reconnect.
client.emit("disconnect-me", False, namespace="/custom")
wait("disconnect", "/custom")
print("ok server-side disconnect")
# (A new Client object: python-engineio 3.14.2 cannot reuse one after a polling disconnect, its old write-loop
# thread shares the queue with the new one.)
first_sid = client.sid
client.disconnect()
client, wait, _ = make_client(["/"])
client.connect(url, transports=transports, namespaces=["/"])
check("auth after reconnect", wait("auth"), [{}])
check("new sid", client.sid != first_sid, True)
check("ack after reconnect", client.call("message-with-ack", "again", timeout=10), "again")
client.disconnect()
print("done")
'''


@pytest.fixture
def signaling(start_switchboard):
    return start_switchboard(["--set", "signaling.testApp=true"])


@pytest.mark.parametrize("mode", ["polling", "websocket", "upgrade"])
def test_python_socketio_4(signaling, tmp_path, mode):
    if not LEGACY_PYTHON.exists():
        pytest.fail("python-socketio 4 is not installed: run scripts/install-test-deps")
    script = tmp_path / "legacy_client.py"
    script.write_text(CLIENT)
    result = subprocess.run(
        [str(LEGACY_PYTHON), str(script), f"http://127.0.0.1:{signaling.http_port}", mode],
        capture_output=True,
        text=True,
        timeout=120,
    )
    sys.stdout.write(result.stdout)
    assert result.returncode == 0, f"{result.stderr}\n{signaling.log()}"
    assert result.stdout.strip().endswith("done")
