"""``nablab serve``: the interactive page and the HTTP API on one local server (uvicorn)."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import socket
import sys

from nablab.errors import NablabError
from nablab.interfaces.cli._common import report_error


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="start the interactive gradient page and the HTTP API",
        description="Start the web server: the page at /, the JSON API under /api/, its docs at "
        "/docs. Symbolic work runs in worker processes with a time and memory limit.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any free port)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes for the symbolic work (default: number of CPUs, ≥ 2)")
    p.add_argument("--time-limit", type=float, default=10.0, metavar="SECONDS",
                   help="per-request time limit; longer work is stopped (default 10)")
    p.add_argument("--memory-limit", type=int, default=1024, metavar="MB",
                   help="memory budget per worker process in MiB (default 1024)")
    p.add_argument("--queue", type=int, default=64, metavar="N",
                   help="requests that may wait for a worker before 503 (default 64)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Everything below is imported here, not at the top: the server is the optional `web`
    # extra (fastapi, uvicorn, pydantic), and registering the subcommand must not load it
    # (start-up time of every other command, and they work without the extra). require()
    # comes first so that a missing extra is a message naming nablab[web], never a
    # ModuleNotFoundError from the imports after it.
    from nablab.extras import require

    require("web")
    import uvicorn

    from nablab.interfaces.web.app import AssetsMissing, create_app, settings_from_env

    workers = args.workers or max(2, os.cpu_count() or 2)
    if workers < 1 or args.time_limit <= 0 or args.queue < 0 or args.memory_limit <= 0:
        return report_error(NablabError("--workers, --time-limit, --memory-limit must be "
                                        "positive and --queue not negative"), False)
    _few_malloc_arenas()
    try:
        app = create_app(settings_from_env(workers=workers, time_limit=args.time_limit,
                                           memory_mb=args.memory_limit, queue_limit=args.queue))
    except AssetsMissing as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, Nagle + delayed ACK add ~40 ms to every
    # response after the first on a kept-alive connection (headers and body are two writes).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sys.stderr.write(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}\n"
                         "hint: choose another --port\n")
        return 2
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    sys.stdout.write(f"nablab is serving at http://{shown}:{port}/  "
                     f"(API docs: http://{shown}:{port}/docs; Ctrl+C stops)\n")
    sys.stdout.flush()
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=3)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn has shut down cleanly
        uvicorn.Server(config).run(sockets=[sock])
    return 0


#: glibc's mallopt parameter number for the most malloc arenas (M_ARENA_MAX in malloc.h)
_M_ARENA_MAX = -8


def _few_malloc_arenas() -> None:
    """The server answers from a pool of threads, one per request waiting on a worker; glibc
    gives threads malloc arenas of their own (up to 8 per CPU), whose freed memory it seldom
    returns, so the server's RSS crept up over minutes of traffic (bench/bench_soak.py). Two
    arenas are plenty for threads that mostly wait on pipes. Nothing happens without glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(_M_ARENA_MAX, 2)
