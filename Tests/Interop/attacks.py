"""Clients that make the server write and never read what it writes (issue 14), and the server's resident memory.

Used by test_backpressure.py; run as a script it repeats the STUN/TCP attack against a running server and prints
its VmRSS after each round (the numbers in BENCHMARKS.md):

    .venv/bin/python Tests/Interop/attacks.py stun-tcp --port 3478 --pid PID --rounds 3
"""

import argparse
import base64
import json
import os
import select
import socket
import struct
import threading
import time

import rawstun

MIB = 1 << 20


def rss_bytes(pid):
    """The process's resident set size (VmRSS in /proc/PID/status), in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


class PeakRSS:
    """Samples a process's VmRSS in a thread while the `with` block runs; `peak` is the highest sample."""

    def __init__(self, pid, interval=0.05):
        self.pid, self.interval = pid, interval
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self):
        self.peak = rss_bytes(self.pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(self.pid))


def never_reading_socket(host, port):
    """A TCP connection with a small receive buffer, so that what the server writes piles up on the server's side
    rather than in this host's kernel."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    return sock


def flood(sock, chunk, total, stall=3.0):
    """Sends `chunk` over and over, never reading, until `total` bytes are sent, the server takes nothing for
    `stall` seconds, or it closes the connection. Returns (bytes sent, "sent" | "stalled" | "closed")."""
    sock.setblocking(False)
    view = memoryview(chunk)
    sent = offset = 0
    try:
        while sent < total:
            _, writable, _ = select.select([], [sock], [], stall)
            if not writable:
                return sent, "stalled"
            try:
                count = sock.send(view[offset:])
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                return sent, "closed"
            sent += count
            offset = (offset + count) % len(chunk)
        return sent, "sent"
    finally:
        sock.setblocking(True)


def is_closed_by_server(sock, timeout=10):
    """Whether the server has closed the connection: reading gives end-of-file or a reset (after whatever it sent
    before). Call only once the server is known to be done with it: reading makes a stalled connection drain."""
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(MIB):
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def allocate_requests(count):
    """`count` unauthenticated Allocate requests (each answered with a 401 carrying REALM and NONCE)."""
    return b"".join(
        rawstun.Message(rawstun.ALLOCATE, rawstun.REQUEST)
        .add(rawstun.REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))
        .encode()
        for _ in range(count)
    )


# MARK: - WebSocket


def ws_upgrade(host, port, path):
    """A never-reading TCP connection upgraded to a WebSocket at `path` (the 101 response is read, nothing after)."""
    sock = never_reading_socket(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        data = sock.recv(1)
        if not data:
            raise ConnectionError("closed during the upgrade")
        response += data
    if b" 101 " not in response.split(b"\r\n")[0]:
        raise ConnectionError(response.decode(errors="replace"))
    return sock


def ws_frame(opcode, payload):
    """A masked client frame (RFC 6455 section 5.2)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    return header + mask + masked


def ws_text(obj):
    return ws_frame(0x1, json.dumps(obj).encode())


def ping_frames(count):
    """`count` pings with the largest control payload, 125 bytes (RFC 6455 section 5.5)."""
    return b"".join(ws_frame(0x9, bytes([index % 256]) * 125) for index in range(count))


# MARK: - Rounds of the STUN/TCP attack


def stun_tcp_rounds(host, port, pid, rounds, megabytes, connections, stall):
    chunk = allocate_requests(2000)
    print(f"baseline VmRSS {rss_bytes(pid) / MIB:.0f} MiB")
    for round_number in range(1, rounds + 1):
        sockets = [never_reading_socket(host, port) for _ in range(connections)]
        with PeakRSS(pid) as peak:
            outcomes = [flood(sock, chunk, megabytes * MIB // connections, stall) for sock in sockets]
        for sock in sockets:
            sock.close()
        time.sleep(5)
        sent = sum(count for count, _ in outcomes) / MIB
        print(
            f"round {round_number}: sent {sent:.0f} MiB ({', '.join(sorted({o for _, o in outcomes}))}), "
            f"peak VmRSS {peak.peak / MIB:.0f} MiB, 5 s after close {rss_bytes(pid) / MIB:.0f} MiB"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("attack", choices=["stun-tcp"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3478)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=48, help="Allocate requests sent per round")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--stall", type=float, default=10, help="seconds the server may take nothing before giving up")
    arguments = parser.parse_args()
    stun_tcp_rounds(
        arguments.host,
        arguments.port,
        arguments.pid,
        arguments.rounds,
        arguments.megabytes,
        arguments.connections,
        arguments.stall,
    )
