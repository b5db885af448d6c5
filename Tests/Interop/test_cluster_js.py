"""The official JavaScript client (socket.io-client 4.8.1 under Node 20, as test_socketio_js.py runs it) across the
nodes of a cluster (docs/cluster.md): three clients of dialect A, on three different nodes, one of them through
HAProxy over long-polling upgraded to WebSocket, meet in one room and exchange an offer, an answer and a candidate."""

import subprocess
import sys

import pytest

from cluster import ClusterNodes
from test_socketio_js import client_dir  # noqa: F401 - the fixture: socket.io.min.js 4.8.1 and the Node shim

PROGRAM = r"""
const io = require("./socket.io.min.cjs");
const urls = process.argv.slice(2);
const fail = (message) => { console.error(message); process.exit(1); };
setTimeout(() => fail("timeout"), 60000);
const check = (step, actual, expected) => {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) fail(`${step}: expected ${e}, got ${a}`);
  console.log(`ok ${step}`);
};
// Every event a client receives, in order, and a way to wait for the next one of a name.
const member = (url, transports) => {
  const socket = io(url, { transports, reconnection: false });
  const seen = [], waiting = [];
  socket.onAny((event, ...args) => {
    const index = waiting.findIndex((w) => w.event === event);
    if (index >= 0) waiting.splice(index, 1)[0].resolve(args); else seen.push([event, args]);
  });
  socket.on("connect_error", (error) => fail(`connect_error ${url}: ${error.message}`));
  const next = (event) => {
    const index = seen.findIndex(([e]) => e === event);
    if (index >= 0) return Promise.resolve(seen.splice(index, 1)[0][1]);
    return new Promise((resolve) => waiting.push({ event, resolve }));
  };
  const connected = new Promise((resolve) => socket.once("connect", resolve));
  return { socket, next, connected };
};

(async () => {
  const ann = member(urls[0], ["polling", "websocket"]);
  const bob = member(urls[1], ["websocket"]);
  const cat = member(urls[2], ["polling"]);
  await Promise.all([ann.connected, bob.connected, cat.connected]);
  const join = async (who, id, username) => {
    who.socket.emit("join", { id, username, roomname: "js-room" });
    const [ice] = await who.next("iceServers");
    return ice.iceServers[0].urls[0];
  };
  const stuns = [await join(ann, "u-ann", "ann"), await join(bob, "u-bob", "bob")];
  check("ann hears bob's join", await ann.next("getOffer"), [{ memberId: bob.socket.id }]);
  stuns.push(await join(cat, "u-cat", "cat"));
  check("ann hears cat", await ann.next("getOffer"), [{ memberId: cat.socket.id }]);
  check("bob hears cat", await bob.next("getOffer"), [{ memberId: cat.socket.id }]);
  check("bob's and cat's nodes hand out their own STUN URLs", new Set(stuns.slice(1)).size, 2);

  const offer = { type: "offer", sdp: "v=0\r\n" };
  ann.socket.emit("offer", { connectorId: "a1", memberId: bob.socket.id, offer, streamType: "user" });
  check("offer", await bob.next("offer"), [{ remoteConnectorId: "a1", offer, memberId: ann.socket.id, streamType: "user" }]);
  const answer = { type: "answer", sdp: "v=0\r\n" };
  bob.socket.emit("answer", { remoteConnectorId: "a1", connectorId: "b1", memberId: ann.socket.id, answer, streamType: "user" });
  check("answer", await ann.next("answer"), [{ remoteConnectorId: "b1", connectorId: "a1", answer, memberId: bob.socket.id }]);
  const candidate = { candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0", sdpMLineIndex: 0 };
  bob.socket.emit("icecandidate", { remoteConnectorId: "a1", memberId: ann.socket.id, candidate });
  check("candidate", await ann.next("icecandidate"), [{ connectorId: "a1", candidate }]);
  if (ann.socket.io.engine.transport.name !== "websocket") {
    await new Promise((resolve) => ann.socket.io.engine.once("upgrade", resolve));
  }
  check("ann upgraded through HAProxy", ann.socket.io.engine.transport.name, "websocket");
  for (const who of [ann, bob, cat]) who.socket.disconnect();
  console.log("done");
  process.exit(0);
})().catch((error) => fail(error.stack || String(error)));
"""


@pytest.fixture
def three_nodes(request, postgres_url):
    nodes = ClusterNodes(postgres_url, count=3, name=request.node.name)
    yield nodes
    died = [index for index in nodes.alive() if nodes.nodes[index].process.poll() is not None]
    codes = nodes.stop()
    assert not died and all(code == 0 for code in codes.values()), nodes.logs()


def test_official_javascript_clients_on_three_nodes_share_a_room(three_nodes, client_dir):  # noqa: F811
    (client_dir / "cluster.cjs").write_text(PROGRAM)
    # ann goes through HAProxy; the round robin may put her on any node, so bob and cat take the two others.
    urls = [three_nodes.url, three_nodes.node_url(1), three_nodes.node_url(2)]
    result = subprocess.run(
        ["node", "--experimental-websocket", "-r", str(client_dir / "shim.cjs"), str(client_dir / "cluster.cjs"), *urls],
        cwd=client_dir, capture_output=True, text=True, timeout=120,
    )
    sys.stdout.write(result.stdout)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{three_nodes.logs()}"
    assert result.stdout.strip().endswith("done")
