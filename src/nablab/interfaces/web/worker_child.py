"""The worker process side of the pool: its request loop and the Linux helpers around it.

Runs in a process forked from the pool's forkserver (see ``pool.py``): it sets its memory limit,
imports the tasks module, freezes start-up objects out of the garbage collector, warms up, says
``"ready"`` and then answers ``(task, payload)`` messages with ``(status, body bytes)`` until the
pipe closes. The parent side (timing, killing, replacing) is in ``pool.py``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import logging
import os
import resource
import signal
import traceback
from multiprocessing.connection import Connection

from nablab.interfaces.web.errors import error_bytes

log = logging.getLogger("nablab.web.worker")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def worker_main(conn: Connection, memory_bytes: int | None, tasks_module: str) -> None:
    """Loop of a worker process: receive (task, payload), send back (status, body bytes)."""
    die_with_parent()
    # SIGTERM/SIGINT go to the server's whole process group (Ctrl+C, a service manager): the
    # server finishes its in-flight requests, so its workers must keep answering until the
    # server closes their pipes (they die with it anyway: die_with_parent).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if memory_bytes:
        with contextlib.suppress(ValueError, OSError):
            # The budget is on top of what the process already maps after start-up.
            limit = vm_size() + memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    tasks = importlib.import_module(tasks_module)
    # SymPy, NumPy and nablab leave ~130 000 long-lived objects; a full collection scanning them
    # takes ~75 ms, landing on some unlucky request. Frozen, they are never scanned again.
    gc.freeze()
    # A forked worker shares the forkserver's memory copy-on-write: the first request would pay
    # for copying every page it touches (~1500 page faults, 15-50 ms on a virtual machine).
    # Touch them now, before the worker counts as ready.
    warm = getattr(tasks, "warm", None)
    if callable(warm):
        warm()
    try:
        conn.send("ready")
    except (OSError, ValueError):
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        task, payload = message
        try:
            status, body = tasks.run(task, payload)
        except MemoryError:
            status, body = 422, error_bytes(
                "the computation ran out of memory and was stopped",
                hint="try a smaller or simpler function",
            )
        except Exception as exc:  # a bug: answer 500, log the traceback, keep the worker
            log.error("internal error in task %r:\n%s", task, traceback.format_exc())
            status, body = 500, error_bytes(f"internal error in nablab: {type(exc).__name__}: "
                                            f"{exc}")
        try:
            conn.send((status, body))
        except (OSError, ValueError):
            return


def die_with_parent() -> None:
    """Linux: SIGKILL this worker when its parent (the forkserver, which exits with the server)
    dies, so that no runaway computation outlives the server."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def vm_size() -> int:
    """Virtual memory size of this process in bytes (Linux /proc; 0 if unknown)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) a process has used, from /proc (0 if unknown)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return 0.0
