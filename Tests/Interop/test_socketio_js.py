"""The official JavaScript client, socket.io-client 4.8.1 (the browser bundle `socket.io.min.js` shipped inside PyPI's
`nicegui` 3.18.0 wheel), under Node 20, against the real binary: connect, emit with ack, binary, and the upgrade from
polling to WebSocket (docs/engineio-socketio.md#real-clients).

The wheel is downloaded with pip when the tests run (nothing is committed). Polling in Node needs an
`XMLHttpRequest` (and a `FileReader` for binary): the preload below supplies both over `node:http` (`node:https` for
an https URL).
"""

import shutil
import subprocess
import sys
import zipfile

import pytest

SHIM = r"""
const http = require("node:http");
const https = require("node:https");
class XMLHttpRequest {
  constructor() { this.readyState = 0; this.status = 0; this.responseText = null; this.withCredentials = false;
    this._h = {}; this._rh = {}; }
  open(m, u) { this._m = m; this._u = u; this.readyState = 1; }
  setRequestHeader(k, v) { this._h[k] = v; }
  getResponseHeader(k) { const v = this._rh[k.toLowerCase()]; return v === undefined ? null : v; }
  send(body) {
    const done = () => { this.readyState = 4; this.onreadystatechange && this.onreadystatechange(); };
    const req = (this._u.startsWith("https:") ? https : http).request(this._u, { method: this._m, headers: this._h }, (res) => {
      this.status = res.statusCode; this._rh = res.headers; const c = [];
      res.on("data", (x) => c.push(x));
      res.on("end", () => { this.responseText = Buffer.concat(c).toString("utf8"); done(); });
    });
    req.on("error", () => { this.status = 0; done(); }); this._req = req; req.end(body == null ? undefined : body);
  }
  abort() { this._req && this._req.destroy(); }
}
class FileReader {
  readAsDataURL(b) {
    b.arrayBuffer().then((ab) => {
      this.result = "data:application/octet-stream;base64," + Buffer.from(ab).toString("base64");
      this.onload && this.onload();
    });
  }
}
globalThis.XMLHttpRequest = XMLHttpRequest;
globalThis.FileReader = FileReader;
"""

CLIENT = r"""
const io = require("./socket.io.min.cjs");
const [url, mode] = process.argv.slice(2);
const transports = { polling: ["polling"], websocket: ["websocket"], upgrade: ["polling", "websocket"] }[mode];
const fail = (message) => { console.error(message); process.exit(1); };
setTimeout(() => fail("timeout"), 30000);
const check = (step, actual, expected) => {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) fail(`${step}: expected ${e}, got ${a}`);
  console.log(`ok ${step}`);
};
const once = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
const bytes = (value) => Array.from(new Uint8Array(value));

(async () => {
  const socket = io(url, { transports, reconnection: false });
  const custom = io(url + "/custom", { transports, reconnection: false, auth: { token: "abc" } });
  socket.on("connect_error", (error) => fail(`connect_error: ${error.message}`));
  // Both listeners before the first await: the second socket's event may arrive while the first is awaited.
  const auths = [once(socket, "auth"), once(custom, "auth")];
  check("auth /", await auths[0], [{}]);
  check("auth /custom", await auths[1], [{ token: "abc" }]);

  // Acks: every argument comes back.
  const acked = await new Promise((resolve) =>
    socket.emit("message-with-ack", 1, "2", { 3: [true] }, (...args) => resolve(args)));
  check("ack", acked, [1, "2", { 3: [true] }]);
  check("emitWithAck /custom", await custom.emitWithAck("message-with-ack", "custom"), "custom");

  // Binary both ways.
  socket.emit("message", new Uint8Array([1, 2, 3]), { nested: new Uint8Array([255, 0]) });
  const [first, second] = await once(socket, "message-back");
  check("binary back", [bytes(first), bytes(second.nested)], [[1, 2, 3], [255, 0]]);

  // The server asks for an ack.
  socket.on("question", (...args) => { const callback = args.pop(); callback("answer", args); });
  socket.emit("server-ack", "question", 7);
  check("server ack", await once(socket, "server-ack-result"), ["answer", [7]]);

  if (mode === "upgrade" && socket.io.engine.transport.name !== "websocket") {
    await once(socket.io.engine, "upgrade");
  }
  check("transport", socket.io.engine.transport.name, mode === "polling" ? "polling" : "websocket");
  // Still talking after the upgrade.
  check("ack after upgrade", await socket.emitWithAck("message-with-ack", "after"), "after");

  // A refused namespace.
  const refused = io(url + "/random", { transports, reconnection: false });
  const [error] = await once(refused, "connect_error");
  check("invalid namespace", error.message, "Invalid namespace");

  socket.disconnect();
  custom.disconnect();
  refused.disconnect();
  console.log("done");
  process.exit(0);
})().catch((error) => fail(error.stack || String(error)));
"""


@pytest.fixture(scope="module")
def client_dir(tmp_path_factory):
    """socket.io.min.js 4.8.1 from the nicegui 3.18.0 wheel, with the Node shim and the client program."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed")
    directory = tmp_path_factory.mktemp("socketio-js")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(directory), "nicegui==3.18.0"],
        check=True,
        timeout=600,
    )
    wheel = next(directory.glob("nicegui-3.18.0-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        bundle = archive.read("nicegui/static/socket.io.min.js")
    assert b"Socket.IO v4.8.1" in bundle[:200]
    (directory / "socket.io.min.cjs").write_bytes(bundle)
    (directory / "shim.cjs").write_text(SHIM)
    (directory / "client.cjs").write_text(CLIENT)
    return directory


@pytest.fixture
def signaling(start_switchboard):
    return start_switchboard(["--set", "signaling.testApp=true"])


@pytest.mark.parametrize("mode", ["polling", "websocket", "upgrade"])
def test_official_javascript_client(signaling, client_dir, mode):
    run_official_client(client_dir, f"http://127.0.0.1:{signaling.http_port}", mode, signaling)


def run_official_client(client_dir, url, mode, server, env=None):
    """Runs the client program against `url`; it exits non-zero, with the failing step, on any difference."""
    result = subprocess.run(
        ["node", "--experimental-websocket", "-r", str(client_dir / "shim.cjs"), str(client_dir / "client.cjs"), url, mode],
        cwd=client_dir,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    sys.stdout.write(result.stdout)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}\n{server.log()}"
    assert result.stdout.strip().endswith("done")
