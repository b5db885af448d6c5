"use strict";
(() => {
  const REFRESH_MS = 1000;
  const $ = (id) => document.getElementById(id);
  let previous = null;

  function duration(seconds) {
    const days = Math.floor(seconds / 86400);
    const hours = Math.floor((seconds % 86400) / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    if (days > 0) return `${days}d ${hours}h ${minutes}m`;
    if (hours > 0) return `${hours}h ${minutes}m ${rest}s`;
    if (minutes > 0) return `${minutes}m ${rest}s`;
    return `${rest}s`;
  }

  function bytes(count) {
    const units = ["B", "kB", "MB", "GB", "TB"];
    let value = count;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  }

  function bitRate(bytesPerSecond) {
    const bits = bytesPerSecond * 8;
    if (bits >= 1e6) return `${(bits / 1e6).toFixed(2)} Mbit/s`;
    if (bits >= 1e3) return `${(bits / 1e3).toFixed(1)} kbit/s`;
    return `${bits.toFixed(0)} bit/s`;
  }

  function render(status, at) {
    const turn = status.turn;
    $("uptime").textContent = duration(status.uptimeSeconds);
    const members = status.rooms.reduce((sum, room) => sum + room.members.length, 0);
    $("room-count").textContent = `${status.rooms.length} · ${members}`;
    $("allocations").textContent = String(turn.allocations);
    $("to-peer-total").textContent = `${bytes(turn.bytesToPeer)} in ${turn.packetsToPeer} packets`;
    $("to-client-total").textContent = `${bytes(turn.bytesToClient)} in ${turn.packetsToClient} packets`;
    if (previous) {
      const seconds = Math.max((at - previous.at) / 1000, 0.001);
      const toPeer = Math.max(turn.bytesToPeer - previous.turn.bytesToPeer, 0) / seconds;
      const toClient = Math.max(turn.bytesToClient - previous.turn.bytesToClient, 0) / seconds;
      $("to-peer-rate").textContent = bitRate(toPeer);
      $("to-client-rate").textContent = bitRate(toClient);
    }
    previous = { at, turn };

    const rows = status.rooms
      .slice()
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((room) => {
        const row = document.createElement("tr");
        row.dataset.room = room.name;
        const name = document.createElement("td");
        name.textContent = room.name;
        const count = document.createElement("td");
        count.className = "count";
        count.textContent = String(room.members.length);
        const names = document.createElement("td");
        names.textContent = room.members.join(", ");
        row.append(name, count, names);
        return row;
      });
    if (rows.length === 0) {
      const row = document.createElement("tr");
      const cell = document.createElement("td");
      cell.colSpan = 3;
      cell.className = "empty";
      cell.textContent = "No room yet.";
      row.append(cell);
      rows.push(row);
    }
    $("rooms").replaceChildren(...rows);
    document.body.dataset.updated = String(at);
  }

  async function refresh() {
    const signal = $("signal");
    try {
      const response = await fetch("/api/status", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      render(await response.json(), Date.now());
      signal.dataset.state = "online";
      signal.textContent = "live";
    } catch (error) {
      signal.dataset.state = "offline";
      signal.textContent = "unreachable";
    } finally {
      setTimeout(refresh, REFRESH_MS);
    }
  }

  refresh();
})();
