"""The sources jobs come from: one table, and every list of them derived from it.

Adding a source is one row here, a client (ingestion/clients/ and ingestion/services/) or a spider (scrapers/spiders/,
its `name` the row's name), and their tests. The crawl service (which spiders exist, which
companies each crawls), the admin's crawl buttons, the default beat schedules, the board-level
expiry and the Scrapy settings (where each spider reads from) all read this table.

Company.ats_kind's choices stay in jobs (AtsKind): jobs imports no other app. A spider's row
names its AtsKind member; a test checks that every kind but "none" has exactly one spider.
"""

from __future__ import annotations

import dataclasses

from ingestion.choices import SyncKind
from jobs.choices import AtsKind


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule:
    """A default beat schedule (a crontab in UTC); staff edit it in the admin afterwards."""

    minute: str
    hour: str
    # Shorter than the interval: a tick that waited too long in the queue is dropped rather
    # than run late on top of the next one.
    expire_seconds: int


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    name: str  # the SyncLog's and Job's source, and the spider's name
    label: str
    # SyncKind.SOURCE (an API client in ingestion), SyncKind.SPIDER (a Scrapy spider) or
    # SyncKind.IMPORT (a file: the demo data, loaded by `manage.py load_demo`, never by a refresh)
    kind: str
    base_url_setting: str  # the Django setting of the address it reads from (tests point it at a local server)
    ats_kind: str = ""  # a spider's: the Company.ats_kind whose boards it crawls
    # Its own beat schedule, besides the daily refresh (a spider's crawl, an API source's fetch).
    schedule: Schedule | None = None
    # A complete read of a board (or feed) expires that board's jobs the read did not list;
    # without it, they expire only when unseen for JOB_EXPIRY_DAYS.
    board_expiry: bool = True
    api_task: str = ""  # an API source's Celery task (every spider runs in CRAWL_TASK)
    # An API source whose postings carry a structured remote field of their own (every spider's
    # boards do: an ATS's workplace type, JSON-LD jobLocationType): see `remote_is_explicit`.
    api_remote_field: bool = False
    # Its `location` is text to show, not a place to read (build_job_data's split_place=False):
    # Remotive's applicant regions ("USA, Canada"), USAJobs' "Multiple Locations".
    location_is_display: bool = False
    # The demo postings shipped with gigm8 (ingestion/data/demo/<name>.jsonl): loaded and removed
    # as a whole by `manage.py load_demo [--remove]`; no task, no schedule, no refresh step.
    demo: bool = False

    @property
    def is_spider(self) -> bool:
        return self.kind == SyncKind.SPIDER

    @property
    def remote_is_explicit(self) -> bool:
        """Its stored `remote` came from the source's own field, so a re-derivation keeps it as
        evidence (ingestion.normalize.rederive); Adzuna's and imports' were read from the text."""
        return self.is_spider or self.api_remote_field

    @property
    def task(self) -> str:
        """The Celery task that runs this source (a spider's takes its name as `spider`)."""
        return CRAWL_TASK if self.is_spider else self.api_task


CRAWL_TASK = "ingestion.tasks.crawl_spider"


_ROWS = (
    Source(
        name="adzuna",
        label="Adzuna",
        kind=SyncKind.SOURCE,
        base_url_setting="ADZUNA_BASE_URL",
        api_task="ingestion.tasks.fetch_adzuna",
    ),
    Source(
        name="remotive",
        label="Remotive",
        kind=SyncKind.SOURCE,
        base_url_setting="REMOTIVE_BASE_URL",
        api_task="ingestion.tasks.fetch_remotive",
        api_remote_field=True,  # every posting is remote
        location_is_display=True,
        # Its terms: at most about four reads a day. A run within REMOTIVE_MIN_INTERVAL_HOURS of the
        # last successful one (the daily refresh's too) is skipped.
        schedule=Schedule(minute="25", hour="*/6", expire_seconds=5 * 3600),
    ),
    Source(
        name="usajobs",
        label="USAJobs",
        kind=SyncKind.SOURCE,
        base_url_setting="USAJOBS_BASE_URL",
        api_task="ingestion.tasks.fetch_usajobs",
        api_remote_field=True,  # RemoteIndicator, TeleworkEligible
        location_is_display=True,
        # Announcements change daily.
        schedule=Schedule(minute="35", hour="5", expire_seconds=20 * 3600),
    ),
    Source(
        name="greenhouse",
        label="Greenhouse",
        kind=SyncKind.SPIDER,
        base_url_setting="GREENHOUSE_BASE_URL",
        ats_kind=AtsKind.GREENHOUSE,
        schedule=Schedule(minute="10", hour="*/6", expire_seconds=5 * 3600),
    ),
    Source(
        name="lever",
        label="Lever",
        kind=SyncKind.SPIDER,
        base_url_setting="LEVER_BASE_URL",
        ats_kind=AtsKind.LEVER,
        schedule=Schedule(minute="20", hour="*/6", expire_seconds=5 * 3600),
    ),
    Source(
        name="ashby",
        label="Ashby",
        kind=SyncKind.SPIDER,
        base_url_setting="ASHBY_BASE_URL",
        ats_kind=AtsKind.ASHBY,
        schedule=Schedule(minute="40", hour="*/6", expire_seconds=5 * 3600),
    ),
    Source(
        name="workday",
        label="Workday",
        kind=SyncKind.SPIDER,
        base_url_setting="WORKDAY_BASE_URL",  # "https://{host}": each board's own host
        ats_kind=AtsKind.WORKDAY,
        # One request per posting besides the listing's pages: daily, not every six hours.
        schedule=Schedule(minute="30", hour="3", expire_seconds=20 * 3600),
    ),
    Source(
        name="smartrecruiters",
        label="SmartRecruiters",
        kind=SyncKind.SPIDER,
        base_url_setting="SMARTRECRUITERS_BASE_URL",
        ats_kind=AtsKind.SMARTRECRUITERS,
        # A detail request per posting, as Workday: daily.
        schedule=Schedule(minute="50", hour="4", expire_seconds=20 * 3600),
    ),
    Source(
        name="workable",
        label="Workable",
        kind=SyncKind.SPIDER,
        base_url_setting="WORKABLE_BASE_URL",
        ats_kind=AtsKind.WORKABLE,
        schedule=Schedule(minute="0", hour="1-23/6", expire_seconds=5 * 3600),
    ),
    Source(
        name="recruitee",
        label="Recruitee",
        kind=SyncKind.SPIDER,
        base_url_setting="RECRUITEE_BASE_URL",  # "https://{company}.recruitee.com": each board's own host
        ats_kind=AtsKind.RECRUITEE,
        schedule=Schedule(minute="30", hour="1-23/6", expire_seconds=5 * 3600),
    ),
    Source(
        name="microsoft",
        label="Microsoft Careers",
        kind=SyncKind.SPIDER,
        base_url_setting="MICROSOFT_CAREERS_BASE_URL",
        ats_kind=AtsKind.MICROSOFT,
        # Paced to one request in MICROSOFT_CAREERS_REQUEST_INTERVAL s: a long daily run.
        schedule=Schedule(minute="0", hour="15", expire_seconds=20 * 3600),
    ),
    Source(
        name="careers",
        label="Careers pages",
        kind=SyncKind.SPIDER,
        base_url_setting="",  # none: each company's own careers URL
        ats_kind=AtsKind.CAREERS,
        schedule=Schedule(minute="0", hour="12", expire_seconds=20 * 3600),
    ),
    Source(name="demo", label="Demo data", kind=SyncKind.IMPORT, base_url_setting="", board_expiry=False, demo=True),
    # A few of the same fictional postings as a second board lists them: de-duplication at work.
    Source(
        name="demo-mirror",
        label="Demo data (a second board)",
        kind=SyncKind.IMPORT,
        base_url_setting="",
        board_expiry=False,
        demo=True,
    ),
)

SOURCES: dict[str, Source] = {row.name: row for row in _ROWS}
SPIDERS: tuple[str, ...] = tuple(name for name, row in SOURCES.items() if row.is_spider)
DEMO_SOURCES: tuple[str, ...] = tuple(name for name, row in SOURCES.items() if row.demo)


def spider_for_ats_kind(ats_kind: str) -> str | None:
    """The spider that crawls companies of this ATS kind (None for "none" or an unknown kind)."""
    return next((row.name for row in _ROWS if row.is_spider and row.ats_kind == ats_kind), None)
