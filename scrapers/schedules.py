"""Default beat schedules of the spiders, added to ingestion.services.schedules.default_schedules().

The daily refresh already crawls every spider with companies; these runs keep the ATS boards
fresher in between. Staff edit or disable them in the admin (Periodic tasks).
"""

from __future__ import annotations

from typing import Any

# spider: (minute, hour, expire_seconds) — expiry shorter than the interval, so a tick that
# waited too long in the queue is dropped rather than run late on top of the next one.
SPIDER_SCHEDULES: dict[str, tuple[str, str, int]] = {
    "greenhouse": ("10", "*/6", 5 * 3600),
    "lever": ("20", "*/6", 5 * 3600),
    "ashby": ("40", "*/6", 5 * 3600),
    "careers": ("0", "12", 20 * 3600),
    # Microsoft is paced to one request in MICROSOFT_CAREERS_REQUEST_INTERVAL s: a long daily run.
    "microsoft": ("0", "15", 20 * 3600),
}


def spider_schedules() -> list[dict[str, Any]]:
    """Each spider's default schedule as DefaultSchedule fields (task, crontab, its kwargs)."""
    return [
        {
            "name": f"Crawl {spider}",
            "task": "scrapers.tasks.crawl_spider",
            "minute": minute,
            "hour": hour,
            "expire_seconds": expire,
            "description": f"Crawl every enabled {spider} board of the companies (skipped while one runs).",
            "kwargs": {"spider": spider},
        }
        for spider, (minute, hour, expire) in SPIDER_SCHEDULES.items()
    ]
