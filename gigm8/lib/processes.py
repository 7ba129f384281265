"""Which process this is, and whether another process is still alive: runs record their owner
with it so a killed owner is known dead at once, not when its heartbeat goes stale.

A pid alone is not an identity: pids are reused, and each container numbers its processes
anew (pid 7 here is not pid 7 in the worker container, whatever the hostnames say). So an
owner is recorded as a token "<boot id>:<pid namespace>/<start time>": the kernel boot and the pid
namespace say which process table the pid belongs to, the start time (clock ticks since boot,
from /proc/<pid>/stat) tells the owner from a later process given the same pid. Another process
can only answer for owners in its own process table; elsewhere (another host or container, or a
system without /proc) it answers None and the caller relies on the heartbeat lease.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import socket
from pathlib import Path

PROC = Path("/proc")


@dataclasses.dataclass(frozen=True, slots=True)
class ProcessIdentity:
    host: str
    pid: int
    token: str  # "" where this system cannot tell processes apart (no /proc)


@functools.cache
def _process_table() -> str:
    """This process table's name: kernel boot id and pid namespace ("" without /proc)."""
    try:
        boot = (PROC / "sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat(PROC / "self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot}:{namespace}"


def _start_ticks(pid: int) -> str | None:
    """The process's start time in clock ticks since boot; None if no live process has this pid."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):
        return None  # killed and not yet reaped by its parent: dead all the same
    return fields[19]  # field 22 of proc(5): starttime


def current_process() -> ProcessIdentity:
    pid = os.getpid()
    table = _process_table()
    start = _start_ticks(pid) if table else None
    return ProcessIdentity(host=socket.gethostname(), pid=pid, token=f"{table}/{start}" if start else "")


def process_alive(*, pid: int, token: str) -> bool | None:
    """Whether the process recorded as (pid, token) still runs; None when this process cannot tell."""
    table, _, start = token.rpartition("/")
    if not token or not table or table != _process_table():
        return None  # another host or container: only the owner's heartbeat can say
    return _start_ticks(pid) == start
