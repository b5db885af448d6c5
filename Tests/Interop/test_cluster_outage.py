"""A cluster while its PostgreSQL is away (docs/cluster.md#outage): each node keeps serving its own clients alone,
retries the database with back-off, and when the database is back starts over in the cluster: its clients are
disconnected, reconnect, join again, and reach the other node's clients once more. The test runs its own PostgreSQL,
which it stops and starts again."""

import glob
import os
import socket
import subprocess
import tempfile
import time

import pytest

from cluster import ChatMember, ClusterNodes
from conftest import ROOT, free_port

SCRIPT = ROOT / "scripts" / "test-postgres"


class OwnPostgres:
    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="switchboard-outage-postgres.", dir="/tmp")
        port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
        result = subprocess.run([str(SCRIPT), "start", self.directory, str(port)], capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        self.url = result.stdout.strip().splitlines()[-1]
        self.bin = os.environ.get("PG_BIN") or sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]

    def pg_ctl(self, *arguments):
        command = [f"{self.bin}/pg_ctl", "-D", f"{self.directory}/data", "-w", "-t", "60", *arguments]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120, cwd="/")

    def stop(self):
        self.pg_ctl("stop", "-m", "fast")

    def start(self):
        self.pg_ctl("start", "-l", f"{self.directory}/server.log")

    def remove(self):
        subprocess.run([str(SCRIPT), "stop", self.directory], capture_output=True, timeout=120)


@pytest.fixture
def outage_cluster(request):
    database = OwnPostgres()
    nodes = None
    codes = {}
    try:
        nodes = ClusterNodes(
            database.url, count=2, extra_args=["--set", "dialects.chatroomGraceMilliseconds=500"], name=request.node.name
        )
        yield database, nodes
    finally:
        if nodes is not None:
            codes = nodes.stop()
        database.remove()
    assert all(code == 0 for code in codes.values()), nodes.logs()


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def test_nodes_serve_their_own_clients_while_the_database_is_away_and_rejoin_after(outage_cluster):
    database, nodes = outage_cluster
    ann = ChatMember(nodes.node_url(0), name="ann", rejoin=True)
    bob = ChatMember(nodes.node_url(1), name="bob", rejoin=True)
    try:
        ann.join("u-ann", "ann", "room")
        bob.join("u-bob", "bob", "room")
        assert ann.next() == ("getOffer", [{"memberId": bob.sid}])

        database.stop()
        wait_for(lambda: "serving this node's clients alone" in nodes.nodes[0].log(), 15, "node0 goes standalone")
        # node0 alone: a new member meets ann, on node0 only; bob's node hears nothing of it.
        cat = ChatMember(nodes.node_url(0), name="cat")
        try:
            cat.join("u-cat", "cat", "room")
            event, arguments = ann.next()
            assert (event, arguments) == ("getOffer", [{"memberId": cat.sid}]), (event, arguments)
            cat.client.emit("offer", {"connectorId": "c1", "memberId": ann.sid, "offer": {"type": "offer"}, "streamType": "user"})
            assert ann.next()[0] == "offer"
            assert ("getOffer", [{"memberId": cat.sid}]) not in bob.quiet(1.0)
        finally:
            cat.close()
        assert all(node.process.poll() is None for node in nodes.nodes)

        disconnects = (ann.disconnects, bob.disconnects)
        database.start()
        # Back in the cluster, each node drops its clients, which reconnect and join again.
        for index in (0, 1):
            wait_for(lambda: nodes.nodes[index].log().count(f"cluster: node node{index} listening") >= 2, 30, f"node{index} rejoins")
        wait_for(lambda: ann.disconnects > disconnects[0] and bob.disconnects > disconnects[1], 30, "clients dropped")
        wait_for(lambda: ann.accepted_joins >= 2 and bob.accepted_joins >= 2, 30, "clients joined again")
        # Across the nodes again: bob reaches ann.
        bob.client.emit("offer", {"connectorId": "b9", "memberId": ann.sid, "offer": {"type": "offer", "sdp": "again"}, "streamType": "user"})
        deadline = time.monotonic() + 15
        while True:
            event, arguments = ann.next(timeout=max(0.1, deadline - time.monotonic()))
            if event == "offer":
                assert arguments[0]["memberId"] == bob.sid and arguments[0]["offer"]["sdp"] == "again", arguments
                break
    finally:
        ann.close()
        bob.close()
