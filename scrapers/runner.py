"""Run one spider in this process, which owns the Twisted reactor: `python -m scrapers.runner SPIDER …`.

ingestion.services.crawl starts this as a child process (a reactor cannot be restarted, so a
Celery worker or a test process never runs one itself). The parent passes the SyncLog it
opened and the name of the database it uses, so the child writes where the parent reads.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise SystemExit(f"{flag} expects KEY=VALUE, got {value!r}")
        pairs[key] = rest
    return pairs


def _die_with_parent(parent_pid: int) -> None:
    """Exit when the process that started this crawl dies: it owns the run (ingestion.services.crawl).

    Linux sends SIGKILL at once (PR_SET_PDEATHSIG); elsewhere a thread watches for the parent to
    change. SIGKILL rather than a graceful stop: the run is already known dead, and a crawl
    still shutting down would write into it beside the next run.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    else:

        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(1)
            os.kill(os.getpid(), signal.SIGKILL)

        threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:
        # The parent died before the signal was armed.
        os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrapers.runner", description=__doc__)
    parser.add_argument("spider")
    parser.add_argument("--sync-log-id", type=int, default=0, help="the SyncLog the parent opened for this run")
    parser.add_argument("--database-name", default="", help="the parent's database (a test database under pytest)")
    parser.add_argument("--parent-pid", type=int, default=0, help="exit when this process (the run's owner) dies")
    parser.add_argument("-a", dest="args", action="append", default=[], help="spider argument KEY=VALUE")
    parser.add_argument("-s", dest="settings", action="append", default=[], help="Scrapy setting KEY=VALUE")
    options = parser.parse_args(argv)
    if options.parent_pid:
        _die_with_parent(options.parent_pid)
    spider_args = _pairs(options.args, "-a")
    overrides = _pairs(options.settings, "-s")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")
    os.environ["SCRAPY_SETTINGS_MODULE"] = "scrapers.settings"
    from django.conf import settings as django_settings

    if options.database_name:
        # Before any connection exists: every connection of this process then uses it.
        django_settings.DATABASES["default"]["NAME"] = options.database_name

    import django

    django.setup()

    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    scrapy_settings = get_project_settings()
    for key, value in overrides.items():
        scrapy_settings.set(key, value, priority="cmdline")
    if options.sync_log_id:
        scrapy_settings.set("CRAWL_SYNC_LOG_ID", options.sync_log_id, priority="cmdline")

    failures: list[str] = []
    process = CrawlerProcess(scrapy_settings)
    # Django's LOGGING handles the root logger (LOG_INSTALL_ROOT_HANDLER is off). Scrapy has just
    # set its own loggers to DEBUG, which would format every scraped item: apply LOG_LEVEL.
    level = scrapy_settings.get("LOG_LEVEL", "INFO")
    for name in ("scrapy", "scrapy_playwright", "scrapers", "twisted", "asyncio", "py.warnings"):
        logging.getLogger(name).setLevel(level)
    deferred = process.crawl(options.spider, **spider_args)

    def failed(failure):
        failures.append(failure.getErrorMessage())
        sys.stderr.write(f"crawl failed: {failure.getErrorMessage()}\n")

    deferred.addErrback(failed)
    from gigm8.logs import bound

    # Every line of the crawl carries its run's id, like the rest of ingestion.
    with bound(sync_log_id=options.sync_log_id or None, source=options.spider):
        process.start()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
