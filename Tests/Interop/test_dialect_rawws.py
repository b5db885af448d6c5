"""Dialect C (the raw-WebSocket blog server, docs/dialects.md#rawws) with a plain WebSocket client
(websocket-client), one JSON object per text frame."""

import json
import socket
import subprocess

import websocket

from conftest import BINARY


def connect(server):
    ws = websocket.create_connection(f"ws://127.0.0.1:{server.http_port}/ws", timeout=10)
    return ws


def receive(ws):
    return json.loads(ws.recv())


def test_join_offer_answer_candidate_and_leave(start_switchboard):
    server = start_switchboard()
    alice, bob = connect(server), connect(server)
    alice.send(json.dumps({"type": "join", "id": "alice", "nick": "Alice"}))
    ice = receive(alice)
    assert ice["type"] == "iceServers"
    assert ice["iceServers"][0] == {"urls": [f"stun:127.0.0.1:{server.stun_port}"]}
    # The TURN identity is the connection: one per client, not shared by every client of the dialect.
    alice_identity = ice["iceServers"][1]["username"].split(":", 1)[1]
    assert len(alice_identity) >= 32 and alice_identity != "ws"
    bob.send(json.dumps({"type": "join", "id": "bob", "nick": "Bob"}))
    bob_ice = receive(bob)
    assert bob_ice["type"] == "iceServers"
    assert bob_ice["iceServers"][1]["username"].split(":", 1)[1] not in ("ws", alice_identity)
    alice.send(json.dumps({"type": "offer", "sdp": {"type": "offer", "sdp": "v=0"}}))
    assert receive(bob) == {"type": "offer", "sdp": {"type": "offer", "sdp": "v=0"}, "id": "alice", "nick": "Alice"}
    bob.send(json.dumps({"type": "answer", "receiverId": "alice", "sdp": {"type": "answer", "sdp": "v=0"}}))
    assert receive(alice) == {
        "type": "answer", "receiverId": "alice", "sdp": {"type": "answer", "sdp": "v=0"}, "id": "bob", "nick": "Bob",
    }
    alice.send(json.dumps({"type": "icecandidate", "receiverId": "bob", "candidate": {"candidate": "candidate:1"}}))
    assert receive(bob)["candidate"] == {"candidate": "candidate:1"}
    # Garbage is dropped; the connection and the others carry on.
    alice.send("not json")
    alice.send(json.dumps({"type": "answer", "receiverId": "nobody"}))
    alice.close()
    assert receive(bob) == {"type": "leave", "payload": {"id": "alice", "nick": "Alice"}}
    bob.close()


def test_a_join_with_a_held_id_takes_it_over(start_switchboard):
    # As the original's map keyed by id: a reconnecting client joins with its id while its old connection is still
    # open. The old connection gets a close frame at once; the id's messages reach only the new one; the old
    # connection's close tells no one that the id left.
    server = start_switchboard()
    old, bob = connect(server), connect(server)
    old.send(json.dumps({"type": "join", "id": "alice", "nick": "Alice"}))
    assert receive(old)["type"] == "iceServers"
    bob.send(json.dumps({"type": "join", "id": "bob", "nick": "Bob"}))
    assert receive(bob)["type"] == "iceServers"
    new = connect(server)
    new.send(json.dumps({"type": "join", "id": "alice", "nick": "Alice"}))
    assert receive(new)["type"] == "iceServers"
    opcode, frame = old.recv_data_frame(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert frame.data[:2] == (1000).to_bytes(2, "big")
    # The server drops the TCP connection once the client has answered the close frame, after which its close
    # has been handled.
    assert old.sock.recv(16) == b""
    bob.send(json.dumps({"type": "answer", "receiverId": "alice", "sdp": {"type": "answer", "sdp": "v=0"}}))
    assert receive(new) == {
        "type": "answer", "receiverId": "alice", "sdp": {"type": "answer", "sdp": "v=0"}, "id": "bob", "nick": "Bob",
    }
    # bob's next message is alice's offer, not a leave for alice.
    new.send(json.dumps({"type": "offer", "sdp": {"type": "offer", "sdp": "v=0"}}))
    assert receive(bob) == {"type": "offer", "sdp": {"type": "offer", "sdp": "v=0"}, "id": "alice", "nick": "Alice"}
    new.send(json.dumps({"type": "icecandidate", "receiverId": "bob", "candidate": {"candidate": "candidate:2"}}))
    assert receive(bob)["candidate"] == {"candidate": "candidate:2"}
    # When the connection holding the id goes, the leave is told.
    new.close()
    assert receive(bob) == {"type": "leave", "payload": {"id": "alice", "nick": "Alice"}}
    bob.close()


def join(ws, client_id):
    ws.send(json.dumps({"type": "join", "id": client_id, "nick": client_id.title()}))
    assert receive(ws)["type"] == "iceServers"


def test_the_own_port_upgrades_any_path_and_shares_clients_with_the_http_path(start_switchboard):
    # The original is ws's Server({port: 8080}): any path on its own port. Clients there and at /ws meet.
    from conftest import free_port

    port = free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)
    server = start_switchboard(args=["--set", f"dialects.rawWebSocketPort={port}"])
    root = websocket.create_connection(f"ws://127.0.0.1:{port}/", timeout=10)
    deep = websocket.create_connection(f"ws://127.0.0.1:{port}/any/path?x=1", timeout=10)
    http = connect(server)
    join(root, "root")
    join(deep, "deep")
    join(http, "http")
    root.send(json.dumps({"type": "offer", "sdp": "v=0"}))
    assert receive(deep) == {"type": "offer", "sdp": "v=0", "id": "root", "nick": "Root"}
    assert receive(http) == {"type": "offer", "sdp": "v=0", "id": "root", "nick": "Root"}
    http.send(json.dumps({"type": "answer", "receiverId": "root", "sdp": "v=0"}))
    assert receive(root)["id"] == "http"
    for ws in (root, deep, http):
        ws.close()


def test_a_taken_raw_websocket_port_is_a_startup_error_naming_the_key(start_switchboard):
    from conftest import free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                BINARY, "serve",
                "--set", "http.host=127.0.0.1",
                "--set", f"http.port={free_port(socket.SOCK_STREAM, socket.SOCK_STREAM)}",
                "--set", "stun.addresses=127.0.0.1",
                "--set", f"stun.port={free_port()}",
                "--set", f"dialects.rawWebSocketPort={port}",
            ],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode != 0
    assert "dialects.rawWebSocketPort" in result.stderr and str(port) in result.stderr, result.stderr


def test_json_in_a_binary_frame_is_parsed(start_switchboard):
    # The original ran JSON.parse on the frame whatever its opcode.
    server = start_switchboard()
    alice, bob = connect(server), connect(server)
    alice.send_binary(json.dumps({"type": "join", "id": "alice", "nick": "Alice"}).encode())
    assert receive(alice)["type"] == "iceServers"
    join(bob, "bob")
    bob.send_binary(json.dumps({"type": "answer", "receiverId": "alice", "sdp": "v=0"}).encode())
    assert receive(alice) == {"type": "answer", "receiverId": "alice", "sdp": "v=0", "id": "bob", "nick": "Bob"}
    alice.close()
    bob.close()


def test_a_connection_dropped_without_a_close_frame_leaves_at_once(start_switchboard):
    # The TCP connection ends (FIN, no close frame) and nothing is written to it afterwards: the server notices
    # the end of the stream itself and tells the others.
    server = start_switchboard()
    alice, bob = connect(server), connect(server)
    join(alice, "alice")
    join(bob, "bob")
    bob.sock.shutdown(socket.SHUT_RDWR)
    bob.sock.close()
    assert receive(alice) == {"type": "leave", "payload": {"id": "bob", "nick": "Bob"}}
    alice.close()
