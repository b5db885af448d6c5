"""Dialect C (the raw-WebSocket blog server, docs/dialects.md#rawws) with a plain WebSocket client
(websocket-client), one JSON object per text frame."""

import json

import websocket


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
