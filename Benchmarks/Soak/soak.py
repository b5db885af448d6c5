"""Soak test: churn with real clients against the real switchboard binary while sampling what the server holds,
then check that nothing trends up and that everything the clients held goes away once they are gone.

Load (all on loopback, a few dozen clients): long-running churn workers (churn.py) of every signaling dialect and
of TURN, plus, every few seconds, a short-lived worker whose clients join and then die without closing anything.
Samples (every --interval s): the server's VmRSS, Threads (/proc/PID/status), open fds (/proc/PID/fd), the gauges
of GET /metrics and the chatroom members of GET /api/status.

Verdict (exit 1 on failure, with the summary table):
- trend: after the warm-up, the mean of the last window of each series may exceed the mean of the first window
  by at most 5 % (or by at most the series' noise floor in units, whichever is larger);
- drain: once the churn stops and every client is closed, the gauges return to 0 and the open fds to the count
  before any client came, within the server's own timeouts (allocation lifetime, ping timeout, grace);
- the clients themselves: every worker ends cleanly and errors stay under 2 % of the client cycles.

Artifacts: bench-artifacts/soak/ (samples.csv, summary.json, server.log, clients.log, and the /metrics text as the
churn ends and after the drain).
"""

import argparse
import csv
import json
import os
import pathlib
import platform
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHURN = pathlib.Path(__file__).resolve().parent / "churn.py"
PYTHON5 = ROOT / ".venv" / "bin" / "python"
PYTHON4 = ROOT / ".venv" / "sio4" / "bin" / "python"

# Server timeouts shortened so that what a dead client held goes away within the drain (and the windows see a
# steady state): polling sessions end after ping interval + timeout, chatroom members after the grace, abandoned
# allocations after the default lifetime (60 s is the least the server accepts).
PING_INTERVAL_MS = 2000
PING_TIMEOUT_MS = 2000
GRACE_MS = 3000
ALLOCATION_LIFETIME_S = 60
TURN_USER = ("soak", "soakpass", "soak.local")

# Long-running churn workers: (kinds, interpreter, clients of each kind).
WORKERS = [
    ("chatroom", PYTHON5, 8),
    ("rawws", PYTHON5, 6),
    ("turn", PYTHON5, 8),
    ("webrtcroom", PYTHON4, 5),
    ("socketim", PYTHON4, 4),
]
# Short-lived workers started every --crash-period s: one client of each kind joins and dies.
CRASHERS = [("chatroom,rawws,turn", PYTHON5), ("webrtcroom,socketim", PYTHON4)]

# Series sampled, with their noise floor: a trend fails only beyond 5 % and beyond this many units. Counts move by
# whole clients as they churn (a client between cycles, a dead client's session before its timeout, a polling
# client's second connection); a leak smaller than that over the run is still caught by the drain, which is exact.
SERIES = {
    "rss_kib": 0,
    "threads": 1,
    "fds": 12,
    "turn_allocations": 3,
    "turn_permissions": 3,
    "turn_channels": 3,
    "stun_tcp_connections": 2,
    "signaling_sessions": 3,
    "chatroom_members": 3,
}
GAUGES = {
    "turn_allocations": "switchboard_turn_allocations",
    "turn_permissions": "switchboard_turn_permissions",
    "turn_channels": "switchboard_turn_channels",
    "stun_tcp_connections": "switchboard_stun_tcp_connections",
    "signaling_sessions": "switchboard_signaling_sessions",
}
TREND_LIMIT = 0.05
# Errors tolerated per client cycle (a timeout on a shared, loaded machine), beyond which the run is invalid.
ERROR_LIMIT = 0.02


def free_port():
    """A port free for UDP and TCP on 127.0.0.1 and ::1."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            try:
                for family, host, kind in (
                    (socket.AF_INET, "127.0.0.1", socket.SOCK_STREAM),
                    (socket.AF_INET6, "::1", socket.SOCK_DGRAM),
                    (socket.AF_INET6, "::1", socket.SOCK_STREAM),
                ):
                    with socket.socket(family, kind) as other:
                        other.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


class Server:
    """The switchboard process under test."""

    def __init__(self, binary, artifacts, settings=()):
        self.stun_port = free_port()
        self.http_port = free_port()
        user, password, realm = TURN_USER
        command = [
            binary, "serve",
            "--set", "stun.addresses=127.0.0.1,::1",
            "--set", f"stun.port={self.stun_port}",
            "--set", "http.host=127.0.0.1",
            "--set", f"http.port={self.http_port}",
            "--set", "threads=2",
            "--set", "log.level=notice",
            "--set", f"turn.realm={realm}",
            "--set", f"turn.users={user}:{password}",
            "--set", "turn.peers.allow=127.0.0.1,::1",
            "--set", "turn.quota.perUser=0",
            "--set", "turn.quota.perClientAddress=0",  # every client is on loopback
            "--set", f"turn.defaultLifetimeSeconds={ALLOCATION_LIFETIME_S}",
            "--set", f"signaling.pingIntervalMilliseconds={PING_INTERVAL_MS}",
            "--set", f"signaling.pingTimeoutMilliseconds={PING_TIMEOUT_MS}",
            "--set", f"signaling.eio3.pingIntervalMilliseconds={PING_INTERVAL_MS}",
            "--set", f"signaling.eio3.pingTimeoutMilliseconds={PING_TIMEOUT_MS}",
            # Dialect C is reached at /ws on the HTTP port; its own listener (8080 by default) is not needed.
            "--set", "dialects.rawWebSocketPort=0",
            "--set", f"dialects.chatroomGraceMilliseconds={GRACE_MS}",
        ]
        for setting in settings:
            command += ["--set", setting]
        environment = {key: value for key, value in os.environ.items() if not key.startswith("SWITCHBOARD_")}
        self.log_path = artifacts / "server.log"
        self.log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self.log_file, env=environment)
        try:
            self.wait_until_ready()
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"switchboard exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/healthz") and self.stun_answers():
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"switchboard did not become ready:\n{self.log()}")

    def stun_answers(self):
        """True when a STUN Binding request over UDP gets an answer (RFC 8489 section 5: type 0x0001, the magic
        cookie, a random transaction ID)."""
        request = struct.pack("!HHI", 0x0001, 0, 0x2112A442) + os.urandom(12)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.5)
            sock.sendto(request, ("127.0.0.1", self.stun_port))
            try:
                return sock.recv(2048)[8:20] == request[8:20]
            except socket.timeout:
                return False

    def log(self):
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")

    def get(self, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}{path}", timeout=10) as response:
            return response.read().decode()

    def sample(self):
        """One sample of every series (None for a value that could not be read)."""
        row = {}
        status = pathlib.Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            name, _, value = line.partition(":")
            if name == "VmRSS":
                row["rss_kib"] = int(value.split()[0])
            elif name == "Threads":
                row["threads"] = int(value)
        row["fds"] = len(os.listdir(f"/proc/{self.process.pid}/fd"))
        values = {}
        for line in self.get("/metrics").splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        for series, metric in GAUGES.items():
            row[series] = values.get(metric, 0.0)
        rooms = json.loads(self.get("/api/status"))["rooms"]
        row["chatroom_members"] = sum(len(room["members"]) for room in rooms)
        return row

    def open_fds(self):
        """What each open fd is (socket:[inode], a path, anon_inode:[eventpoll]), for a drain failure's report."""
        targets = []
        directory = f"/proc/{self.process.pid}/fd"
        for name in os.listdir(directory):
            try:
                targets.append(os.readlink(f"{directory}/{name}"))
            except OSError:
                pass
        return targets

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
        return self.process.returncode


class Sampler(threading.Thread):
    """Samples the server every `interval` seconds into `rows`, each tagged with the phase and seconds since the
    churn started."""

    def __init__(self, server, interval, started):
        super().__init__(daemon=True)
        self.server = server
        self.interval = interval
        self.started = started
        self.phase = "churn"
        self.rows = []
        self.failures = 0
        self.halt = threading.Event()

    def run(self):
        next_time = time.monotonic()
        while not self.halt.is_set():
            self.take()
            next_time += self.interval
            self.halt.wait(max(0.0, next_time - time.monotonic()))

    def take(self):
        try:
            row = self.server.sample()
        except (OSError, ValueError, KeyError):
            self.failures += 1  # a missed sample (the server busy for 10 s) is counted, not fatal
            return None
        row["t"] = round(time.monotonic() - self.started, 2)
        row["phase"] = self.phase
        self.rows.append(row)
        return row


def start_worker(kinds, python, server, clients, seed, log, crash_after=0.0):
    user, password, realm = TURN_USER
    command = [
        str(python), str(CHURN), kinds,
        "--http", f"http://127.0.0.1:{server.http_port}",
        "--stun", f"127.0.0.1:{server.stun_port}",
        "--turn-user", f"{user}:{password}:{realm}",
        "--clients", str(clients),
        "--seed", str(seed),
    ]
    if crash_after:
        command += ["--crash-after", str(crash_after)]
    # stderr to a file: a pipe nobody reads during the run would fill and stop the worker.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)


def collect(process, kinds, timeout):
    """The JSON summary a worker printed, or a record of how it failed (its stderr is in clients.log)."""
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return {"kinds": kinds.split(","), "failed": f"did not stop within {timeout} s"}
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        return {"kinds": kinds.split(","), "failed": f"exit {process.returncode}"}
    return json.loads(lines[-1])


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def trend(rows, warmup, end):
    """First and last window (a quarter of the churn after the warm-up, at most 5 minutes) of every series."""
    window = min(300.0, (end - warmup) / 4)
    first = [row for row in rows if row["phase"] == "churn" and warmup <= row["t"] < warmup + window]
    last = [row for row in rows if row["phase"] == "churn" and end - window <= row["t"] <= end]
    results = []
    for series, floor in SERIES.items():
        before = mean([row[series] for row in first])
        after = mean([row[series] for row in last])
        change = (after - before) / before if before else (0.0 if after == before else float("inf"))
        allowed = max(TREND_LIMIT * before, floor)
        ok = len(first) >= 3 and len(last) >= 3 and after - before <= allowed
        results.append(
            {
                "series": series, "first": before, "last": after, "change": change,
                "allowed_increase": allowed, "ok": ok,
            }
        )
    return window, len(first), len(last), results


def drain(server, sampler, baseline_fds, timeout):
    """Samples every second until the gauges are 0 and the fds back at the baseline, or the timeout."""
    sampler.phase = "drain"
    started = time.monotonic()
    reached = {}
    row = None
    while time.monotonic() - started < timeout:
        row = sampler.take()
        if row is not None:
            elapsed = round(time.monotonic() - started, 1)
            for series in (*GAUGES, "chatroom_members"):
                if row[series] == 0:
                    reached.setdefault(series, elapsed)
                else:
                    reached.pop(series, None)
            if row["fds"] <= baseline_fds:
                reached.setdefault("fds", elapsed)
            else:
                reached.pop("fds", None)
            if len(reached) == len(GAUGES) + 2:
                break
        time.sleep(1.0)
    results = []
    for series in ("fds", *GAUGES, "chatroom_members"):
        target = baseline_fds if series == "fds" else 0
        end = row[series] if row else None
        results.append({"series": series, "target": target, "end": end, "seconds": reached.get(series),
                        "ok": series in reached})
    return results


def format_number(value):
    if value is None or value != value:
        return "-"
    return f"{value:,.1f}" if abs(value) < 1000 and value != int(value) else f"{value:,.0f}"


def main():
    parser = argparse.ArgumentParser(description="Soak test of switchboard under client churn.")
    parser.add_argument("--minutes", type=float, default=30.0, help="minutes of churn (default 30)")
    parser.add_argument("--binary", required=True, help="the switchboard binary")
    parser.add_argument("--interval", type=float, help="seconds between samples (default 1 under 10 min, else 5)")
    parser.add_argument("--warmup", type=float, help="seconds excluded before the first window (default 70 under "
                        "10 min, else 120): RSS grows at first, abandoned allocations take their lifetime to level")
    parser.add_argument("--crash-period", type=float, default=10.0, help="seconds between crashing workers")
    parser.add_argument("--artifacts", default=str(ROOT / "bench-artifacts" / "soak"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="one more server setting, after the soak's own (to try a change, or to check that the "
                        "soak fails: turn.defaultLifetimeSeconds=600 keeps abandoned allocations past the drain)")
    args = parser.parse_args()
    duration = args.minutes * 60
    interval = args.interval or (1.0 if args.minutes < 10 else 5.0)
    warmup = args.warmup if args.warmup is not None else (70.0 if args.minutes < 10 else 120.0)
    if duration - warmup < 20:
        parser.error(f"--minutes {args.minutes} leaves under 20 s after the {warmup:.0f} s warm-up")
    for python in (PYTHON5, PYTHON4):
        if not python.exists():
            sys.exit(f"soak: {python} missing; run scripts/install-test-deps")
    artifacts = pathlib.Path(args.artifacts)
    artifacts.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)

    server = Server(args.binary, artifacts, args.set)
    client_log = open(artifacts / "clients.log", "w")
    failures = []
    workers = []
    crashers = []
    crash_reports = []
    crash_count = 0
    try:
        time.sleep(1.0)
        baseline = server.sample()
        print(f"soak: switchboard pid {server.process.pid} (http {server.http_port}, stun {server.stun_port}), "
              f"{args.minutes:g} min of churn, a sample every {interval:g} s, warm-up {warmup:g} s; baseline "
              f"{baseline['rss_kib']} KiB RSS, {baseline['fds']} fds, {baseline['threads']} threads", flush=True)
        started = time.monotonic()
        sampler = Sampler(server, interval, started)
        sampler.start()
        for kinds, python, clients in WORKERS:
            seed = rng.randrange(1 << 30)
            workers.append((kinds, start_worker(kinds, python, server, clients, seed, client_log)))
        next_crash = started + args.crash_period / 2
        crash_index = 0
        last_report = started
        while time.monotonic() - started < duration:
            now = time.monotonic()
            if now >= next_crash:
                kinds, python = CRASHERS[crash_index % len(CRASHERS)]
                crash_index += 1
                seed = rng.randrange(1 << 30)
                crashers.append((kinds, start_worker(kinds, python, server, 1, seed, client_log, crash_after=2.0)))
                crash_count += 1
                next_crash += args.crash_period / len(CRASHERS)
            for entry in [entry for entry in crashers if entry[1].poll() is not None]:
                crashers.remove(entry)  # reaped as they end: a long run starts hundreds
                crash_reports.append(collect(entry[1], entry[0], 10))
            for kinds, process in workers:
                if process.poll() is not None:
                    failures.append(f"churn worker {kinds} exited early with {process.returncode}")
            if server.process.poll() is not None:
                failures.append(f"switchboard exited with {server.process.returncode} during the churn")
            if failures:
                break
            if now - last_report >= 60 and sampler.rows:
                last_report = now
                row = sampler.rows[-1]
                print(f"soak: {row['t']:.0f} s: {row['rss_kib']} KiB, {row['fds']} fds, "
                      f"{row['signaling_sessions']:.0f} sessions, {row['turn_allocations']:.0f} allocations, "
                      f"{row['chatroom_members']} chatroom members", flush=True)
            time.sleep(0.2)
        churn_end = time.monotonic() - started
        sampler.phase = "stopping"
        # Every counter as the churn ends (sessions closed by reason, events dropped, 4xx answers), for the record.
        (artifacts / "metrics-churn-end.txt").write_text(server.get("/metrics"))

        # Stop: every long-running worker closes its clients; the crashing ones have exited on their own.
        for _, process in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        reports = [collect(process, kinds, 90) for kinds, process in workers]
        crash_reports += [collect(process, kinds, 60) for kinds, process in crashers]
        settle_timeout = ALLOCATION_LIFETIME_S + 30
        drained = drain(server, sampler, baseline["fds"], settle_timeout)
        sampler.halt.set()
        sampler.join()

        window, first_count, last_count, trends = trend(sampler.rows, warmup, churn_end)
        counts = {}
        for report in reports + crash_reports:
            for name, value in report.get("counts", {}).items():
                counts[name] = counts.get(name, 0) + value
            if "failed" in report:
                failures.append(f"worker {','.join(report['kinds'])} {report['failed']} (see {client_log.name})")
        cycles = sum(value for name, value in counts.items() if name.endswith(".cycles"))
        errors = sum(value for name, value in counts.items() if name.endswith(".errors"))
        for kind in ("chatroom", "webrtcroom", "socketim", "rawws", "turn"):
            if counts.get(f"{kind}.cycles", 0) == 0:
                failures.append(f"no {kind} client completed a cycle")
        if cycles and errors > ERROR_LIMIT * cycles:
            failures.append(f"{errors} client errors in {cycles} cycles (over {ERROR_LIMIT:.0%})")
        for result in trends:
            if not result["ok"]:
                failures.append(
                    f"{result['series']} trends up: {format_number(result['first'])} -> "
                    f"{format_number(result['last'])} ({result['change']:+.1%}, allowed "
                    f"+{format_number(result['allowed_increase'])})"
                )
        for result in drained:
            if not result["ok"]:
                failures.append(f"{result['series']} still {format_number(result['end'])} after {settle_timeout} s "
                                f"without clients (expected {result['target']})")
        if any(not result["ok"] and result["series"] == "fds" for result in drained):
            failures.append("open fds at the end: " + ", ".join(sorted(server.open_fds())))
        (artifacts / "metrics-drained.txt").write_text(server.get("/metrics"))
        exit_code = server.stop()
        if exit_code != 0:
            failures.append(f"switchboard exited with {exit_code} on SIGTERM")

        samples_path = artifacts / "samples.csv"
        with open(samples_path, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=["t", "phase", *SERIES])
            writer.writeheader()
            writer.writerows(sampler.rows)
        summary = {
            "minutes": args.minutes, "binary": args.binary, "settings": args.set, "interval": interval,
            "warmup": warmup,
            "window_seconds": window, "samples": len(sampler.rows), "missed_samples": sampler.failures,
            "baseline": baseline, "trends": trends, "drain": drained, "client_counts": counts,
            "client_errors": [error for report in reports + crash_reports for error in report.get("errors", [])],
            "crash_workers": crash_count,
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}",
            "failures": failures, "verdict": "fail" if failures else "pass",
        }
        (artifacts / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")

        print(f"\nsoak: {churn_end / 60:.1f} min of churn, {cycles} client cycles ({errors} errors), "
              f"{crash_count} crashing workers, {len(sampler.rows)} samples ({sampler.failures} missed)")
        print(f"trend: mean of the first and last {window:.0f} s after a {warmup:.0f} s warm-up "
              f"({first_count} and {last_count} samples)")
        print(f"  {'series':<22}{'first':>12}{'last':>12}{'change':>9}  verdict")
        for result in trends:
            print(f"  {result['series']:<22}{format_number(result['first']):>12}{format_number(result['last']):>12}"
                  f"{result['change']:>+9.1%}  {'ok' if result['ok'] else 'TRENDS UP'}")
        print("drain: after the clients are gone")
        print(f"  {'series':<22}{'target':>12}{'end':>12}{'seconds':>9}  verdict")
        for result in drained:
            print(f"  {result['series']:<22}{format_number(result['target']):>12}{format_number(result['end']):>12}"
                  f"{format_number(result['seconds']):>9}  {'ok' if result['ok'] else 'LEFT OVER'}")
        totals = ", ".join(f"{name} {value}" for name, value in sorted(counts.items()) if not name.endswith("received"))
        print(f"clients: {totals}")
        print(f"artifacts: {samples_path}, {artifacts / 'summary.json'}, {server.log_path}, {client_log.name}")
    finally:
        for _, process in workers + crashers:
            if process.poll() is None:
                process.kill()
                process.wait()
        server.stop()
        client_log.close()
    if failures:
        print("\nsoak: FAIL")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print("\nsoak: pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
