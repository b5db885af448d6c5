"""The video chat page served by `switchboard` at `/`, in a real browser: Debian's headless chromium with fake camera
and microphone, driven by selenium (helpers in web_chat_page.py), against the real binary with its default TURN
policy (no allow list: the relay addresses of the same server are always reachable, so two relay-only pages on one
machine reach each other).

- Two pages join one room with `?relay=1`: each sees the other's video play, chat crosses the DataChannel, the tile
  says "relayed", and the operator page `/status` shows the room, the TURN allocations and the relayed traffic.
- The same with the official Socket.IO JavaScript client v4.8.1 (`socket.io.min.js` from PyPI's nicegui 3.18.0
  wheel, downloaded when the tests run): the page is opened with `?client=official`, and the test injects the bundle
  into every document before the page's scripts run (DevTools `Page.addScriptToEvaluateOnNewDocument`), so the
  page finds `window.io` and signals through it (polling first, then the upgrade to WebSocket) instead of its own
  client.
- Three pages see each other; when one leaves, the other two grids shrink; a taken name is refused.
- Without `?relay=1`, two pages on one machine connect directly (host candidates) and say so.
- A network that lets out only TLS to one TCP port: the server listens for STUN/TURN on no UDP or TCP port at all
  (`stun.udp` and `stun.tcp` off, no `stun.tlsPort`), so the page, Socket.IO and TURN all go through `shared.port`
  over TLS; the only ICE server the pages are handed is `turns:` on that port, and two relay-only pages hold a call
  through it (Chromium trusts the test certificate through `--ignore-certificate-errors`, for this test only).

Screenshots go to test-artifacts/web/.
"""

import json
import socket
import time
import subprocess
import sys
import urllib.request
import uuid
import zipfile

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import free_port
from test_shared_port import wait_for_shared_port
from test_turn_tls import certificate
from web_chat_page import ARTIFACTS, ChatPage, start_browser, wait_until


@pytest.fixture(scope="module")
def official_client(tmp_path_factory):
    """The text of socket.io.min.js 4.8.1 from the nicegui 3.18.0 wheel."""
    directory = tmp_path_factory.mktemp("socketio-browser")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(directory), "nicegui==3.18.0"],
        check=True,
        timeout=600,
    )
    wheel = next(directory.glob("nicegui-3.18.0-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        bundle = archive.read("nicegui/static/socket.io.min.js")
    assert b"Socket.IO v4.8.1" in bundle[:200]
    return bundle.decode("utf-8")


@pytest.fixture
def server(start_switchboard):
    """Default configuration: dialect A on Engine.IO v4, TURN with REST credentials handed out on join."""
    return start_switchboard()


@pytest.fixture
def pages(request):
    """Opens pages; at the end each one is screenshotted (test-artifacts/web/<test>-final-<name>.png) and closed."""
    opened = []

    def open_page(base_url, name, **kwargs):
        page = ChatPage(base_url, name, **kwargs)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        try:
            page.screenshot(f"{request.node.name}-final")
        except Exception:
            pass
        page.close()


def status_json(server):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/api/status", timeout=5) as response:
        return json.loads(response.read())


def check_pair(alice, bob, test_name):
    """Video both ways, connection type relayed both ways, chat both ways."""
    for page, other in ((alice, bob), (bob, alice)):
        page.wait_for_peers([other.name])
        peer = page.wait_for_video(other.name)
        assert peer["videoWidth"] > 0 and peer["currentTime"] > 0.5
        data_type, badge = page.wait_for_connection_type(other.name, "relayed")
        assert data_type == "relayed"
        assert badge.startswith("relayed"), badge
        assert page.snapshot()["peers"][0]["channel"] == "open"

    hello = f"hello from alice {uuid.uuid4().hex[:8]}"
    alice.send_chat(hello)
    lines = bob.wait_for_message("alice", hello)
    assert any(hello in line for line in lines), lines
    reply = "hi alice, bob here ✓"
    bob.send_chat(reply)
    alice.wait_for_message("bob", reply)

    alice.screenshot(f"{test_name}-call")
    bob.screenshot(f"{test_name}-call")


def check_mute_and_screen_share(alice, bob, test_name):
    """Alice's mute and camera-off show on Bob's tile of her; her screen replaces her camera on Bob's side, then
    her camera comes back."""
    alice.driver.find_element(By.ID, "mic-button").click()
    bob.wait(lambda s: bob.peer(s, "alice")["micOn"] is False, 15, "alice shows as muted")
    assert bob.tile("alice").find_element(By.CSS_SELECTOR, ".muted-badge").is_displayed()
    alice.driver.find_element(By.ID, "mic-button").click()
    bob.wait(lambda s: bob.peer(s, "alice")["micOn"] is True, 15, "alice shows as unmuted")
    alice.driver.find_element(By.ID, "camera-button").click()
    bob.wait(lambda s: bob.peer(s, "alice")["cameraOn"] is False, 15, "alice shows her camera off")
    assert bob.tile("alice").get_attribute("data-camera") == "off"
    bob.screenshot(f"{test_name}-camera-off")
    alice.driver.find_element(By.ID, "camera-button").click()
    bob.wait(lambda s: bob.peer(s, "alice")["cameraOn"] is True, 15, "alice shows her camera on")

    # Sharing replaces the video track alice sends: bob's tile of her shows frames of her screen's size, then of
    # her camera's again. A camera sender may scale its frames down when the machine is busy (a screen sender keeps
    # its resolution and drops frames instead), so camera frames are recognised by their aspect ratio and a width
    # no larger than the camera's.
    def preview(snapshot):
        return (snapshot["preview"]["videoWidth"], snapshot["preview"]["videoHeight"])

    def received(snapshot):
        peer = bob.peer(snapshot, "alice")
        return (peer["videoWidth"], peer["videoHeight"]) if peer else (0, 0)

    camera = preview(alice.snapshot())
    assert camera[0] > 0 and camera[1] > 0, camera

    def from_camera(size):
        width, height = size
        return 0 < width <= camera[0] and height > 0 and abs(width / height - camera[0] / camera[1]) < 0.05

    bob.wait(lambda s: from_camera(received(s)), 30, f"alice's camera arrives (at most {camera})")
    alice.driver.find_element(By.ID, "screen-button").click()
    snapshot = alice.wait(
        lambda s: s["sharing"]
        and all(peer["sendingVideo"] == "screen" for peer in s["peers"])
        and preview(s)[0] > camera[0],
        15,
        "alice sends her screen, wider than her camera",
    )
    screen = preview(snapshot)
    bob.wait(lambda s: received(s) == screen, 40, f"alice's screen arrives at {screen}")
    bob.wait_for_video("alice")
    alice.screenshot(f"{test_name}-sharing")
    bob.screenshot(f"{test_name}-sharing")
    alice.driver.find_element(By.ID, "screen-button").click()
    alice.wait(
        lambda s: not s["sharing"] and all(peer["sendingVideo"] == "camera" for peer in s["peers"]),
        15,
        "alice sends her camera again",
    )
    bob.wait(lambda s: from_camera(received(s)), 40, f"alice's camera arrives again (at most {camera})")
    bob.wait_for_video("alice")


@pytest.mark.parametrize("client", ["builtin", "official"])
def test_two_pages_relay_only(server, pages, client, request):
    base_url = f"http://127.0.0.1:{server.http_port}"
    query = "relay=1" if client == "builtin" else "relay=1&client=official"
    init_script = request.getfixturevalue("official_client") if client == "official" else None
    alice = pages(base_url, "alice", query=query, init_script=init_script)
    bob = pages(base_url, "bob", query=query, init_script=init_script)

    alice.join("standup")
    bob.join("standup")
    for page in (alice, bob):
        snapshot = page.snapshot()
        assert snapshot["client"] == client
        assert snapshot["relayOnly"] is True
        urls = [url for entry in snapshot["iceServers"] for url in entry["urls"]]
        assert f"turn:127.0.0.1:{server.stun_port}?transport=udp" in urls, urls
        assert snapshot["local"]["audio"] and snapshot["local"]["video"]
        # The official client starts on polling and upgrades; the page's own client is WebSocket only.
        page.wait(lambda s: s["transport"] == "websocket", 30, "signaling runs over WebSocket")

    check_pair(alice, bob, request.node.name)
    check_mute_and_screen_share(alice, bob, request.node.name)

    # The server's view: the room and its members, TURN allocations and relayed bytes.
    status = wait_until(
        lambda: (s := status_json(server))["turn"]["bytesToPeer"] > 0 and s["turn"]["bytesToClient"] > 0 and s,
        20,
        "relayed traffic is counted",
    )
    assert {"name": "standup", "members": sorted(["alice", "bob"])} in [
        {"name": room["name"], "members": sorted(room["members"])} for room in status["rooms"]
    ]
    assert status["turn"]["allocations"] >= 2

    # The operator page shows the same, refreshed live.
    operator = start_browser()
    try:
        operator.get(f"{base_url}/status")
        WebDriverWait(operator, 30, poll_frequency=0.2).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, 'tr[data-room="standup"]')
            and d.find_element(By.ID, "allocations").text not in ("–", "0")
            and "bit/s" in d.find_element(By.ID, "to-peer-rate").text
        )
        row = operator.find_element(By.CSS_SELECTOR, 'tr[data-room="standup"]').text
        assert "alice" in row and "bob" in row and " 2 " in f" {row} ", row
        first = operator.find_element(By.TAG_NAME, "body").get_attribute("data-updated")
        WebDriverWait(operator, 10, poll_frequency=0.2).until(
            lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-updated") != first
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        operator.save_screenshot(str(ARTIFACTS / f"test_two_pages_relay_only-{client}-status.png"))
    finally:
        operator.quit()


def test_two_pages_relay_only_through_turns_on_the_shared_port(start_switchboard, pages, tmp_path, request):
    port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(
        args=[
            *certificate(tmp_path),
            "--set", f"shared.port={port}",
            "--set", "stun.udp=false",
            "--set", "stun.tcp=false",
            "--set", "stun.tlsPort=0",
        ],
        ready_line="shared port listening",
    )
    wait_for_shared_port(server, port)
    assert "STUN listening" not in server.log(), server.log()
    base_url = f"https://127.0.0.1:{port}"
    flags = ["--ignore-certificate-errors"]
    alice = pages(base_url, "alice", flags=flags)
    bob = pages(base_url, "bob", flags=flags)

    alice.join("firewalled")
    bob.join("firewalled")
    for page in (alice, bob):
        snapshot = page.snapshot()
        assert snapshot["relayOnly"] is True
        urls = [url for entry in snapshot["iceServers"] for url in entry["urls"]]
        assert urls == [f"turns:127.0.0.1:{port}?transport=tcp"], urls
        page.wait(lambda s: s["transport"] == "websocket", 30, "signaling runs over WebSocket")

    check_pair(alice, bob, request.node.name)
    # Each page's TURN allocation came over TLS on the shared port, next to its HTTPS and WebSocket connections.
    assert server.metric("switchboard_shared_port_connections_total", protocol="turns") >= 2
    assert server.metric("switchboard_shared_port_connections_total", protocol="https") >= 2
    status = status_json(server)
    assert status["turn"]["allocations"] >= 2
    assert status["turn"]["bytesToPeer"] > 0 and status["turn"]["bytesToClient"] > 0


def test_three_pages_then_one_leaves(server, pages, request):
    base_url = f"http://127.0.0.1:{server.http_port}"
    names = ["alice", "bob", "carol"]
    trio = {name: pages(base_url, name) for name in names}
    for name in names:
        trio[name].join("trio")

    for name, page in trio.items():
        others = [other for other in names if other != name]
        page.wait_for_peers(others)
        for other in others:
            page.wait_for_video(other)
            page.wait_for_connection_type(other, "relayed")
        assert page.grid_size() == 3
    for page in trio.values():
        page.screenshot(f"{request.node.name}-three")

    carol = trio["carol"]
    carol.send_chat("bye all")
    trio["alice"].wait_for_message("carol", "bye all")
    trio["bob"].wait_for_message("carol", "bye all")
    carol.leave()
    assert carol.grid_size() == 0

    for name in ("alice", "bob"):
        page = trio[name]
        other = "bob" if name == "alice" else "alice"
        snapshot = page.wait_for_peers([other], timeout=30)
        assert snapshot["tiles"] == 2
        assert page.grid_size() == 2
        page.wait_for_video(other)
        page.screenshot(f"{request.node.name}-after-leave")

    status = wait_until(
        lambda: (s := status_json(server)) and [room for room in s["rooms"] if room["name"] == "trio"],
        10,
        "the room is listed",
    )
    assert sorted(status[0]["members"]) == ["alice", "bob"]

    # Carol comes back on the same page (same socket, same user id): a name already in the room is refused, hers
    # is accepted and the mesh grows again.
    name_field = carol.driver.find_element(By.ID, "username")
    name_field.clear()
    name_field.send_keys("alice")
    carol.driver.find_element(By.ID, "join-button").click()
    error = carol.driver.find_element(By.ID, "join-error")
    WebDriverWait(carol.driver, 10, poll_frequency=0.2).until(lambda _: error.is_displayed())
    assert "already taken" in error.text
    assert carol.snapshot()["phase"] == "idle"
    carol.screenshot(f"{request.node.name}-name-taken")
    carol.join("trio")
    for name, page in trio.items():
        others = [other for other in names if other != name]
        page.wait_for_peers(others)
        for other in others:
            page.wait_for_video(other)
        assert page.grid_size() == 3


def test_two_pages_without_relay_connect_directly(server, pages):
    """Without `?relay=1` two pages on one machine pair their host candidates: the tile says "direct". Then one
    page is closed."""
    base_url = f"http://127.0.0.1:{server.http_port}"
    alice = pages(base_url, "alice", query="")
    bob = pages(base_url, "bob", query="")
    alice.join("lan")
    bob.join("lan")
    for page, other in ((alice, bob), (bob, alice)):
        page.wait_for_peers([other.name])
        page.wait_for_video(other.name)
        data_type, badge = page.wait_for_connection_type(other.name, "direct")
        assert data_type == "direct" and badge.startswith("direct"), badge
        assert page.snapshot()["relayOnly"] is False

    # Closing the page sends `leave` (pagehide): the server drops bob at once instead of after its 15 s grace for
    # a vanished socket, and alice's grid shrinks.
    bob.driver.get("about:blank")
    wait_until(
        lambda: [sorted(room["members"]) for room in status_json(server)["rooms"]] == [["alice"]],
        10,
        "the server has only alice left in the room",
    )
    alice.wait(lambda s: s["peers"] == [] and s["tiles"] == 1, 10, "bob's tile is gone")


def test_credentials_are_renewed_through_the_room(start_switchboard, pages, request):
    """TURN credentials live `ice.credentialTTLSeconds` (6 here): the page renews them in the room before they
    expire (no HTTP API, which is off), without disturbing its calls, and a member who joins after the first ones
    expired is still reached over the relay."""
    server = start_switchboard(args=["--set", "ice.credentialTTLSeconds=6"])
    base_url = f"http://127.0.0.1:{server.http_port}"
    alice, bob = pages(base_url, "alice"), pages(base_url, "bob")
    alice.join("renew")
    bob.join("renew")

    def turn_username(snapshot):
        return [entry for entry in snapshot["iceServers"] if "username" in entry][0]["username"]

    first = turn_username(alice.snapshot())
    alice.wait_for_peers(["bob"])
    alice.wait(lambda s: turn_username(s) != first, 30, "alice's credentials are renewed")
    renewed = turn_username(alice.snapshot())
    # Same session, later expiry.
    assert renewed.split(":", 1)[1] == first.split(":", 1)[1]
    assert int(renewed.split(":", 1)[0]) > int(first.split(":", 1)[0])
    # Past the first credentials' expiry, a newcomer still gets a relayed call with everyone.
    wait_until(lambda: int(time.time()) > int(first.split(":", 1)[0]) + 1, 20, "first credentials expire")
    carol = pages(base_url, "carol")
    carol.join("renew")
    trio = {"alice": alice, "bob": bob, "carol": carol}
    for name, page in trio.items():
        others = [other for other in trio if other != name]
        page.wait_for_peers(others)
        for other in others:
            page.wait_for_connection_type(other, "relayed")
        assert page.grid_size() == 3
    assert server.metric("switchboard_ice_api_requests_total", outcome="served") == 0
