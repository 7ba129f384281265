"""Uploaded PDF and DOCX files are parsed in a child process, with a ceiling on memory and time,
and only a few at a time on one host.

Why a child: a DOCX or PDF can unpack to gigabytes, or hold 30,000 pages; parsed in the web
worker it takes the worker (and its neighbours) down with it. The child caps its own address space
(RLIMIT_AS) and CPU time; the parent waits for its answer at most `timeout` seconds, then kills it.

Why forkserver: forking the web worker itself would copy a large address space into a child that
must then fit under the memory cap, and a fresh interpreter costs ~0.25 s to import the parsers.
The forkserver is a small process started (once per worker, on its first parse) with only the
parsers imported; each parse is a fresh fork of it (~10-20 ms), so nothing one upload did to
memory survives into the next.

Why slots: each parse holds a web worker for up to `timeout` seconds. Slots are lock files under
one folder (flock: the kernel drops a dead process's lock), shared by every worker on the host;
a request that finds them all taken waits a moment, then gets ParsingBusy (the API answers 503
with Retry-After), so the other workers stay free for everything else, health checks included.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path

from matching.parsers import ParseLimits, TextExtractionError

logger = logging.getLogger(__name__)

# How long parse() waits for a free slot. Short on purpose: a sync worker waiting here serves
# nobody else, and each request queued behind it (a health check too) waits as long again: with
# 20 uploads queued on the one free worker, 0.25 s each kept /health/live/ waiting 5 s. The
# view's check before it reads the body does not wait at all (check_free_slot).
SLOT_WAIT_SECONDS = 0.1
_SLOT_POLL_SECONDS = 0.02
_CONTEXT = multiprocessing.get_context("forkserver")
# "__main__" (gunicorn's script, manage.py, pytest) is imported once in the server: otherwise
# multiprocessing re-runs the main script in every child before calling the target.
_CONTEXT.set_forkserver_preload(["__main__", "matching.parsers", "pypdf", "docx", "lxml.etree"])


class ParsingBusy(Exception):
    """Every parse slot on this host is taken; the client should try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"all resume parse slots are busy; retry in {retry_after} s")
        self.retry_after = retry_after


def retry_after_seconds(timeout: float) -> int:
    """A slot frees within one parse's timeout at the latest."""
    return max(1, round(timeout))


@dataclasses.dataclass(frozen=True, slots=True)
class Parsed:
    text: str
    seconds: float
    peak_rss_kb: int  # the child's peak resident memory (0 when it did not live to say)


def parse(*, kind: str, data: bytes, limits: ParseLimits, timeout: float, slots: int, slot_dir: Path) -> Parsed:
    """The text of a PDF or DOCX, parsed in a child within `limits` and `timeout` seconds.

    Raises TextExtractionError for a file that cannot be read within them, ParsingBusy when no
    slot frees within SLOT_WAIT_SECONDS.
    """
    with _slot(folder=slot_dir, slots=slots, retry_after=retry_after_seconds(timeout), wait=SLOT_WAIT_SECONDS):
        return _run_child(kind=kind, data=data, limits=limits, timeout=timeout)


def check_free_slot(*, slots: int, slot_dir: Path, retry_after: int) -> None:
    """ParsingBusy unless a slot is free now (it is not taken: parse() takes one, and may wait a moment).

    For the view, before it reads a multipart body: a refusal then costs the body's transfer
    (~0.1 s for 5 MB), not a parse of it, nor a wait.
    """
    with _slot(folder=slot_dir, slots=slots, retry_after=retry_after, wait=0):
        pass


@contextlib.contextmanager
def _slot(*, folder: Path, slots: int, retry_after: int, wait: float) -> Iterator[int]:
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for number in range(slots):
            fd = os.open(folder / f"slot-{number}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                # Per open file: another thread of this process that holds the slot blocks us too.
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield number
            finally:
                os.close(fd)  # releases the lock
            return
        if time.monotonic() >= deadline:
            raise ParsingBusy(retry_after)
        time.sleep(_SLOT_POLL_SECONDS)


def _run_child(*, kind: str, data: bytes, limits: ParseLimits, timeout: float) -> Parsed:
    from matching.parsers import parse_in_child

    receive, send = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=parse_in_child, args=(send, kind, data, limits), daemon=True)
    started = time.monotonic()
    process.start()
    send.close()  # ours: so a child that dies leaves the pipe at EOF instead of open forever
    try:
        if not receive.poll(timeout):
            raise TextExtractionError(
                "too_complex", f"The file took longer than {timeout:g} s to read; that is not a resume."
            )
        try:
            reply = receive.recv()
        except EOFError:  # killed by its memory or CPU limit before it could answer
            raise TextExtractionError(
                "too_complex", "The file is too complex to read within the server's limits."
            ) from None
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        process.close()
    seconds = time.monotonic() - started
    outcome, *rest, peak_kb = reply
    # The child's peak memory, per file, is what an operator sizes MATCH_PARSE_MEMORY_MB by.
    logger.info(
        "%s parsed in %.2f s, child peak %d MB: %s",
        kind,
        seconds,
        peak_kb // 1024,
        "ok" if outcome == "ok" else rest[0],
    )
    if outcome == "ok":
        return Parsed(text=rest[0], seconds=seconds, peak_rss_kb=peak_kb)
    raise TextExtractionError(rest[0], rest[1])
