"""Fixtures that run the real `switchboard` binary on loopback for the interop tests.

The binary comes from TEST_SWITCHBOARD_BIN (scripts/test sets it) or the default debug build path.
Every server gets its own free ports and is stopped at the end of the test that started it.
The cluster tests' PostgreSQL comes from TEST_POSTGRES_URL (scripts/test sets it), or is started for the session
with scripts/test-postgres.
"""

import os
import pathlib
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = os.environ.get("TEST_SWITCHBOARD_BIN", str(ROOT / ".build" / "debug" / "switchboard"))


def free_port(kind=socket.SOCK_DGRAM, also=socket.SOCK_STREAM):
    """A port free for both UDP and TCP on 127.0.0.1 and ::1 (the listeners use one port for all)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, kind) as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            try:
                for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                    for sock_type in (kind, also):
                        if family == socket.AF_INET and sock_type == kind:
                            continue
                        with socket.socket(family, sock_type) as other:
                            other.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


class Switchboard:
    """A running switchboard process and the ports it serves."""

    def __init__(self, args=(), env=None, config=None, binary=None, ready_line="STUN listening"):
        self.stun_port = free_port()
        self.http_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
        command = [binary or BINARY, "serve"]
        if config is not None:
            command += ["--config", str(config)]
        command += [
            "--set", "stun.addresses=127.0.0.1,::1",
            "--set", f"stun.port={self.stun_port}",
            "--set", "http.host=127.0.0.1",
            "--set", f"http.port={self.http_port}",
            "--set", "threads=2",
            # Dialect C's own listener defaults to 8080, which parallel servers would fight over; tests that want
            # it pass a free port.
            "--set", "dialects.rawWebSocketPort=0",
            # TURN over TLS would take the fixed port 5349 whenever a test configures a certificate.
            "--set", "stun.tlsPort=0",
            *args,
        ]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        environment.update(env or {})
        self.stderr_path = ROOT / ".build" / f"switchboard-test-{self.stun_port}.log"
        self.stderr_file = open(self.stderr_path, "w+b")
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self.stderr_file, env=environment)
        self.ready_line = ready_line
        self.wait_until_ready()

    def wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"switchboard exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1) as response:
                    if response.status == 200 and self.ready_line in self.log():
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"switchboard did not become ready:\n{self.log()}")

    def log(self):
        if not self.stderr_file.closed:
            self.stderr_file.flush()
        return self.stderr_path.read_text(errors="replace")

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/metrics", timeout=5) as response:
            return response.read().decode()

    def metric(self, name, **labels):
        """The value of one Prometheus series, or 0 when it is absent."""
        wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
        series = f"{name}{{{wanted}}}" if wanted else name
        for line in self.metrics().splitlines():
            if line.startswith(series + " "):
                return float(line.split()[-1])
        return 0.0

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        self.stderr_file.close()
        return self.process.returncode


@pytest.fixture
def switchboard():
    server = Switchboard()
    yield server
    assert server.process.poll() is None, f"switchboard died during the test:\n{server.log()}"
    assert server.stop() == 0


@pytest.fixture
def start_switchboard():
    servers = []

    def start(*args, **kwargs):
        server = Switchboard(*args, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


TURN_ARGS = [
    "--set", "turn.realm=bench.local",
    "--set", "turn.users=bench:benchpass,alice:alicepass",
    "--set", "turn.secrets=benchsecret,oldsecret",
    "--set", "turn.peers.allow=127.0.0.1,::1",
    "--set", "turn.quota.perUser=100",
    # Every test client comes from 127.0.0.1 or ::1: one address standing for many clients.
    "--set", "turn.quota.perClientAddress=0",
]


@pytest.fixture
def turn_server():
    """A switchboard with static users, REST secrets and loopback peers allowed (as coturn's
    --allow-loopback-peers), the way docs/benchmarks.md#coturn-anchor configures coturn."""
    server = Switchboard(args=TURN_ARGS)
    yield server
    assert server.process.poll() is None, f"switchboard died during the test:\n{server.log()}"
    assert server.stop() == 0


class Peer:
    """coturn's turnutils_peer: a UDP echo on a port and the next one."""

    def __init__(self):
        for _ in range(50):
            port = free_port()
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                    probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            break
        self.port = port
        self.process = subprocess.Popen(
            ["turnutils_peer", "-L", "127.0.0.1", "-L", "::1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.settimeout(0.2)
                sock.sendto(b"ping", ("127.0.0.1", port))
                try:
                    if sock.recv(100) == b"ping":
                        return
                except OSError:
                    pass
        raise RuntimeError("turnutils_peer did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def peer():
    echo = Peer()
    yield echo
    echo.stop()


@pytest.fixture
def switchboard_for_aiortc():
    """Default peer policy (no allow list): two relay-only peers on one machine reach each other because each
    peer's address is a live relay address of this server."""
    server = Switchboard(args=["--set", "turn.users=bench:benchpass", "--set", "turn.realm=bench.local"])
    yield server
    assert server.process.poll() is None, f"switchboard died during the test:\n{server.log()}"
    assert server.stop() == 0


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a PostgreSQL for the cluster tests (test_cluster.py): TEST_POSTGRES_URL when set (scripts/test
    starts one), else a throwaway server of this session's own (scripts/test-postgres, in a directory under /tmp,
    which the postgres user can reach), so that one test file can be run by hand. Never skipped: a missing
    PostgreSQL is an error."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        yield url
        return
    directory = tempfile.mkdtemp(prefix="switchboard-test-postgres.", dir="/tmp")
    script = ROOT / "scripts" / "test-postgres"
    try:
        result = subprocess.run(
            [str(script), "start", directory, str(free_port(socket.SOCK_STREAM, socket.SOCK_STREAM))],
            capture_output=True, text=True, timeout=180,
        )
        if result.returncode != 0:
            raise RuntimeError(f"scripts/test-postgres start failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        yield result.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(script), "stop", directory], capture_output=True, timeout=120)
