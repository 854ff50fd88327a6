"""A bare python-socketio server to compare kt-workshop's real-time path with.

The same stack as `kt-workshop serve` (python-socketio in threading mode, simple-websocket,
Werkzeug's threaded server, async_handlers=False), without the app: no database, no access
check, no rate limit. Every connection joins one room; `note_op` is broadcast to that room
(the sender included) as `change` with a sequence number, and acknowledged, in the same
order kt-workshop does it (broadcast first, then the acknowledgement).

    .venv/bin/python bench/echo_server.py --port 5055 [--nodelay]

--nodelay sets TCP_NODELAY on every accepted connection (kt-workshop does not), to show
what Nagle's algorithm costs the acknowledgement that follows a broadcast.
"""

import argparse
import itertools
import logging
import socket
import sys
import threading

import socketio
from werkzeug.serving import WSGIRequestHandler, run_simple

ROOM = "all"


def build_server() -> socketio.Server:
    """The echo server: join the room on connect, broadcast and acknowledge note_op."""
    server = socketio.Server(
        async_mode="threading", async_handlers=False, max_http_buffer_size=1024 * 1024
    )
    counter = itertools.count(1)
    lock = threading.Lock()

    @server.event
    def connect(sid, environ, auth=None):
        server.enter_room(sid, ROOM)
        server.emit("welcome", {"seq": 0}, to=sid)

    @server.on("note_op")
    def note_op(sid, data):
        with lock:
            seq = next(counter)
        server.emit("change", {"seq": seq, "kind": "note", "payload": data}, to=ROOM)
        uid = data.get("uid") if isinstance(data, dict) else None
        return {"ok": True, "seq": seq, "uid": uid, "duplicate": False}

    @server.on("catch_up")
    def catch_up(sid, data):
        return {"ok": True, "changes": [], "more": False, "latest": 0}

    return server


def set_nodelay() -> None:
    """Send small writes at once on every accepted connection."""
    setup = WSGIRequestHandler.setup

    def setup_nodelay(self):
        setup(self)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    WSGIRequestHandler.setup = setup_nodelay


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--nodelay", action="store_true", help="set TCP_NODELAY")
    args = parser.parse_args(argv)
    if args.nodelay:
        set_nodelay()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = socketio.WSGIApp(build_server())
    print(f"echo server on http://{args.host}:{args.port}", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
