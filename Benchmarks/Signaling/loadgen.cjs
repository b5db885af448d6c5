// Socket.IO v5 over Engine.IO v4 WebSocket, by hand: open `0{…}` -> `40`, `40{sid}` -> join, ping `2` -> `3`.
// `pids`: the server's processes, comma-separated (a cluster's nodes), whose RSS and CPU are summed; `proxyPids` and
// `databasePids` (optional): a cluster's HAProxy and PostgreSQL processes, whose CPU is reported apart.
const [url, clientCount, roomSize, rate, duration, window, pids, proxyPids = "", databasePids = ""] = process.argv.slice(2);
const N = Number(clientCount), K = Number(roomSize), RATE = Number(rate), DURATION = Number(duration) * 1000;
const WINDOW = Number(window);
const fs = require("node:fs");
const list = (text) => text.split(",").filter((p) => p !== "");
const serverPids = list(pids);
const sum = (values) => values.reduce((a, b) => a + b, 0);
const rss = () => sum(serverPids.map((pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1])));
// CPU seconds (utime + stime, fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms); a process that is gone
// counts 0.
const cpuOf = (pid) => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch { return 0; }
};
const serverCPU = () => sum(serverPids.map(cpuOf));
// CPU seconds of the proxy and of the database, as [proxy, database].
const auxCPU = () => [sum(list(proxyPids).map(cpuOf)), sum(list(databasePids).map(cpuOf))];
const minus = (a, b) => [a[0] - b[0], a[1] - b[1]];
const ownCPU = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let received = 0, latencies = null, inFlightDone = null;
class Client {
  constructor(index) {
    this.index = index;
    this.room = `r${Math.floor(index / K)}`;
    this.ackID = 0;
    this.joined = new Promise((resolve, reject) => { this.resolve = resolve; this.reject = reject; });
    this.ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`);
    this.ws.onerror = () => this.reject(new Error(`client ${index}: WebSocket error`));
    this.ws.onclose = () => { if (!this.closing) this.reject(new Error(`client ${index}: closed`)); };
    this.ws.onmessage = (event) => this.onMessage(event.data);
  }
  onMessage(data) {
    if (data === "2") { this.ws.send("3"); return; }
    if (data.startsWith('42["news",')) {
      received += 1;
      if (latencies) latencies.push(now() - Number(data.slice(10, -1)));
      return;
    }
    if (data.startsWith("43")) {
      // The first ack answers the join; later ones answer broadcasts of the throughput phase.
      if (!this.isJoined) { this.isJoined = true; this.resolve(); } else if (inFlightDone) inFlightDone();
      return;
    }
    if (data[0] === "0") { this.ws.send("40"); return; }
    if (data.startsWith("40")) { this.ws.send(`420["join","${this.room}"]`); }
  }
  broadcast(withAck) {
    const id = withAck ? String(++this.ackID) : "";
    this.ws.send(`42${id}["to-room","${this.room}","news",${now()}]`);
  }
}

function percentile(sorted, p) { return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : null; }

(async () => {
  const baseline = rss();
  const clients = [];
  const started = now();
  for (let i = 0; i < N; i += 250) {
    const batch = [];
    for (let j = i; j < Math.min(N, i + 250); j++) { const c = new Client(j); clients.push(c); batch.push(c.joined); }
    await Promise.all(batch);
  }
  const connectSeconds = (now() - started) / 1000;
  await sleep(2000);
  const idle = rss();
  const senders = clients.filter((c) => c.index % K === 0 && c.index + 1 < N);

  // Throughput: a window of acknowledged broadcasts in flight.
  latencies = null;
  received = 0;
  let broadcasts = 0, index = 0;
  const cpu1 = serverCPU(), own1 = ownCPU(), aux1 = auxCPU();
  const t1 = now();
  let stop = false;
  await new Promise((resolve) => {
    let inFlight = 0;
    const pump = () => {
      while (!stop && inFlight < WINDOW) { inFlight += 1; broadcasts += 1; senders[index].broadcast(true); index = (index + 1) % senders.length; }
    };
    inFlightDone = () => { inFlight -= 1; if (stop) { if (inFlight === 0) resolve(); } else pump(); };
    pump();
    setTimeout(() => { stop = true; if (inFlight === 0) resolve(); }, DURATION);
  });
  const seconds = (now() - t1) / 1000;
  const throughputCPU = serverCPU() - cpu1, throughputOwnCPU = ownCPU() - own1, throughputAuxCPU = minus(auxCPU(), aux1);
  const throughputReceived = received;
  // Let what is still on its way arrive before the next phase.
  await sleep(1000);
  // Latency at a fixed rate, open loop.
  latencies = [];
  received = 0;
  let sent = 0, next = 0;
  const cpu0 = serverCPU(), own0 = ownCPU(), aux0 = auxCPU();
  const t0 = now();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = now() - t0;
      const due = Math.floor((elapsed / 1000) * RATE);
      while (sent < due) { senders[next].broadcast(false); next = (next + 1) % senders.length; sent += 1; }
      if (elapsed >= DURATION) { clearInterval(timer); resolve(); }
    }, 1);
  });
  const latencyCPU = serverCPU() - cpu0, latencyOwnCPU = ownCPU() - own0, latencyAuxCPU = minus(auxCPU(), aux0);
  await sleep(2000);
  const fixedLatencies = latencies.sort((a, b) => a - b);
  const fixedSent = sent, fixedReceived = received;

  const busy = rss();
  for (const c of clients) { c.closing = true; c.ws.close(); }
  console.log(JSON.stringify({
    clients: N, roomSize: K, connectSeconds,
    rssBaselineKiB: baseline, rssIdleKiB: idle, rssBusyKiB: busy,
    bytesPerIdleConnection: Math.round(((idle - baseline) * 1024) / N),
    latency: { rate: RATE, sent: fixedSent, delivered: fixedReceived, expected: fixedSent * (K - 1),
      p50ms: percentile(fixedLatencies, 0.5), p99ms: percentile(fixedLatencies, 0.99),
      serverCPUSeconds: latencyCPU, loadGeneratorCPUSeconds: latencyOwnCPU, proxyCPUSeconds: latencyAuxCPU[0],
      databaseCPUSeconds: latencyAuxCPU[1] },
    throughput: { seconds, broadcasts, deliveries: throughputReceived, broadcastsPerSecond: broadcasts / seconds,
      deliveriesPerSecond: throughputReceived / seconds, serverCPUSeconds: throughputCPU,
      loadGeneratorCPUSeconds: throughputOwnCPU, proxyCPUSeconds: throughputAuxCPU[0],
      databaseCPUSeconds: throughputAuxCPU[1],
      serverCPUMicrosecondsPerDelivery: throughputReceived ? (throughputCPU * 1e6) / throughputReceived : null,
      proxyCPUMicrosecondsPerDelivery: throughputReceived ? (throughputAuxCPU[0] * 1e6) / throughputReceived : null,
      databaseCPUMicrosecondsPerDelivery: throughputReceived ? (throughputAuxCPU[1] * 1e6) / throughputReceived : null },
  }));
  process.exit(0);
})().catch((error) => { console.error(error.message); process.exit(1); });
