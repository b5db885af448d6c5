"use strict";
(() => {
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 5000;

  class SwitchboardSocket {
    constructor(options = {}) {
      this.path = options.path || "/socket.io/";
      this.id = undefined;
      this.connected = false;
      this.handlers = new Map();
      this.sendBuffer = [];
      this.attempts = 0;
      this.stopped = false;
      this.ws = null;
      this.watchdog = null;
      this.heartbeatMs = 45000;
      this.open();
    }

    on(event, handler) {
      if (!this.handlers.has(event)) this.handlers.set(event, new Set());
      this.handlers.get(event).add(handler);
      return this;
    }

    off(event, handler) {
      const set = this.handlers.get(event);
      if (set) handler ? set.delete(handler) : set.clear();
      return this;
    }

    // Socket.IO EVENT: "42" + JSON array (Engine.IO message "4", Socket.IO event "2").
    emit(event, ...args) {
      const frame = "42" + JSON.stringify([event, ...args]);
      if (this.connected) this.ws.send(frame);
      else this.sendBuffer.push(frame);
      return this;
    }

    disconnect() {
      this.stopped = true;
      clearTimeout(this.watchdog);
      clearTimeout(this.retry);
      if (this.ws && this.ws.readyState === WebSocket.OPEN && this.connected) this.ws.send("41");
      if (this.ws) this.ws.close();
      this.lost("io client disconnect");
      return this;
    }

    open() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${scheme}//${location.host}${this.path}?EIO=4&transport=websocket`);
      this.ws = ws;
      ws.onmessage = (event) => {
        if (this.ws === ws) this.receive(event.data);
      };
      ws.onclose = () => {
        if (this.ws !== ws) return;
        const wasConnected = this.connected;
        this.lost("transport close");
        if (!wasConnected && !this.stopped) this.fire("connect_error", new Error("websocket error"));
        this.scheduleReconnect();
      };
    }

    // One Engine.IO packet per WebSocket frame: open, close, ping, message.
    receive(data) {
      if (typeof data !== "string") return; // binary attachments are not used by the chat page
      switch (data[0]) {
        case "0": {
          const handshake = JSON.parse(data.slice(1));
          this.heartbeatMs = handshake.pingInterval + handshake.pingTimeout;
          this.armWatchdog();
          this.ws.send("40"); // Socket.IO CONNECT to the main namespace
          break;
        }
        case "1":
          this.ws.close();
          break;
        case "2":
          this.ws.send("3");
          this.armWatchdog();
          break;
        case "4":
          this.receivePacket(data.slice(1));
          break;
        default:
          break; // "6" noop, anything else: ignored
      }
    }

    // A Socket.IO packet: <type>[<nsp>,][<ack id>][<JSON>]. Only the main namespace is used.
    receivePacket(text) {
      const type = text[0];
      let rest = text.slice(1);
      if (rest.startsWith("/")) return; // another namespace
      rest = rest.replace(/^\d+/, ""); // server-side ack ids are not used by dialect A
      let payload;
      try {
        payload = rest ? JSON.parse(rest) : undefined;
      } catch (error) {
        console.warn("socket.io: undecodable packet", text);
        return;
      }
      switch (type) {
        case "0":
          this.id = payload && payload.sid;
          this.connected = true;
          this.attempts = 0;
          for (const frame of this.sendBuffer.splice(0)) this.ws.send(frame);
          this.fire("connect");
          break;
        case "1":
          this.stopped = true; // the server disconnected us on purpose: do not come back
          this.ws.close();
          this.lost("io server disconnect");
          break;
        case "2":
          if (Array.isArray(payload) && payload.length > 0) this.fire(payload[0], ...payload.slice(1));
          break;
        case "4":
          this.fire("connect_error", new Error((payload && payload.message) || "connect error"));
          break;
        default:
          break;
      }
    }

    armWatchdog() {
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => {
        console.warn("socket.io: no ping from the server, reconnecting");
        if (this.ws) this.ws.close();
      }, this.heartbeatMs);
    }

    lost(reason) {
      clearTimeout(this.watchdog);
      if (!this.connected) return;
      this.connected = false;
      this.id = undefined;
      this.fire("disconnect", reason);
    }

    scheduleReconnect() {
      if (this.stopped) return;
      const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts);
      this.attempts += 1;
      this.retry = setTimeout(() => this.open(), delay * (0.75 + Math.random() / 2));
    }

    fire(event, ...args) {
      for (const handler of [...(this.handlers.get(event) || [])]) {
        try {
          handler(...args);
        } catch (error) {
          console.error(`socket.io: "${event}" handler failed`, error);
        }
      }
    }
  }

  window.SwitchboardIO = { connect: (options) => new SwitchboardSocket(options) };
})();
