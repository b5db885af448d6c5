// N Socket.IO v5 clients over Engine.IO v4 WebSocket, by hand, each joining a room of 4 through the test app's
// `join`; prints "joined N" once all are in, then holds them idle (answering pings) until killed.
const [url, count] = process.argv.slice(2);
const N = Number(count);
let joined = 0;
for (let i = 0; i < N; i++) {
  const ws = new WebSocket(`${url}/socket.io/?EIO=4&transport=websocket`);
  ws.onmessage = (event) => {
    const data = event.data;
    if (data === "2") { ws.send("3"); return; }
    if (data[0] === "0") { ws.send("40"); return; }
    if (data.startsWith("40")) { ws.send(`420["join","r${Math.floor(i / 4)}"]`); return; }
    if (data.startsWith("430") && ++joined === N) console.log(`joined ${N}`);
  };
}
setInterval(() => {}, 1000);
