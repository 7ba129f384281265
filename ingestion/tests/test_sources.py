"""The table of sources: every list of sources and spiders follows it."""

import dataclasses
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from ingestion import sources
from ingestion.choices import SyncKind
from ingestion.services.expiry import board_expire_unseen
from ingestion.services.schedules import default_schedules
from ingestion.sources import SOURCES, SPIDERS, spider_for_ats_kind
from ingestion.tests.factories import SyncLogFactory
from jobs.choices import AtsKind, JobStatus
from jobs.tests.factories import JobFactory


def test_every_ats_kind_has_exactly_one_spider_and_back():
    kinds = [row.ats_kind for row in SOURCES.values() if row.is_spider]
    assert sorted(kinds) == sorted(kind for kind in AtsKind.values if kind != AtsKind.NONE)
    for spider in SPIDERS:
        assert spider_for_ats_kind(SOURCES[spider].ats_kind) == spider
    assert spider_for_ats_kind(AtsKind.NONE) is None


def test_every_spider_row_names_a_scrapy_spider_and_every_scrapy_spider_has_a_row():
    loader = SpiderLoader.from_settings(get_project_settings())
    assert sorted(loader.list()) == sorted(SPIDERS)


def test_each_base_url_setting_exists_and_reaches_the_scrapy_settings():
    scrapy_settings = get_project_settings()
    for row in SOURCES.values():
        if row.base_url_setting:
            assert getattr(settings, row.base_url_setting).startswith("http"), row.name
            if row.is_spider:
                assert scrapy_settings.get(row.base_url_setting) == getattr(settings, row.base_url_setting)


def test_each_scheduled_source_gets_one_default_schedule():
    crawls = {s.kwargs["spider"]: s for s in default_schedules() if s.task.endswith(".crawl_spider")}
    assert sorted(crawls) == sorted(name for name in SPIDERS if SOURCES[name].schedule is not None)
    for name, schedule in crawls.items():
        row = SOURCES[name].schedule
        assert (schedule.minute, schedule.hour, schedule.expire_seconds) == (row.minute, row.hour, row.expire_seconds)


def test_each_scheduled_api_source_gets_its_fetch_schedule_from_its_row():
    fetches = {s.source: s for s in default_schedules() if s.name.startswith("Fetch ")}
    expected = [n for n, row in SOURCES.items() if row.kind == SyncKind.SOURCE and row.schedule is not None]
    assert sorted(fetches) == sorted(expected) and {"remotive", "usajobs"} <= set(fetches)
    for name, schedule in fetches.items():
        row = SOURCES[name]
        assert (schedule.task, schedule.kwargs) == (row.api_task, {})
        assert (schedule.minute, schedule.hour, schedule.expire_seconds) == (
            row.schedule.minute,
            row.schedule.hour,
            row.schedule.expire_seconds,
        )


def test_remotive_is_read_at_most_every_six_hours_by_its_schedule():
    schedule = SOURCES["remotive"].schedule
    assert schedule.hour == "*/6" and schedule.minute.isdigit() and schedule.expire_seconds < 6 * 3600


def test_rows_are_consistent():
    for name, row in SOURCES.items():
        assert row.kind in (SyncKind.SOURCE, SyncKind.SPIDER, SyncKind.IMPORT) and row.name == name and row.label
        assert bool(row.ats_kind) == row.is_spider, name
        # A file shipped with gigm8 (the demo data) is loaded by a command only: no task, no schedule.
        assert (row.kind == SyncKind.IMPORT) == row.demo == (not row.task and not row.is_spider), name
        assert not row.demo or row.schedule is None, name


@pytest.mark.django_db
def test_a_source_without_board_expiry_expires_nothing_after_a_complete_board(monkeypatch):
    started = timezone.now()
    unseen = JobFactory(source="lever", board="acme", last_seen_at=started - timedelta(days=1))
    log = SyncLogFactory(kind=SyncKind.SPIDER, source="lever")
    monkeypatch.setitem(sources.SOURCES, "lever", dataclasses.replace(SOURCES["lever"], board_expiry=False))
    assert board_expire_unseen(sync_log=log, source="lever", board="acme", seen_since=started) == 0
    unseen.refresh_from_db()
    assert unseen.status == JobStatus.ACTIVE
    monkeypatch.undo()
    assert board_expire_unseen(sync_log=log, source="lever", board="acme", seen_since=started) == 1
