"""The start of every python-socketio 4.6.1 client program the interop tests run in .venv/sio4 (Engine.IO v3,
dialects B and D): imports, a recording client, and the failure and check helpers. A program is this text followed
by the test's own code; it exits non-zero, with the failing step, on any difference."""

PRELUDE = r'''
import os
import queue
import sys
import time

import requests
import socketio

assert socketio.__version__.startswith("4."), socketio.__version__
requests.packages.urllib3.disable_warnings()


def client(events_to_record):
    """A client that records the named events; `wait_for(name)` and `quiet()` read them. Each client has its own
    requests session (cookies, keep-alive connections), as separate browsers, and accepts the tests' certificate."""
    events = queue.Queue()
    session = requests.Session()
    session.verify = False
    sio = socketio.Client(reconnection=False, http_session=session, ssl_verify=False)
    for name in events_to_record:
        sio.on(name, (lambda name: lambda *args: events.put((name, list(args))))(name))

    def wait(name, timeout=10, skip=("iceServers", "message")):
        while True:
            try:
                got, args = events.get(timeout=timeout)
            except queue.Empty:
                fail(f"no {name} within {timeout} s")
            if got == name:
                return args
            if got not in skip:
                fail(f"expected {name}, got {got} {args!r}")

    def quiet(seconds=0.5):
        time.sleep(seconds)
        left = []
        while not events.empty():
            got, args = events.get()
            if got not in ("iceServers", "message"):
                left.append((got, args))
        return left

    sio.wait_for = wait
    sio.quiet = quiet
    return sio


def fail(message):
    # os._exit: the clients' threads would keep a sys.exit waiting until the harness times out.
    print(message, file=sys.stderr, flush=True)
    os._exit(1)


def check(step, actual, expected):
    if actual != expected:
        fail(f"{step}: expected {expected!r}, got {actual!r}")
    print(f"ok {step}", flush=True)
'''
