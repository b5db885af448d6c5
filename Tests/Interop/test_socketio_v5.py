"""python-socketio 5.x (Engine.IO v4 / Socket.IO v5), a client no one here wrote, against the real binary.

The binary runs with `signaling.testApp=true`, which installs the conformance application on `/` and `/custom`
(see `SocketIOTestApp`): `auth` on connection, `message` -> `message-back`, `message-with-ack` acknowledged with the
same arguments, `server-ack` (the server asks the client for an ack), `join` / `to-room` (rooms) and
`disconnect-me` (server-side disconnect).
"""

import queue

import pytest
import socketio

TRANSPORTS = {
    "polling": ["polling"],
    "websocket": ["websocket"],
    "upgrade": ["polling", "websocket"],
}


@pytest.fixture
def signaling(start_switchboard):
    return start_switchboard(["--set", "signaling.testApp=true"])


class Recorder:
    """A python-socketio client whose events land in a queue, so tests can wait for them in order."""

    def __init__(self, namespaces=("/", "/custom")):
        self.events = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        for namespace in namespaces:
            for event in ("auth", "message-back", "server-ack-result", "news", "bye"):
                self.client.on(event, self._recorder(event, namespace), namespace=namespace)
            self.client.on("disconnect", self._recorder("disconnect", namespace), namespace=namespace)

    def _recorder(self, event, namespace):
        def record(*args):
            self.events.put((namespace, event, list(args)))

        return record

    def next(self, timeout=10):
        return self.events.get(timeout=timeout)

    def next_event(self, event, namespace="/", timeout=10):
        while True:
            got_namespace, got_event, args = self.next(timeout)
            if got_namespace == namespace and got_event == event:
                return args


def url(server):
    return f"http://127.0.0.1:{server.http_port}"


@pytest.mark.parametrize("mode", sorted(TRANSPORTS))
def test_namespaces_acks_and_bytes(signaling, mode):
    recorder = Recorder()
    client = recorder.client
    client.connect(url(signaling), transports=TRANSPORTS[mode], namespaces=["/", "/custom"], wait_timeout=10)
    try:
        assert recorder.next_event("auth", "/") == [{}]
        assert recorder.next_event("auth", "/custom") == [{}]
        expected_transport = "polling" if mode == "polling" else "websocket"
        assert client.transport() == expected_transport

        # Acks, with several arguments and JavaScript-style JSON.
        assert client.call("message-with-ack", (1, "2", {"3": [True]}), timeout=10) == (1, "2", {"3": [True]})
        assert client.call("message-with-ack", "custom", namespace="/custom", timeout=10) == "custom"

        # Bytes both ways: client -> server as an attachment, back as an attachment.
        client.emit("message", (b"\x01\x02\x03", {"nested": b"\xff\x00"}))
        assert recorder.next_event("message-back") == [b"\x01\x02\x03", {"nested": b"\xff\x00"}]
        assert client.call("message-with-ack", b"\x00\x01", timeout=10) == b"\x00\x01"

        # The server asks the client for an ack.
        client.on("question", lambda *args: ("answer", list(args)))
        client.emit("server-ack", ("question", 7))
        assert recorder.next_event("server-ack-result") == ["answer", [7]]
    finally:
        client.disconnect()


def test_unknown_namespace_is_refused(signaling):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(url(signaling), namespaces=["/random"], wait_timeout=5)
    client.disconnect()


def test_auth_payload_reaches_the_server(signaling):
    recorder = Recorder(namespaces=("/",))
    recorder.client.connect(url(signaling), auth={"token": "abc"}, namespaces=["/"], wait_timeout=10)
    try:
        assert recorder.next_event("auth") == [{"token": "abc"}]
    finally:
        recorder.client.disconnect()


def test_disconnect_and_reconnect(signaling):
    recorder = Recorder(namespaces=("/",))
    client = recorder.client
    client.connect(url(signaling), namespaces=["/"], wait_timeout=10)
    first = client.get_sid("/")
    assert recorder.next_event("auth") == [{}]
    client.disconnect()
    client.connect(url(signaling), namespaces=["/"], wait_timeout=10)
    try:
        assert recorder.next_event("auth") == [{}]
        second = client.get_sid("/")
        assert first and second and first != second
        assert client.call("message-with-ack", "again", timeout=10) == "again"
    finally:
        client.disconnect()


def test_server_side_disconnect(signaling):
    recorder = Recorder(namespaces=("/",))
    client = recorder.client
    client.connect(url(signaling), namespaces=["/"], wait_timeout=10)
    try:
        assert recorder.next_event("auth") == [{}]
        client.emit("disconnect-me", False)
        recorder.next_event("disconnect")
    finally:
        client.disconnect()


@pytest.mark.parametrize("mode", ["polling", "websocket"])
def test_rooms(signaling, mode):
    members = [Recorder(namespaces=("/",)) for _ in range(3)]
    for member in members:
        member.client.connect(url(signaling), transports=TRANSPORTS[mode], namespaces=["/"], wait_timeout=10)
        assert member.next_event("auth") == [{}]
    try:
        for member in members[:2]:
            assert member.client.call("join", "room-1", timeout=10) == "room-1"
        # To the room, without the sender: the other member only.
        assert members[0].client.call("to-room", ("room-1", "news", {"n": 1}), timeout=10) == 1
        assert members[1].next_event("news") == [{"n": 1}]
        with pytest.raises(queue.Empty):
            members[2].next_event("news", timeout=0.5)
        with pytest.raises(queue.Empty):
            members[0].next_event("news", timeout=0.5)
    finally:
        for member in members:
            member.client.disconnect()
