"""systemd readiness (Type=notify, issue 18 item 5): the test plays systemd's part with a Unix datagram socket of
its own in NOTIFY_SOCKET. READY=1 must come only once every listener answers (STUN over UDP and TCP, HTTP and the
admin port, each tried once at that moment, no retry), and STOPPING=1 when SIGTERM starts the shutdown."""

import os
import shutil
import signal
import socket
import subprocess
import urllib.request

import pytest
import rawstun
from conftest import BINARY, ROOT, free_port


def start(notify_socket, admin_port):
    stun_port = free_port()
    http_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    environment["NOTIFY_SOCKET"] = notify_socket
    log = open(ROOT / ".build" / f"switchboard-test-{stun_port}.log", "w+b")
    process = subprocess.Popen(
        [
            BINARY, "serve",
            "--set", "stun.addresses=127.0.0.1",
            "--set", f"stun.port={stun_port}",
            "--set", "http.host=127.0.0.1",
            "--set", f"http.port={http_port}",
            "--set", f"admin.port={admin_port}",
            "--set", "threads=2",
        ],
        stdout=subprocess.DEVNULL, stderr=log, env=environment,
    )
    return process, log, stun_port, http_port


@pytest.mark.parametrize("abstract", [False, True])
def test_ready_after_every_listener_and_stopping_on_sigterm(tmp_path, abstract):
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if abstract:
        name = f"@switchboard-notify-test-{os.getpid()}"
        receiver.bind("\0" + name[1:])
    else:
        name = str(tmp_path / "notify")
        receiver.bind(name)
    receiver.settimeout(60)  # waits for the datagram; not a timed assertion
    admin_port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    process, log, stun_port, http_port = start(name, admin_port)
    try:
        ready = receiver.recv(4096).decode()
        assert ready.split("\n")[0] == "READY=1", ready
        # At READY every listener is bound: each answers the first time.
        for tcp in (False, True):
            client = rawstun.Client(stun_port, tcp=tcp)
            try:
                request = rawstun.Message(rawstun.BINDING, rawstun.REQUEST)
                assert client.transact(request).cls == rawstun.SUCCESS
            finally:
                client.close()
        for port, path in ((http_port, "/healthz"), (admin_port, "/metrics")):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                assert response.status == 200
        process.send_signal(signal.SIGTERM)
        stopping = receiver.recv(4096).decode()
        assert stopping.split("\n")[0] == "STOPPING=1", stopping
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
        receiver.close()



def test_the_shipped_unit_file_verifies(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = (ROOT / "dist" / "switchboard.service").read_text()
    assert "Type=notify" in unit and "LimitNOFILE=" in unit
    # The unit names the installed binary; verify it against the one under test.
    local = tmp_path / "switchboard.service"
    local.write_text(unit.replace("/usr/local/bin/switchboard", BINARY))
    result = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
