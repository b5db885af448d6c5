"""One churn worker of the soak (scripts/soak): a few clients of one kind that join, talk, leave and come back
against a running switchboard until SIGTERM, then close everything and print a JSON summary of what they did.

Kinds: chatroom (dialect A, python-socketio 5, Engine.IO v4), webrtcroom (B) and socketim (D) (python-socketio 4,
Engine.IO v3: run this file with .venv/sio4/bin/python), rawws (dialect C, websocket-client) and turn (allocations,
permissions, channels, refreshes and deletes with the project's raw client Tests/Interop/rawstun.py and a UDP echo
peer in this process).

With --crash-after S the clients connect and join, and after S seconds the process exits without closing
anything, like a killed browser tab: what it held must go away on the server's own timeouts.
"""

import argparse
import json
import os
import pathlib
import queue
import random
import signal
import socket
import struct
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "Interop"))  # rawstun.py, the project's raw STUN/TURN client
STOP = threading.Event()
# The clients a thread has open, closed by it when a cycle fails half-way.
OPEN = threading.local()


def opened(client):
    if not hasattr(OPEN, "clients"):
        OPEN.clients = []
    OPEN.clients.append(client)
    return client


def close_open_clients():
    for client in getattr(OPEN, "clients", []):
        try:
            client.close()
        except Exception:
            pass
    OPEN.clients = []


class Tally:
    """Counts of what the clients did, and the first few errors, shared by the threads of this worker."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.errors = []

    def add(self, name, amount=1):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + amount

    def error(self, text, kind="worker"):
        with self.lock:
            self.counts[f"{kind}.errors"] = self.counts.get(f"{kind}.errors", 0) + 1
            if len(self.errors) < 10:
                self.errors.append(text)

    def scoped(self, kind):
        return ScopedTally(self, kind)


class ScopedTally:
    """The counts of one kind of client: names prefixed with the kind."""

    def __init__(self, tally, kind):
        self.tally = tally
        self.kind = kind

    def add(self, name, amount=1):
        self.tally.add(f"{self.kind}.{name}", amount)

    def error(self, text):
        self.tally.error(f"{self.kind}: {text}", self.kind)


def pause(seconds):
    """Sleeps unless the worker is told to stop; True when it should go on."""
    return not STOP.wait(seconds)


class SocketIOClient:
    """A python-socketio client (4.x or 5.x, whichever this interpreter has) that queues the named events."""

    def __init__(self, url, transports, names):
        import inspect

        import requests
        import socketio

        self.events = queue.Queue()
        # Its own HTTP session, closed with the client: a browser tab that goes away takes its connections along,
        # where a pooled keep-alive connection would stay open until garbage collection.
        self.http = requests.Session()
        self.client = socketio.Client(reconnection=False, http_session=self.http)
        for name in names:
            self.client.on(name, (lambda name: lambda *args: self.events.put((name, list(args))))(name))
        try:
            if "wait_timeout" in inspect.signature(socketio.Client.connect).parameters:  # 5.x waits 1 s by default
                self.client.connect(url, transports=transports, wait_timeout=10)
            else:
                self.client.connect(url, transports=transports)
        except Exception:
            self.http.close()
            raise
        opened(self)
        self.sid = self.client.sid

    def wait_for(self, name, timeout=10):
        """The arguments of the next `name` event; every event on the way goes through `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                got, args = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"no {name} event within {timeout} s") from None
            self.seen(got, args)
            if got == name:
                return args

    def drain(self):
        while True:
            try:
                got, args = self.events.get_nowait()
            except queue.Empty:
                return
            self.seen(got, args)

    def seen(self, name, args):
        """Hook for events that carry state (peers to talk to)."""

    def close(self):
        self.client.disconnect()
        self.http.close()


TRANSPORTS = (["websocket"], ["polling"], ["polling", "websocket"])


def chatroom_client(url, rng, tally, slot, serial, crash):
    """Dialect A: join a room, send offers to the members announced by getOffer, then leave, drop (the disconnect
    grace removes the member) or drop and come back on a new socket with `reconnect` inside the grace."""
    names = ("iceServers", "getOffer", "offer", "answer", "icecandidate", "leave", "reconnect", "error")
    user = {"id": f"soak-{slot}-{serial}", "username": f"u{slot}-{serial}", "roomname": f"soak-a-{rng.randrange(3)}"}
    peers = set()

    class Member(SocketIOClient):
        def seen(self, name, args):
            tally.add("received")
            if name == "getOffer":
                peers.add(args[0]["memberId"])
            elif name == "leave" and args and isinstance(args[0], dict):
                peers.discard(args[0].get("memberId"))
            elif name == "error" and args and isinstance(args[0], dict) and args[0].get("type") == "notInRoom":
                # An offer to a member who left meanwhile: the server's correct refusal, not a fault.
                tally.add("refused_gone")
            elif name == "error":
                tally.error(f"chatroom error event {args!r}")

    member = Member(url, rng.choice(TRANSPORTS), names)
    tally.add("connects")
    member.client.emit("join", user)
    member.wait_for("iceServers")
    tally.add("joins")
    if crash:
        return member
    for _ in range(rng.randint(1, 4)):
        member.drain()
        if peers:
            target = rng.choice(sorted(peers))
            offer = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}
            member.client.emit(
                "offer", {"connectorId": f"c-{serial}", "memberId": target, "offer": offer, "streamType": "user"}
            )
            tally.add("offers")
        if not pause(rng.uniform(0.5, 1.5)):
            break
    ending = rng.random()
    if ending < 0.4:
        member.client.emit("leave", [{"remoteConnectorId": f"c-{serial}", "memberId": peer} for peer in sorted(peers)])
        tally.add("leaves")
        time.sleep(0.1)
        member.close()
    elif ending < 0.7 or STOP.is_set():
        member.close()
        tally.add("drops")
    else:
        member.close()
        time.sleep(rng.uniform(0.1, 0.5))
        again = Member(url, rng.choice(TRANSPORTS), names)
        tally.add("connects")
        again.client.emit("reconnect", user)
        again.wait_for("iceServers")
        tally.add("reconnects")
        pause(rng.uniform(0.3, 1.0))
        again.client.emit("leave", [])
        tally.add("leaves")
        time.sleep(0.1)
        again.close()
    return None


def webrtcroom_client(url, rng, tally, slot, serial, crash):
    """Dialect B: createAndJoinRoom, offers to the peers listed in `created` and `joined`, then `exit` or a plain
    disconnect."""
    names = ("created", "joined", "offer", "answer", "candidate", "exit", "iceServers", "message")
    room = f"soak-b-{rng.randrange(3)}"
    peers = set()

    class Member(SocketIOClient):
        def seen(self, name, args):
            tally.add("received")
            if name == "created":
                peers.update(peer["id"] for peer in args[0]["peers"])
            elif name == "joined":
                peers.add(args[0]["id"])
            elif name == "exit":
                peers.discard(args[0].get("from"))

    member = Member(url, rng.choice(TRANSPORTS), names)
    tally.add("connects")
    member.client.emit("createAndJoinRoom", {"room": room})
    member.wait_for("created")
    tally.add("joins")
    if crash:
        return member
    for _ in range(rng.randint(1, 4)):
        member.drain()
        if peers:
            target = rng.choice(sorted(peers))
            member.client.emit("offer", {"from": member.sid, "to": target, "room": room, "sdp": "v=0\r\n"})
            tally.add("offers")
        if not pause(rng.uniform(0.5, 1.5)):
            break
    if rng.random() < 0.5:
        member.client.emit("exit", {"from": member.sid, "room": room})
        tally.add("leaves")
        time.sleep(0.1)
    else:
        tally.add("drops")
    member.close()
    return None


def socketim_client(url, rng, tally, slot, serial, crash):
    """Dialect D: the welcome message, string offers to every other socket, a `wav` echoed back as `wavMsg`."""
    names = ("offer", "answer", "_ice_candidate", "wavMsg", "message", "iceServers")
    member = SocketIOClient(url, rng.choice(TRANSPORTS), names)
    tally.add("connects")
    member.wait_for("message")
    tally.add("joins")
    if crash:
        return member
    for _ in range(rng.randint(1, 3)):
        member.client.emit("offer", '{"data":{"sdp":{"type":"offer","sdp":"v=0\\r\\n"}}}')
        tally.add("offers")
        payload = b"RIFF" + os.urandom(60)
        member.client.emit("wav", payload)
        while member.wait_for("wavMsg") != [payload]:
            pass
        tally.add("wav_echoes")
        if not pause(rng.uniform(0.5, 1.5)):
            break
    member.close()
    return None


def rawws_client(url, rng, tally, slot, serial, crash):
    """Dialect C: join, offers to everyone, then `leave` and a close frame, a close frame only, or a TCP close with
    no close frame."""
    import websocket

    ws = opened(websocket.create_connection(url.replace("http://", "ws://") + "/ws", timeout=10))
    tally.add("connects")
    ws.send(json.dumps({"type": "join", "id": f"soak-{slot}-{serial}", "nick": f"n{slot}"}))
    while json.loads(ws.recv()).get("type") != "iceServers":
        tally.add("received")
    tally.add("joins")
    if crash:
        return ws
    for _ in range(rng.randint(1, 4)):
        ws.send(json.dumps({"type": "offer", "sdp": {"type": "offer", "sdp": "v=0"}}))
        tally.add("offers")
        ws.settimeout(rng.uniform(0.5, 1.5))
        try:
            while True:  # what the others sent, until the pause is over
                ws.recv()
                tally.add("received")
        except websocket.WebSocketTimeoutException:
            pass
        ws.settimeout(10)
        if STOP.is_set():
            break
    ending = rng.random()
    if ending < 0.4:
        ws.send(json.dumps({"type": "leave"}))
        tally.add("leaves")
        ws.close()
    elif ending < 0.7:
        ws.close()
        tally.add("drops")
    else:
        ws.shutdown()  # no close frame: the server sees the TCP connection end
        tally.add("aborts")
    return None


class EchoPeer:
    """A UDP echo on 127.0.0.1, the peer every TURN client of this worker relays to."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            try:
                data, address = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.sock.sendto(data, address)


def turn_client(server, rng, tally, slot, serial, crash, peer, credentials):
    """An allocation over UDP or TCP: permission, channel, ChannelData and Send indications echoed by the peer,
    refreshes, then a Refresh with LIFETIME 0 (delete) or, for half the TCP clients, just the end of the
    connection. A crashing client allocates over UDP and leaves it to expire (turn.defaultLifetimeSeconds)."""
    import rawstun as stun

    username, password, realm = credentials
    key = stun.long_term_key(username, realm, password)
    tcp = not crash and rng.random() < 0.3
    client = opened(stun.Client(server[1], host=server[0], tcp=tcp))
    try:
        client.challenge()
        udp = (stun.REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))
        response = client.authenticated(stun.ALLOCATE, username, key, attributes=[udp])
        if response.cls != stun.SUCCESS:
            raise RuntimeError(f"Allocate answered {response.error_code}")
        tally.add("allocations")

        def request(method, attributes):
            message = stun.Message(method, stun.REQUEST)
            for name, value in attributes(message.transaction_id):
                message.add(name, value)
            message.add(stun.USERNAME, username.encode())
            message.add(stun.REALM, realm.encode())
            message.add(stun.NONCE, client.nonce)
            answer = client.transact(message, key=key)
            if answer.cls != stun.SUCCESS:
                raise RuntimeError(f"method {method:#x} answered {answer.error_code}")

        peer_address = lambda tid: [(stun.XOR_PEER_ADDRESS, stun.xor_address("127.0.0.1", peer.port, tid))]
        request(stun.CREATE_PERMISSION, peer_address)
        tally.add("permissions")

        def send_indication(payload):
            indication = stun.Message(stun.SEND, stun.INDICATION)
            indication.add(stun.XOR_PEER_ADDRESS, stun.xor_address("127.0.0.1", peer.port, indication.transaction_id))
            indication.add(stun.DATA_ATTR, payload)
            client.send_raw(indication.encode(fingerprint=False))

        # Without a channel the peer's answer comes back as a Data indication (RFC 8656 section 11.6).
        payload = os.urandom(rng.randrange(8, 200))
        send_indication(payload)
        if stun.Message.decode(client.receive()).get(stun.DATA_ATTR) != payload:
            raise RuntimeError("Send indication not echoed as a Data indication")
        tally.add("indication_echoes")
        channel = 0x4000 + rng.randrange(0x1000)
        number = (stun.CHANNEL_NUMBER, struct.pack("!HH", channel, 0))
        request(stun.CHANNEL_BIND, lambda tid: [number, *peer_address(tid)])
        tally.add("channels")
        if crash:
            return client

        def expect_channel_data(payload):
            data = client.receive()
            if data[:4] != struct.pack("!HH", channel, len(payload)) or data[4 : 4 + len(payload)] != payload:
                raise RuntimeError("the peer's echo did not come back as ChannelData")

        for round_ in range(rng.randint(1, 4)):
            payload = struct.pack("!II", slot, round_) + os.urandom(rng.randrange(8, 200))
            client.send_raw(struct.pack("!HH", channel, len(payload)) + payload + bytes(-len(payload) % 4))
            expect_channel_data(payload)
            tally.add("channel_echoes")
            # With a channel bound, the answer to a Send indication comes back as ChannelData (section 12.6).
            send_indication(payload)
            expect_channel_data(payload)
            tally.add("indication_echoes")
            if not pause(rng.uniform(0.5, 1.5)):
                break
            request(stun.REFRESH, lambda tid: [(stun.LIFETIME, struct.pack("!I", 600))])
            tally.add("refreshes")
        if not tcp or rng.random() < 0.5:
            request(stun.REFRESH, lambda tid: [(stun.LIFETIME, struct.pack("!I", 0))])
            tally.add("deletes")
        else:
            tally.add("tcp_closes")  # the allocation goes with its TCP connection
    finally:
        if not crash:
            client.close()
    return None


KINDS = ("chatroom", "webrtcroom", "socketim", "rawws", "turn")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", help="comma-separated: " + ",".join(KINDS))
    parser.add_argument("--http", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--stun", default="127.0.0.1:3478", help="HOST:PORT of the TURN server")
    parser.add_argument("--turn-user", default="soak:soakpass:soak.local", help="USER:PASSWORD:REALM")
    parser.add_argument("--clients", type=int, default=4, help="clients of each kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--crash-after", type=float, default=0, help="join, then exit without closing after S s")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    for kind in kinds:
        if kind not in KINDS:
            parser.error(f"unknown kind {kind}")

    signal.signal(signal.SIGTERM, lambda *_: STOP.set())
    signal.signal(signal.SIGINT, lambda *_: STOP.set())
    tally = Tally()
    crash = args.crash_after > 0
    held = []
    peer = EchoPeer() if "turn" in kinds else None
    host, _, port = args.stun.rpartition(":")
    user, password, realm = args.turn_user.split(":")
    url = args.http.rstrip("/")
    clients = {
        "chatroom": chatroom_client,
        "webrtcroom": webrtcroom_client,
        "socketim": socketim_client,
        "rawws": rawws_client,
    }

    def one(kind, rng, slot, serial):
        if kind == "turn":
            server = (host.strip("[]"), int(port))
            return turn_client(server, rng, tally.scoped(kind), slot, serial, crash, peer, (user, password, realm))
        return clients[kind](url, rng, tally.scoped(kind), slot, serial, crash)

    def run(kind, slot):
        rng = random.Random(args.seed * 1000 + slot)
        serial = 0
        pause(rng.uniform(0, 1.0))  # the clients of one worker do not all start at once
        while not STOP.is_set():
            serial += 1
            OPEN.clients = []
            try:
                kept = one(kind, rng, slot, serial)
                tally.add(f"{kind}.cycles")
                if crash:
                    held.append(kept)  # never closed: the process exits under it
                    return
            except Exception as error:  # counted, reported, and the client starts over
                tally.error(f"{kind} slot {slot}: {type(error).__name__}: {error}", kind)
                if crash:
                    return
                close_open_clients()
                pause(1.0)
            pause(rng.uniform(0.1, 0.5))

    threads = []
    for index, kind in enumerate(kinds):
        for slot in range(args.clients):
            threads.append(threading.Thread(target=run, args=(kind, index * 100 + slot), daemon=True))
    for thread in threads:
        thread.start()
    if crash:
        for thread in threads:
            thread.join(timeout=30)
        time.sleep(args.crash_after)
        report(kinds, tally, crash)
        os._exit(0)  # the kernel closes the sockets: no close packet, no Refresh, no leave
    while not STOP.is_set():
        STOP.wait(1.0)
    for thread in threads:
        thread.join(timeout=60)
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        tally.error(f"{stuck} client threads did not finish within 60 s of SIGTERM")
    report(kinds, tally, crash)
    os._exit(1 if stuck else 0)


def report(kinds, tally, crash):
    with tally.lock:
        line = json.dumps({"kinds": kinds, "crash": crash, "counts": tally.counts, "errors": tally.errors})
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
