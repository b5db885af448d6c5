"""Several switchboard nodes sharing rooms through PostgreSQL LISTEN/NOTIFY, behind an HAProxy, for
test_cluster.py.

`ClusterNodes(postgres_url)` starts the nodes (each with `cluster.postgresURL`, `cluster.nodeName=node<i>`, one
`cluster.channel` of its own per cluster, so that tests never hear each other's nodes, and one shared
`turn.secrets`), waits for each one's `cluster: node node<i> listening`, and starts an HAProxy in front of them:

- `.url` is the HAProxy (http://127.0.0.1:PORT, mode http): round robin; an Engine.IO polling session sticks to the
  node that opened it (the handshake's `sid`, learnt from the response body, then matched on the `sid` query
  parameter); WebSocket upgrades pass through; health checks on GET /healthz every 500 ms, two failures take a node
  out of the rotation.
- `.tcp_url` is a plain TCP (mode tcp) round-robin frontend to the same nodes, e.g. for dialect C's `/ws`.
- `.node_url(i)` is node i itself; `.kill(i)` SIGKILLs it; `.stop()` stops everything.

`ClusterNodes(None)` starts plain nodes without the cluster keys (the harness's own test: stickiness through
HAProxy needs no cluster).

`ChatMember` is a python-socketio 5 client of dialect A (docs/dialects.md#chatroom) that records what it receives;
`run_legacy` runs a python-socketio 4.6.1 program (.venv/sio4, Engine.IO v3, dialects B and D) against the nodes.
"""

import itertools
import json
import os
import pathlib
import queue
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import tempfile
import urllib.parse
import urllib.request

import socketio

import sio4_program
from conftest import ROOT, Switchboard, free_port

HAPROXY = os.environ.get("TEST_HAPROXY_BIN", "haproxy")
LEGACY_PYTHON = ROOT / ".venv" / "sio4" / "bin" / "python"
ARTIFACTS = ROOT / ".build"

_counter = itertools.count()


def channel_name(test_name):
    """A LISTEN/NOTIFY channel of its own for one test: lowercase letters, digits and underscores, at most 40
    characters, starting with a letter, unique across tests and across runs sharing one PostgreSQL."""
    base = re.sub(r"[^a-z0-9_]+", "_", test_name.lower()).strip("_")
    suffix = secrets.token_hex(4)
    name = f"sbt_{base}"[: 40 - 1 - len(suffix)].rstrip("_") + "_" + suffix
    assert re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name), name
    return name


def stun_port_of(ice_servers):
    """The STUN port in an `iceServers` payload: it tells which node a client is on (each node has its own)."""
    url = ice_servers["iceServers"][0]["urls"][0]
    return int(url.rsplit(":", 1)[1])


class HAProxy:
    """haproxy -db (foreground) in front of the given (name, http port) servers."""

    def __init__(self, servers, directory):
        self.servers = list(servers)
        self.directory = pathlib.Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
        self.tcp_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
        # A unix socket path has at most 107 bytes: a short directory of its own, whatever the checkout's path.
        self.socket_directory = pathlib.Path(tempfile.mkdtemp(prefix="sb-haproxy-"))
        self.stats_socket = self.socket_directory / "stats.sock"
        self.config_path = self.directory / "haproxy.cfg"
        self.config_path.write_text(self.config())
        self.log_path = self.directory / "haproxy.log"
        self.log_file = open(self.log_path, "w+b")
        self.process = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(self.config_path)], stdout=self.log_file, stderr=subprocess.STDOUT
        )
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def config(self):
        servers = "\n".join(f"    server {name} 127.0.0.1:{port}" for name, port in self.servers)
        return f"""\
# Written by Tests/Interop/cluster.py.
global
    maxconn 4096
    stats socket {self.stats_socket} mode 600 level admin
    # A handshake body has to fit the buffer to be read (res.body): it is a few hundred bytes.
    tune.bufsize 65536

defaults
    timeout connect 2s
    # Engine.IO long polls last up to pingInterval (25 s); WebSockets are tunnels once upgraded.
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    timeout http-request 10s
    timeout queue 5s
    # A node that refuses the connection (killed, not yet marked down) is retried on another one.
    retries 3
    option redispatch 1

frontend http
    mode http
    bind 127.0.0.1:{self.port}
    default_backend nodes

# Round robin, except that an Engine.IO session stays on the node that opened it. `balance url_param sid` would not
# do: it hashes the sid onto any node, not the one that issued it. So the polling handshake (transport=polling, no
# sid yet) is balanced round robin, the sid in its response body (`0{{"sid":"..."` for Engine.IO v4, `96:0{{"sid":"..."`
# for v3: the fourth field between double quotes) is stored with the node that answered, and every later request
# naming that sid (polls, posts, the WebSocket upgrade) goes there. A sid whose node is down is ignored: the request
# is balanced, the node answers "unknown session" and the client reconnects. WebSocket-only sessions are one
# connection and need no table.
backend nodes
    mode http
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server check inter 500 fall 2 rise 1
    stick-table type string len 64 size 100k expire 30m
    acl engineio_handshake url_param(transport) -m str polling
    acl has_sid url_param(sid) -m found
    http-request set-var(txn.handshake) bool(true) if engineio_handshake !has_sid
    stick match url_param(sid)
    http-response wait-for-body time 5s if {{ var(txn.handshake) -m bool }} {{ status 200 }}
    stick store-response res.body,field(4,'\\"') if {{ var(txn.handshake) -m bool }} {{ status 200 }}
{servers}

frontend tcp
    mode tcp
    bind 127.0.0.1:{self.tcp_port}
    default_backend nodes_tcp

backend nodes_tcp
    mode tcp
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server check inter 500 fall 2 rise 1
{servers}
"""

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self, line):
        """One command on the runtime API (the stats socket)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def server_states(self, backend="nodes"):
        """{server name: status} ("UP", "DOWN", "UP 1/2", ...) for one backend."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(",")))
            if row.get("pxname") == backend and row.get("svname") not in ("FRONTEND", "BACKEND", None):
                states[row["svname"]] = row["status"]
        return states

    def stick_table(self, backend="nodes"):
        """{sid: server id (1-based, in the order of the servers)} of the stick table."""
        entries = {}
        for line in self.command(f"show table {backend}").splitlines():
            key = re.search(r"\bkey=(\S+)", line)
            server = re.search(r"\bserver_id=(\d+)", line)
            if key and server:
                entries[key.group(1)] = int(server.group(1))
        return entries

    def wait_for_state(self, name, wanted, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            states = [self.server_states(backend).get(name) for backend in ("nodes", "nodes_tcp")]
            if all(state == wanted for state in states):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"HAProxy: {name} is {states}, not {wanted}:\n{self.log()}")
            time.sleep(0.1)

    def wait_until_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while not self.stats_socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"haproxy did not start:\n{self.log()}")
            time.sleep(0.05)
        for name, _ in self.servers:
            self.wait_for_state(name, "UP", max(1, deadline - time.monotonic()))

    def log(self):
        if not self.log_file.closed:
            self.log_file.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            # SIGTERM: hard stop, nothing to drain here.
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
        self.stats_socket.unlink(missing_ok=True)
        try:
            self.socket_directory.rmdir()
        except OSError:
            pass


class ClusterNodes:
    """`count` switchboard nodes of one cluster (one channel) and an HAProxy in front of them."""

    def __init__(self, postgres_url, count=3, extra_args=(), channel=None, name="cluster"):
        self.postgres_url = postgres_url
        self.channel = channel or channel_name(name)
        self.nodes = [None] * count
        self.killed = set()
        self.haproxy = None
        self.directory = ARTIFACTS / f"cluster-{self.channel}"
        # One TURN REST secret for the whole cluster (a cluster refuses to start without one: docs/cluster.md).
        self.turn_secret = secrets.token_hex(16)
        errors = []

        def start(index):
            args = list(extra_args)
            ready_line = "STUN listening"
            if postgres_url is not None:
                args = [
                    "--set", f"cluster.postgresURL={postgres_url}",
                    "--set", f"cluster.nodeName=node{index}",
                    "--set", f"cluster.channel={self.channel}",
                    "--set", f"turn.secrets={self.turn_secret}",
                    *args,
                ]
                ready_line = f"cluster: node node{index} listening"
            try:
                self.nodes[index] = Switchboard(args=args, ready_line=ready_line)
            except BaseException as error:  # noqa: BLE001 - reported below, with the other nodes stopped
                errors.append(error)

        threads = [threading.Thread(target=start, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            if errors:
                raise errors[0]
            self.haproxy = HAProxy([(f"node{index}", node.http_port) for index, node in enumerate(self.nodes)], self.directory)
        except BaseException:
            self.stop()
            raise
        print(f"cluster {self.channel}: HAProxy {self.url} (config and log in {self.directory})")
        for index, node in enumerate(self.nodes):
            print(f"  node{index}: {self.node_url(index)} stun {node.stun_port} log {node.stderr_path}")

    def __len__(self):
        return len(self.nodes)

    @property
    def url(self):
        return self.haproxy.url

    @property
    def tcp_url(self):
        """ws://127.0.0.1:PORT: the mode-tcp frontend (append /ws for dialect C)."""
        return f"ws://127.0.0.1:{self.haproxy.tcp_port}"

    @property
    def ws_url(self):
        """ws://127.0.0.1:PORT: the mode-http frontend."""
        return f"ws://127.0.0.1:{self.haproxy.port}"

    def node_url(self, index):
        return f"http://127.0.0.1:{self.nodes[index].http_port}"

    def node_ws_url(self, index):
        return f"ws://127.0.0.1:{self.nodes[index].http_port}"

    def node_of(self, ice_servers):
        """Which node handed out this `iceServers` payload (by its STUN port)."""
        port = stun_port_of(ice_servers)
        for index, node in enumerate(self.nodes):
            if node.stun_port == port:
                return index
        raise AssertionError(f"no node has STUN port {port}")

    def kill(self, index):
        """SIGKILL node `index` (no goodbye to the cluster, its sockets reset by the kernel)."""
        node = self.nodes[index]
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(timeout=10)
        self.killed.add(index)

    def alive(self):
        return [index for index in range(len(self.nodes)) if index not in self.killed]

    def check_username(self, index, username, room):
        query = urllib.parse.urlencode({"username": username, "roomname": room})
        with urllib.request.urlopen(f"{self.node_url(index)}/checkUsername?{query}", timeout=5) as response:
            body = json.loads(response.read())
        return body["isRepeat"]

    def wait_username(self, username, room, taken=True, nodes=None, timeout=10):
        """Waits until every node in `nodes` (default: the live ones) answers /checkUsername with `taken`."""
        nodes = self.alive() if nodes is None else nodes
        deadline = time.monotonic() + timeout
        pending = list(nodes)
        while pending:
            pending = [index for index in pending if self.check_username(index, username, room) != taken]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"/checkUsername?username={username}&roomname={room} is not {taken} on node(s) {pending} "
                    f"after {timeout} s\n{self.logs()}"
                )
            time.sleep(0.05)

    def sync(self, nodes=None, timeout=10):
        """A barrier: returns once every live node has handled what every other live node published before the
        call. A dialect-A marker joins a room of its own on each node; each node's /checkUsername must see every
        marker. (It relies on LISTEN/NOTIFY delivering a node's notifications in order.)"""
        nodes = self.alive() if nodes is None else nodes
        room = f"sync-{secrets.token_hex(6)}"
        markers = []
        try:
            for index in nodes:
                marker = ChatMember(self.node_url(index), ["websocket"])
                markers.append(marker)
                marker.join(f"sync-{index}-{room}", f"sync{index}", room)
            for index in nodes:
                self.wait_username(f"sync{index}", room, nodes=nodes, timeout=timeout)
        finally:
            for marker in markers:
                marker.close()

    def logs(self, lines=60):
        """The last lines of every node's log (without the frames of a crash's backtrace) and of HAProxy's, for
        failure messages. The whole logs are in the files ClusterNodes printed at the start."""
        parts = []
        for index, node in enumerate(self.nodes):
            if node is not None:
                kept = [
                    line[:400]
                    for line in node.log().splitlines()
                    if line[:1].isdigit() or line.startswith("***") or "rror" in line or "ssertion" in line
                ]
                parts.append(f"---- node{index} ({node.stderr_path}) ----\n" + "\n".join(kept[-lines:]))
        if self.haproxy is not None:
            parts.append(f"---- haproxy ----\n{self.haproxy.log()[-3000:]}")
        return "\n".join(parts)

    def stop(self):
        """Stops HAProxy and the nodes; returns {index: exit code} of the nodes that were not killed."""
        if self.haproxy is not None:
            self.haproxy.stop()
        codes = {}
        for index, node in enumerate(self.nodes):
            if node is None:
                continue
            if index in self.killed:
                node.stop()
            else:
                codes[index] = node.stop()
        return codes


class ChatMember:
    """A python-socketio 5 client of dialect A that records every event it receives.

    With `rejoin=True` it reconnects (python-socketio's reconnection) after losing its connection and then emits
    its last `join` again, retrying while the server answers `repeat` (its old entry not yet gone).
    With `collect_candidates=True` the `icecandidate` events go to `.candidates` (a list of payloads, in arrival
    order) rather than to the queue of `next()`."""

    def __init__(self, url, transports=None, rejoin=False, name=None, collect_candidates=False):
        self.url = url
        self.name = name
        self.collect_candidates = collect_candidates
        self.candidates = []
        self.events = queue.Queue()
        self.ice = queue.Queue()
        self.join_payload = None
        self.rejoin = rejoin
        self.disconnects = 0
        self.connects = 0
        self.repeats = 0
        self.accepted_joins = 0
        self.sids = []
        self.arrivals = []  # (time.monotonic(), event, arguments) of every event, in order
        self.lock = threading.Lock()
        self.client = socketio.Client(
            reconnection=rejoin, reconnection_delay=0.5, reconnection_delay_max=2, randomization_factor=0.5
        )

        @self.client.on("*")
        def on_any(event, *arguments):
            with self.lock:
                self.arrivals.append((time.monotonic(), event, list(arguments)))
            if event == "iceServers":
                with self.lock:
                    self.accepted_joins += 1
                self.ice.put(arguments[0])
            if event == "error" and arguments and isinstance(arguments[0], dict) and arguments[0].get("type") == "repeat":
                with self.lock:
                    self.repeats += 1
                if self.rejoin and self.join_payload is not None and self.connects > 1:
                    threading.Timer(0.25, self._emit_join).start()
                    return
            if event == "icecandidate" and self.collect_candidates:
                with self.lock:
                    self.candidates.append(arguments[0] if arguments else None)
                return
            self.events.put((event, list(arguments)))

        @self.client.event
        def connect():
            with self.lock:
                self.connects += 1
                self.sids.append(self.client.get_sid("/"))
            if self.connects > 1 and self.join_payload is not None:
                self._emit_join()

        @self.client.event
        def disconnect(*reason):
            with self.lock:
                self.disconnects += 1

        self.client.connect(url, transports=transports or ["polling", "websocket"], wait_timeout=10)

    def _emit_join(self):
        try:
            self.client.emit("join", self.join_payload)
        except Exception:  # noqa: BLE001 - not connected (again): the next connect emits it
            pass

    @property
    def sid(self):
        """The socket id of the current connection, or of the last one once closed."""
        with self.lock:
            return self.client.get_sid("/") or (self.sids[-1] if self.sids else None)

    def arrival(self, event, arguments):
        """When (time.monotonic()) the first such event arrived."""
        with self.lock:
            for moment, got_event, got_arguments in self.arrivals:
                if (got_event, got_arguments) == (event, list(arguments)):
                    return moment
        raise KeyError((event, arguments))

    @property
    def engineio_sid(self):
        return self.client.eio.sid

    def join(self, user_id, username, room, accepted=True, timeout=10):
        """Emits join; unless told otherwise, waits for it to be accepted (iceServers follows) and returns the ICE
        configuration."""
        self.join_payload = {"id": user_id, "username": username, "roomname": room}
        self.client.emit("join", self.join_payload)
        if accepted:
            return self.ice.get(timeout=timeout)
        return None

    def next(self, timeout=10, skip=("iceServers",)):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                event, arguments = self.events.get(timeout=max(0.01, remaining))
            except queue.Empty:
                raise AssertionError(f"{self.name or self.sid}: nothing within {timeout} s") from None
            if event not in skip:
                return event, arguments

    def quiet(self, wait=0.5, skip=("iceServers",)):
        time.sleep(wait)
        leftover = []
        while not self.events.empty():
            event, arguments = self.events.get()
            if event not in skip:
                leftover.append((event, arguments))
        return leftover

    def close(self):
        self.rejoin = False
        try:
            self.client.disconnect()
        except Exception:  # noqa: BLE001 - already gone
            pass


def offer_answer_and_candidates(ann, bob):
    """Dialect A's signaling between two members of one room (ChatMember): ann offers, bob answers, each sends the
    other a candidate; each receiver gets exactly the payload the original server forwards. Returns the offer."""
    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
    ann.client.emit("offer", {"connectorId": "ann-c1", "memberId": bob.sid, "offer": offer, "streamType": "user"})
    assert bob.next() == ("offer", [{"remoteConnectorId": "ann-c1", "offer": offer, "memberId": ann.sid, "streamType": "user"}])
    answer = {"type": "answer", "sdp": "v=0\r\n"}
    bob.client.emit(
        "answer",
        {"remoteConnectorId": "ann-c1", "connectorId": "bob-c1", "memberId": ann.sid, "answer": answer, "streamType": "user"},
    )
    event, arguments = ann.next()
    assert (event, arguments) == ("answer", [{"remoteConnectorId": "bob-c1", "connectorId": "ann-c1", "answer": answer, "memberId": bob.sid}])
    assert "streamType" not in arguments[0]
    candidate = {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host", "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": None}
    ann.client.emit("icecandidate", {"remoteConnectorId": "bob-c1", "memberId": bob.sid, "candidate": candidate})
    assert bob.next() == ("icecandidate", [{"connectorId": "bob-c1", "candidate": candidate}])
    bob.client.emit("icecandidate", {"remoteConnectorId": "ann-c1", "memberId": ann.sid, "candidate": candidate})
    assert ann.next() == ("icecandidate", [{"connectorId": "ann-c1", "candidate": candidate}])
    return offer


SIO4_PRELUDE = sio4_program.PRELUDE + r'''
urls = sys.argv[1:]


def sync():
    """The harness's cluster barrier (ClusterNodes.sync): every node has heard what every node published."""
    print("sync", flush=True)
    if sys.stdin.readline().strip() != "go":
        fail("sync: no go from the harness")


def stun_port(ice):
    return int(ice["iceServers"][0]["urls"][0].rsplit(":", 1)[1])
'''


def run_legacy(program, urls, cluster=None, timeout=120):
    """Runs a python-socketio 4.6.1 program (SIO4_PRELUDE + the test's code) with the URLs as arguments; it exits
    non-zero on any difference. A line `sync` on its stdout runs cluster.sync() and answers `go`."""
    if not LEGACY_PYTHON.exists():
        raise AssertionError("python-socketio 4 is not installed: run scripts/install-test-deps")
    stderr_path = ARTIFACTS / f"sio4-{os.getpid()}-{next(_counter)}.err"
    with open(stderr_path, "w+") as stderr:
        process = subprocess.Popen(
            [str(LEGACY_PYTHON), "-c", program, *urls],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        output = []
        try:
            for line in process.stdout:
                output.append(line)
                if line.strip() == "sync":
                    if cluster is None:
                        process.kill()
                        raise AssertionError("the program asked for a cluster sync without a cluster")
                    cluster.sync()
                    process.stdin.write("go\n")
                    process.stdin.flush()
            process.wait()
        finally:
            timer.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr.seek(0)
        errors = stderr.read()
    stderr_path.unlink(missing_ok=True)
    sys.stdout.write("".join(output))
    message = "".join(output) + errors
    if process.returncode != 0 and cluster is not None:
        message += "\n" + cluster.logs()
    assert process.returncode == 0, message
    return "".join(output)
