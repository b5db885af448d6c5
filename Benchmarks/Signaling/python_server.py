"""The python-socketio 5 server scripts/bench-signaling compares Switchboard with: the same application as
Switchboard's `signaling.testApp` for what the benchmark uses, `join` and `to-room`. Argument: the port."""

import sys

import socketio
from aiohttp import web

sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", ping_interval=25, ping_timeout=20)
app = web.Application()
sio.attach(app)


@sio.on("join")
async def join(sid, room):
    await sio.enter_room(sid, room)
    return room


@sio.on("to-room")
async def to_room(sid, room, event, *args):
    await sio.emit(event, data=tuple(args), room=room, skip_sid=sid)
    return 1


web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
