"""`switchboard import-coturn`: real coturn configurations converted, checked, and served by both servers.

Each configuration in data/coturn/ is converted as it is (the result must pass check-config, with warnings for the
expected options only), then localized for this machine (its addresses become loopback, its ports free ones) and
served twice: by coturn's turnserver from the coturn file and by Switchboard from the converted file. coturn's
turnutils_uclient must get the same outcome from both: every message back, 401 with wrong credentials, 403 for a
peer the lists deny. Debian's sample sets no credentials: coturn relays for anyone, Switchboard answers 401, as
the conversion warns.
"""

import gzip
import pathlib
import re
import socket
import subprocess
import time

import pytest

from conftest import BINARY, ROOT, Switchboard, free_port

DATA = pathlib.Path(__file__).resolve().parent / "data" / "coturn"


def import_coturn(source, output):
    return subprocess.run(
        [BINARY, "import-coturn", str(source), "--output", str(output)], capture_output=True, text=True, timeout=60
    )


# Builds with turn.relay.externalAddresses carry external-ip over; others write it commented out with a warning.
# The documented example lists every key (a unit test keeps it so).
HAS_EXTERNAL_ADDRESSES = "externalAddresses:" in (ROOT / "turn-config" / "switchboard.yaml").read_text()


def check_config(path):
    return subprocess.run([BINARY, "check-config", str(path)], capture_output=True, text=True, timeout=60)


def warned_keys(stderr):
    return sorted(re.findall(r"key '([^']+)'", stderr))


def debian_sample():
    for candidate in (pathlib.Path("/etc/turnserver.conf"),):
        if candidate.exists():
            return candidate.read_text()
    packed = pathlib.Path("/usr/share/doc/coturn/examples/etc/turnserver.conf.gz")
    if packed.exists():
        return gzip.decompress(packed.read_bytes()).decode()
    plain = pathlib.Path("/usr/share/doc/coturn/examples/etc/turnserver.conf")
    if plain.exists():
        return plain.read_text()
    pytest.fail("Debian's coturn package is not installed (scripts/install-test-deps installs it)")


def free_port_pair():
    """A port free for UDP and TCP whose next port is free too (coturn's RFC 5780 alternate port)."""
    for _ in range(100):
        port = free_port()
        try:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                with socket.socket(socket.AF_INET, kind) as probe:
                    probe.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair")


def localize(text, port, tmp_path, addresses):
    """The configuration as this machine can serve it: `addresses` (the file's own IPs) become 127.0.0.1, the
    listening port a free one, log and pid files go to tmp_path, the certificate and key are a test pair made in
    tmp_path (without the file's cipher list, which needs an RSA key), the public mapping is dropped (its private side is not here), and loopback peers are allowed because
    the test's peers are on loopback."""
    if re.search(r"^\s*cert\b", text, re.MULTILINE):
        subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(tmp_path)], check=True, capture_output=True)
    for address in addresses:
        text = text.replace(address, "127.0.0.1")
    lines = []
    for line in text.splitlines():
        name = re.split(r"[ =\t]", line.strip(), maxsplit=1)[0]
        if name == "listening-port":
            line = f"listening-port={port}"
        elif name == "tls-listening-port":
            line = f"tls-listening-port={free_port_pair()}"
        elif name == "log-file":
            line = f"log-file={tmp_path / 'coturn-file.log'}"
        elif name == "cert":
            line = f"cert={tmp_path / 'cert.pem'}"
        elif name == "pkey":
            line = f"pkey={tmp_path / 'key.pem'}"
        elif name == "cipher-list":
            continue  # the file's suites are ECDHE-RSA only; the test pair's key is EC, so coturn could offer none
        elif name == "pidfile":
            line = f"pidfile={tmp_path / 'turnserver.pid'}"
        elif name == "external-ip":
            continue
        lines.append(line)
    if not any(re.match(r"\s*listening-ip", line) for line in lines):
        lines.append("listening-ip=127.0.0.1")
    if not any(re.match(r"\s*listening-port", line) for line in lines):
        lines.append(f"listening-port={port}")
    lines.append("allow-loopback-peers")
    return "\n".join(lines) + "\n"


class Coturn:
    """coturn's turnserver on a localized configuration file."""

    def __init__(self, config, port, tmp_path):
        self.stun_port = port
        self.log_path = tmp_path / "coturn.log"
        self.log_file = open(self.log_path, "w+b")
        self.process = subprocess.Popen(
            ["turnserver", "-c", str(config), "--no-cli", "--pidfile", str(tmp_path / "turnserver.pid")],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            self.wait_until_ready(port)
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self, port):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            try:
                probe = subprocess.run(
                    ["turnutils_stunclient", "-p", str(port), "127.0.0.1"], capture_output=True, timeout=3
                )
                if probe.returncode == 0:
                    return
            except subprocess.TimeoutExpired:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"turnserver did not answer Binding:\n{self.log()}")

    def log(self):
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log_file.close()


class Peer:
    """turnutils_peer, a UDP echo, on one loopback address."""

    def __init__(self, address):
        self.address = address
        self.port = free_port_pair()
        self.process = subprocess.Popen(
            ["turnutils_peer", "-L", address, "-p", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.settimeout(0.2)
                sock.sendto(b"ping", (address, self.port))
                try:
                    if sock.recv(100) == b"ping":
                        return
                except OSError:
                    pass
        raise RuntimeError(f"turnutils_peer did not start on {address}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def outcome(port, credentials, peer, flags, messages=20):
    """What turnutils_uclient got: 'relayed' (every message back), '401', '403', or the output when unclear."""
    command = ["turnutils_uclient", "-p", str(port), *credentials, "-X", "-c", "-m", "2", "-n", str(messages), *flags]
    command += ["-e", peer.address, "-r", str(peer.port), "127.0.0.1"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=180)
    text = output.stdout + output.stderr
    if "Cannot complete Allocation" in text:
        return "401"
    if re.search(r"error 403", text):
        return "403"
    totals = re.findall(r"tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$", text, re.MULTILINE)
    if totals and totals[-1] == (str(2 * messages), str(2 * messages)) and "Total lost packets 0 (0.0" in text:
        return "relayed"
    return text


# file, warned keys of the file as it is, its own addresses, and the uclient runs: (credentials, peer, flags, outcome)
CASES = {
    "matrix-synapse.conf": (
        ["syslog"] if HAS_EXTERNAL_ADDRESSES else ["external-ip", "syslog"],
        ["10.0.0.1"],
        [
            (["-u", "alice", "-W", "8d5b0c3e7a1f49b2a6c4e0f1d2b3a4c5"], "127.0.0.1", [], "relayed"),
            (["-u", "alice", "-W", "not-the-secret"], "127.0.0.1", [], "401"),
            # 127.0.0.0/8 is denied; only the server's own address is allowed back in.
            (["-u", "alice", "-W", "8d5b0c3e7a1f49b2a6c4e0f1d2b3a4c5"], "127.0.0.2", [], "403"),
        ],
    ),
    "office-static-users.conf": (
        ["log-file", "user"],
        ["192.168.10.4"],
        [
            (["-u", "alice", "-w", "wonderland"], "127.0.0.1", [], "relayed"),
            (["-u", "bob", "-w", "builder"], "127.0.0.1", ["-t"], "relayed"),
            (["-u", "alice", "-w", "builder"], "127.0.0.1", [], "401"),
        ],
    ),
    "nextcloud-talk.conf": (
        # TURN over TLS carries over (tls-listening-port, cert, pkey); coturn's DTLS on that port does not.
        ["bps-capacity", "cert", "cipher-list", "dh-file", "no-stdout-log", "simple-log"],
        [],
        [
            (["-u", "talk", "-W", "Zk3q9Tf1Lw7Xc2Rv5Nb8Hm4Yd6Pa0Se"], "127.0.0.1", ["-t"], "relayed"),
            (["-u", "talk", "-W", "Zk3q9Tf1Lw7Xc2Rv5Nb8Hm4Yd6Pa0Sf"], "127.0.0.1", [], "401"),
        ],
    ),
}


def test_the_debian_sample_converts_to_a_valid_configuration(tmp_path):
    source = tmp_path / "turnserver.conf"
    source.write_text(debian_sample())
    converted = tmp_path / "switchboard.yaml"
    result = import_coturn(source, converted)
    assert result.returncode == 0, result.stderr
    checked = check_config(converted)
    assert checked.returncode == 0, checked.stderr + converted.read_text()
    # The sample turns on syslog and RFC 3489 strictness, and no credentials: coturn would serve anyone.
    assert "lt-cred-mech" in warned_keys(result.stderr)
    assert any(line.startswith(f"{source}:") and "key 'syslog'" in line for line in result.stderr.splitlines())
    assert "no-rfc5780" in converted.read_text()

    # Served: both answer Binding; coturn relays for a client without credentials, Switchboard answers 401, which is
    # what the lt-cred-mech warning says.
    port = free_port_pair()
    local = tmp_path / "local.conf"
    local.write_text(localize(source.read_text(), port, tmp_path, []))
    local_yaml = tmp_path / "local.yaml"
    assert import_coturn(local, local_yaml).returncode == 0
    servers = []
    peer = Peer("127.0.0.1")
    try:
        coturn = Coturn(local, port, tmp_path)
        servers.append(coturn)
        switchboard = Switchboard(config=local_yaml)
        servers.append(switchboard)
        for server in (coturn, switchboard):
            binding = subprocess.run(
                ["turnutils_stunclient", "-p", str(server.stun_port), "127.0.0.1"], capture_output=True, timeout=30
            )
            assert binding.returncode == 0, binding
        assert outcome(coturn.stun_port, [], peer, []) == "relayed", coturn.log()
        assert outcome(switchboard.stun_port, [], peer, []) == "401"
    finally:
        for server in servers:
            server.stop()
        peer.stop()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_converted_configuration_serves_uclient_as_coturn_did(name, tmp_path):
    expected_warnings, addresses, runs = CASES[name]
    as_written = tmp_path / "as-written.yaml"
    result = import_coturn(DATA / name, as_written)
    assert result.returncode == 0, result.stderr
    assert warned_keys(result.stderr) == sorted(expected_warnings), result.stderr
    checked = check_config(as_written)
    if re.search(r"^\s*cert\b", (DATA / name).read_text(), re.MULTILINE):
        # check-config opens the files a configuration names, and this one names the production host's certificate.
        assert checked.returncode == 1, checked.stderr
        assert re.search(r"as-written\.yaml:\d+: key 'tls\.certificateFile': ", checked.stderr), checked.stderr
    else:
        assert checked.returncode == 0, checked.stderr

    port = free_port_pair()
    local = tmp_path / "turnserver.conf"
    local.write_text(localize((DATA / name).read_text(), port, tmp_path, addresses))
    converted = tmp_path / "switchboard.yaml"
    result = import_coturn(local, converted)
    assert result.returncode == 0, result.stderr
    assert check_config(converted).returncode == 0

    servers = []
    peers = {}
    try:
        for address in sorted({run[1] for run in runs}):
            peers[address] = Peer(address)
        coturn = Coturn(local, port, tmp_path)
        servers.append(coturn)
        switchboard = Switchboard(config=converted)
        servers.append(switchboard)
        for credentials, address, flags, expected in runs:
            from_coturn = outcome(coturn.stun_port, credentials, peers[address], flags)
            from_switchboard = outcome(switchboard.stun_port, credentials, peers[address], flags)
            assert from_coturn == expected, f"coturn {credentials[:2]} {address} {flags}:\n{from_coturn}\n{coturn.log()}"
            assert from_switchboard == expected, (
                f"switchboard {credentials[:2]} {address} {flags}:\n{from_switchboard}\n{switchboard.log()}"
            )
        assert switchboard.process.poll() is None, switchboard.log()
    finally:
        for server in servers:
            server.stop()
        for peer in peers.values():
            peer.stop()


def test_turn_over_tls_carries_over(tmp_path):
    """nextcloud-talk.conf serves turns: on tls-listening-port with its cert and pkey: the converted file serves it on
    stun.tlsPort with the same pair, and uclient -S relays through it with the file's REST secret. (coturn itself is
    not run here: with the test's EC pair it completed the TLS handshakes but no uclient run.)"""
    port = free_port_pair()
    local = tmp_path / "turnserver.conf"
    local.write_text(localize((DATA / "nextcloud-talk.conf").read_text(), port, tmp_path, []))
    tls_port = int(re.search(r"^tls-listening-port=(\d+)$", local.read_text(), re.MULTILINE).group(1))
    converted = tmp_path / "switchboard.yaml"
    assert import_coturn(local, converted).returncode == 0
    text = converted.read_text()
    assert f"tlsPort: {tls_port}" in text, text
    assert f"certificateFile: \"{tmp_path / 'cert.pem'}\"" in text, text

    peer = Peer("127.0.0.1")
    switchboard = None
    try:
        switchboard = Switchboard(config=converted, args=["--set", f"stun.tlsPort={tls_port}"])
        got = outcome(tls_port, ["-u", "talk", "-W", "Zk3q9Tf1Lw7Xc2Rv5Nb8Hm4Yd6Pa0Se"], peer, ["-S", "-t"])
        assert got == "relayed", f"{got}\n{switchboard.log()}"
        wrong = outcome(tls_port, ["-u", "talk", "-W", "not-the-secret"], peer, ["-S", "-t"])
        assert wrong == "401", wrong
    finally:
        if switchboard is not None:
            switchboard.stop()
        peer.stop()
