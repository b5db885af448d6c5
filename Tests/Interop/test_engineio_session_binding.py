"""An Engine.IO session answers only the address that opened it. Its id is no secret in every dialect (an Engine.IO
v3 socket is named by it, and dialect B hands socket ids to the members of a room), so a request with someone
else's sid from another address is answered as an unknown session (400, code 1) and the owner loses nothing."""

import http.client
import json

import pytest


def request(server, method, path, source, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "text/plain;charset=UTF-8"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def open_session(server, eio):
    status, body = request(server, "GET", f"/socket.io/?EIO={eio}&transport=polling&b64=1", "127.0.0.1")
    assert status == 200, body
    text = body.decode()
    handshake, _ = json.JSONDecoder().raw_decode(text, text.index("{"))
    return handshake["sid"]


@pytest.mark.parametrize("eio", [3, 4])
def test_another_address_cannot_poll_or_post_as_a_session(switchboard, eio):
    sid = open_session(switchboard, eio)
    path = f"/socket.io/?EIO={eio}&transport=polling&b64=1&sid={sid}"
    # A Socket.IO CONNECT to the default namespace, as the owner would send it.
    connect = "2:40" if eio == 3 else "40"
    for method, body in (("GET", None), ("POST", connect)):
        status, answer = request(switchboard, method, path, "127.0.0.2", body)
        assert status == 400, answer
        assert json.loads(answer) == {"code": 1, "message": "Session ID unknown"}
    # The owner's session is untouched: its CONNECT is accepted and answered.
    status, answer = request(switchboard, "POST", path, "127.0.0.1", connect)
    assert (status, answer) == (200, b"ok")
    status, answer = request(switchboard, "GET", path, "127.0.0.1")
    assert status == 200 and b"40" in answer, answer
