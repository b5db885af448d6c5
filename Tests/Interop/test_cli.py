"""The `switchboard` command line: check-config, start-up logs, secrets, signals."""

import json
import signal
import subprocess

from conftest import BINARY, ROOT


def check_config(path):
    return subprocess.run([BINARY, "check-config", str(path)], capture_output=True, text=True, timeout=60)


def test_check_config_accepts_the_documented_example():
    result = check_config(ROOT / "turn-config" / "switchboard.yaml")
    assert result.returncode == 0, result.stderr
    assert "switchboard.yaml: OK" in result.stdout


def test_print_config_prints_the_documented_example(tmp_path):
    result = subprocess.run([BINARY, "print-config"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "turn-config" / "switchboard.yaml").read_text(), "run scripts/generate-config"
    printed = tmp_path / "printed.yaml"
    printed.write_text(result.stdout)
    assert check_config(printed).returncode == 0


def test_check_config_names_key_file_and_line(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "log:\n"
        "  level: loud\n"
        "stun:\n"
        "  port: 70000\n"
        "  addresses: [\"127.0.0.1\", \"not-an-ip\"]\n"
        "  udp: \"yes\"\n"
        "  colour: blue\n"
    )
    result = check_config(broken)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert f"{broken}:2: key 'log.level': expected one of trace, debug, info, notice, warning, error, critical, got 'loud'" in lines
    assert f"{broken}:4: key 'stun.port': value 70000 is out of range 0...65535" in lines
    assert f"{broken}:5: key 'stun.addresses': 'not-an-ip' is not an IPv4 or IPv6 address" in lines
    assert f"{broken}:6: key 'stun.udp': expected true or false, got a quoted string" in lines
    assert f"{broken}:7: key 'stun.colour': unknown key" in lines


def test_check_config_reports_yaml_syntax_errors_with_line(tmp_path):
    broken = tmp_path / "syntax.yaml"
    broken.write_text("stun:\n  port: 3478\n  addresses: [\"127.0.0.1\"\n")
    result = check_config(broken)
    assert result.returncode == 1
    assert f"{broken}:" in result.stderr and "invalid YAML" in result.stderr


def test_check_config_on_a_missing_file():
    result = check_config("/nonexistent/switchboard.yaml")
    assert result.returncode == 1
    assert "cannot read the file" in result.stderr


def test_check_config_and_serve_name_the_line_of_a_tls_file_that_does_not_load(tmp_path):
    certificates = tmp_path / "tls"
    subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(certificates)], check=True, capture_output=True)
    other = tmp_path / "other"
    subprocess.run([str(ROOT / "scripts" / "make-test-certificate"), str(other)], check=True, capture_output=True)
    config = tmp_path / "tls.yaml"
    cases = [
        # (certificate, key, the key and the line the error must name)
        (tmp_path / "missing.pem", certificates / "key.pem", "3: key 'tls.certificateFile': cannot load a PEM certificate"),
        (certificates / "cert.pem", tmp_path / "missing.pem", "4: key 'tls.privateKeyFile': cannot load a PEM private key"),
        (certificates / "cert.pem", other / "key.pem", "4: key 'tls.privateKeyFile': the private key does not go with"),
    ]
    for certificate, key, expected in cases:
        config.write_text(f"tls:\n  port: 0\n  certificateFile: {certificate}\n  privateKeyFile: {key}\n")
        checked = check_config(config)
        assert checked.returncode == 1, checked.stdout
        assert f"{config}:{expected}" in checked.stderr, checked.stderr
        served = subprocess.run(
            [BINARY, "serve", "--config", str(config), "--set", "stun.port=0", "--set", "http.port=0"],
            capture_output=True, text=True, timeout=60,
        )
        assert served.returncode != 0
        assert f"{config}:{expected}" in served.stderr, served.stderr
    config.write_text(f"tls:\n  certificateFile: {certificates / 'cert.pem'}\n  privateKeyFile: {certificates / 'key.pem'}\n")
    assert check_config(config).returncode == 0


def test_serve_refuses_a_bad_environment_override():
    result = subprocess.run(
        [BINARY, "serve"], capture_output=True, text=True, timeout=60, env={"SWITCHBOARD_STUN_PORT": "nope"}
    )
    assert result.returncode == 2
    assert "environment variable SWITCHBOARD_STUN_PORT: key 'stun.port': expected an integer, got 'nope'" in result.stderr


def test_start_logs_every_listening_address(start_switchboard):
    server = start_switchboard()
    log = server.log()
    for transport, address in [("udp", "127.0.0.1"), ("tcp", "127.0.0.1"), ("udp", "::1"), ("tcp", "::1")]:
        assert any(
            "STUN listening" in line and f"transport={transport}" in line and address in line and str(server.stun_port) in line
            for line in log.splitlines()
        ), log
    assert any("HTTP listening" in line and str(server.http_port) in line for line in log.splitlines()), log
    assert server.stop() == 0


def test_sigint_and_sigterm_stop_gracefully(start_switchboard):
    for sig in (signal.SIGINT, signal.SIGTERM):
        server = start_switchboard()
        assert server.stop(sig) == 0
        assert "Switchboard stopped" in server.log()


def test_secrets_never_reach_the_logs(start_switchboard):
    secret = "correct-horse-battery-staple-7f3a"
    server = start_switchboard(args=["--set", f"turn.secrets={secret}", "--log-level", "trace"])
    server.metrics()
    assert server.stop() == 0
    assert secret not in server.log()


def test_json_log_format(start_switchboard):
    server = start_switchboard(args=["--set", "log.format=json"])
    assert server.stop() == 0
    lines = [line for line in server.log().splitlines() if line.strip()]
    assert lines
    records = [json.loads(line) for line in lines]
    assert any(record["message"] == "STUN listening" and record["metadata"]["transport"] == "udp" for record in records)
    assert all({"time", "level", "label", "message"} <= record.keys() for record in records)


def test_config_file_and_flags_layer(start_switchboard, tmp_path):
    config = tmp_path / "switchboard.yaml"
    config.write_text("stun:\n  software: \"FromFile\"\n  tcp: false\n")
    server = start_switchboard(config=config)
    log = server.log()
    assert "transport=tcp" not in "\n".join(line for line in log.splitlines() if "STUN listening" in line)
    assert server.stop() == 0


def test_ice_servers_carry_the_bound_port_when_stun_port_is_zero(start_switchboard):
    """With `stun.port: 0` the listeners take a free port; the URLs handed out must name it, not 0."""
    import re
    import urllib.request

    token = "interop-token-0123456789"
    server = start_switchboard(
        args=["--set", "stun.port=0", "--set", "ice.api.enabled=true", "--set", f"ice.api.tokens={token}"]
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.http_port}/api/ice-servers", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        servers = json.loads(response.read())["iceServers"]
    urls = [url for entry in servers for url in entry["urls"]]
    ports = {int(re.search(r":(\d+)(\?|$)", url).group(1)) for url in urls}
    assert len(ports) == 1 and 0 not in ports, urls
    bound = re.search(r"address=127\.0\.0\.1:(\d+) sockets=\d+ transport=udp", server.log())
    assert bound is not None and int(bound.group(1)) in ports, server.log()
