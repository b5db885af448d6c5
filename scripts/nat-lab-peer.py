#!/usr/bin/env python3
"""One ICE peer of scripts/nat-lab, run inside a client namespace: aioice with Switchboard as STUN (and TURN).

It writes its ICE credentials and candidates to OUT, reads the other peer's from IN (both JSON, written whole
with a rename), connects, sends one datagram each way, and prints the nominated pair's candidate types as JSON.
Exit status 1 when ICE fails.
"""

import argparse
import asyncio
import json
import os
import sys
import time

from aioice import Candidate, Connection


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", choices=["controlling", "controlled"], required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--in", dest="inp", required=True)
    parser.add_argument("--stun", required=True, help="HOST:PORT")
    parser.add_argument("--turn-user", help="user:password; no TURN without it")
    parser.add_argument("--timeout", type=float, default=40)
    args = parser.parse_args()
    host, port = args.stun.rsplit(":", 1)
    options = {"stun_server": (host, int(port))}
    if args.turn_user:
        user, password = args.turn_user.split(":", 1)
        options.update(turn_server=(host, int(port)), turn_username=user, turn_password=password)
    connection = Connection(ice_controlling=args.role == "controlling", **options)
    await connection.gather_candidates()
    mine = {
        "ufrag": connection.local_username,
        "pwd": connection.local_password,
        "candidates": [c.to_sdp() for c in connection.local_candidates],
    }
    with open(args.out + ".tmp", "w") as f:
        json.dump(mine, f)
    os.rename(args.out + ".tmp", args.out)

    deadline = time.monotonic() + args.timeout
    while not os.path.exists(args.inp):
        if time.monotonic() > deadline:
            raise SystemExit("the other peer never wrote its candidates")
        await asyncio.sleep(0.1)
    with open(args.inp) as f:
        theirs = json.load(f)
    connection.remote_username = theirs["ufrag"]
    connection.remote_password = theirs["pwd"]
    for sdp in theirs["candidates"]:
        await connection.add_remote_candidate(Candidate.from_sdp(sdp))
    await connection.add_remote_candidate(None)

    result = {"role": args.role, "gathered": sorted({c.type for c in connection.local_candidates})}
    try:
        await asyncio.wait_for(connection.connect(), args.timeout)
        pair = connection._nominated[1]  # aioice keeps the nominated pair per component here
        await connection.send(f"hello from {args.role}".encode())
        data = await asyncio.wait_for(connection.recv(), 10)
        result.update(
            connected=True,
            local=pair.local_candidate.type,
            remote=pair.remote_candidate.type,
            received=data.decode(),
        )
    except (ConnectionError, asyncio.TimeoutError) as error:
        result.update(connected=False, error=str(error) or type(error).__name__)
    finally:
        await asyncio.sleep(0.5)  # lets the last datagram reach the other peer before the close
        await connection.close()
    print(json.dumps(result))
    return 0 if result["connected"] else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
