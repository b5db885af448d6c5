"""Resident memory under the attacks of issue 14, for two or more switchboard binaries side by side in one run.

Each attack runs on a fresh server (free loopback ports) of each binary:
- stun-tcp: ROUNDS rounds of a TCP client that sends MiB of unauthenticated Allocates and never reads the 401s;
- ping-flood: a WebSocket client on /ws that sends MiB of 125-byte pings and never reads the pongs;
- fan-out: 30 /ws clients that join a room and never read, while a sender sends 20 offers of 900 kB.
For each: VmRSS before, the peak during (sampled every 50 ms) and SETTLE seconds after the attacker's connections
closed. Memory is the measure, so the run prints no durations.

    scripts/bench-attacks --binary before=PATH --binary after=PATH
"""

import argparse
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Interop"))

import attacks  # noqa: E402
from conftest import Switchboard  # noqa: E402

MIB = attacks.MIB


def settle(pid, seconds):
    time.sleep(seconds)
    return attacks.rss_bytes(pid)


def stun_tcp(server, megabytes, stall, settle_seconds, rounds):
    pid = server.process.pid
    chunk = attacks.allocate_requests(2000)
    rows = []
    for number in range(1, rounds + 1):
        before = attacks.rss_bytes(pid)
        sock = attacks.never_reading_socket("127.0.0.1", server.stun_port)
        with attacks.PeakRSS(pid) as peak:
            sent, outcome = attacks.flood(sock, chunk, megabytes * MIB, stall)
        sock.close()
        rows.append((f"stun-tcp round {number}", before, peak.peak, settle(pid, settle_seconds), sent, outcome))
    return rows


def ping_flood(server, megabytes, stall, settle_seconds):
    pid = server.process.pid
    before = attacks.rss_bytes(pid)
    sock = attacks.ws_upgrade("127.0.0.1", server.http_port, "/ws")
    with attacks.PeakRSS(pid) as peak:
        sent, outcome = attacks.flood(sock, attacks.ping_frames(1000), megabytes * MIB, stall)
    sock.close()
    return [("ping-flood", before, peak.peak, settle(pid, settle_seconds), sent, outcome)]


def fan_out(server, settle_seconds, readers=30, offers=20, size=900_000):
    pid = server.process.pid
    before = attacks.rss_bytes(pid)
    sockets = []
    for index in range(readers):
        reader = attacks.ws_upgrade("127.0.0.1", server.http_port, "/ws")
        reader.sendall(attacks.ws_text({"type": "join", "id": f"reader{index}", "nick": "r"}))
        sockets.append(reader)
    sender = attacks.ws_upgrade("127.0.0.1", server.http_port, "/ws")
    sender.sendall(attacks.ws_text({"type": "join", "id": "sender", "nick": "s"}))
    big = "a" * size
    sent = 0
    with attacks.PeakRSS(pid) as peak:
        for number in range(offers):
            frame = attacks.ws_text({"type": "offer", "n": number, "sdp": {"type": "offer", "sdp": big}})
            sender.sendall(frame)
            sent += len(frame)
        # The server may take a while to push (or give up pushing) the copies: watch the peak meanwhile.
        time.sleep(10)
    for sock in (sender, *sockets):
        sock.close()
    return [("fan-out", before, peak.peak, settle(pid, settle_seconds), sent, "sent")]


def run(binary, arguments):
    """Each attack on a fresh server, so that one attack's retained memory does not hide the next one's growth."""
    attacks_in_order = [
        lambda server: stun_tcp(server, arguments.megabytes, arguments.stall, arguments.settle, arguments.rounds),
        lambda server: ping_flood(server, arguments.megabytes, arguments.stall, arguments.settle),
        lambda server: fan_out(server, arguments.settle),
    ]
    rows = []
    for attack in attacks_in_order:
        server = Switchboard(binary=binary)
        try:
            rows += attack(server)
        finally:
            server.stop()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", action="append", required=True, help="NAME=PATH, two or more")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=48, help="MiB each flood tries to send")
    parser.add_argument("--stall", type=float, default=10, help="seconds the server may take nothing")
    parser.add_argument("--settle", type=float, default=10, help="seconds after close before the last sample")
    parser.add_argument("--json", help="also write the rows to this file")
    arguments = parser.parse_args()
    results = {}
    for entry in arguments.binary:
        name, _, path = entry.partition("=")
        results[name] = run(path, arguments)
    names = list(results)
    print(f"{'attack':<20}" + "".join(f"{name + ' before/peak/after (MiB)':>34}" for name in names)
          + "".join(f"{name + ' sent':>14}" for name in names))
    for index, row in enumerate(results[names[0]]):
        line = f"{row[0]:<20}"
        for name in names:
            _, before, peak, after, _, _ = results[name][index]
            line += f"{before / MIB:>18.0f} /{peak / MIB:>6.0f} /{after / MIB:>6.0f}"
        for name in names:
            _, _, _, _, sent, outcome = results[name][index]
            line += f"{sent / MIB:>8.0f} {outcome:<6}"
        print(line)
    if len(names) == 2:
        first, second = names
        print(f"peak growth, {second} / {first}:")
        for old, new in zip(results[first], results[second]):
            old_growth, new_growth = old[2] - old[1], new[2] - new[1]
            ratio = new_growth / old_growth if old_growth > 0 else float("nan")
            print(f"  {old[0]:<20} {old_growth / MIB:>7.0f} MiB -> {new_growth / MIB:>5.0f} MiB  ({ratio:.2f}x)")
    if arguments.json:
        pathlib.Path(arguments.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
