import pytest

from ingestion.tests.fake_adzuna import APP_ID, APP_KEY, FakeAdzuna
from ingestion.tests.fake_feeds import (
    REMOTIVE_PATH,
    USAJOBS_EMAIL,
    USAJOBS_KEY,
    USAJOBS_PATH,
    FakeFeeds,
    remotive_route,
    usajobs_route,
)


@pytest.fixture
def fake_adzuna(settings):
    """A running fake Adzuna API, with settings pointing at it (and retries that do not sleep)."""
    server = FakeAdzuna().start()
    settings.ADZUNA_BASE_URL = server.url
    settings.ADZUNA_APP_ID = APP_ID
    settings.ADZUNA_APP_KEY = APP_KEY
    settings.ADZUNA_COUNTRY = ["gb"]
    settings.ADZUNA_WHAT = []
    settings.ADZUNA_WHERE = ""
    settings.ADZUNA_RESULTS_PER_PAGE = 50
    settings.ADZUNA_MAX_PAGES = 10
    settings.ADZUNA_PAGES_PER_PIECE = 2
    settings.ADZUNA_CONNECT_TIMEOUT = 2
    settings.ADZUNA_READ_TIMEOUT = 2
    settings.ADZUNA_ATTEMPTS = 3
    settings.ADZUNA_BACKOFF = 0
    yield server
    server.stop()


@pytest.fixture
def fake_feeds(settings):
    """A running fake of the feed APIs (Remotive, USAJobs), with retries that do not sleep."""
    server = FakeFeeds().start()
    settings.FEED_CONNECT_TIMEOUT = 2
    settings.FEED_READ_TIMEOUT = 2
    settings.FEED_ATTEMPTS = 3
    settings.FEED_BACKOFF = 0
    yield server
    server.stop()


@pytest.fixture
def remotive_jobs(fake_feeds, settings):
    """Remotive switched on and pointed at the fake; the list its endpoint answers (edit it in place)."""
    jobs: list = []
    fake_feeds.routes[REMOTIVE_PATH] = remotive_route(jobs)
    settings.REMOTIVE_ENABLED = True
    settings.REMOTIVE_BASE_URL = fake_feeds.url
    settings.REMOTIVE_CATEGORY = ""
    settings.REMOTIVE_SEARCH = ""
    settings.REMOTIVE_LIMIT = 0
    settings.REMOTIVE_MIN_INTERVAL_HOURS = 6
    return jobs


@pytest.fixture
def usajobs_items(fake_feeds, settings):
    """USAJobs configured and pointed at the fake; the items its search answers (edit it in place)."""
    items: list = []
    fake_feeds.routes[USAJOBS_PATH] = usajobs_route(items)
    settings.USAJOBS_API_KEY = USAJOBS_KEY
    settings.USAJOBS_USER_AGENT = USAJOBS_EMAIL
    settings.USAJOBS_BASE_URL = fake_feeds.url
    settings.USAJOBS_KEYWORDS = []
    settings.USAJOBS_RESULTS_PER_PAGE = 500
    settings.USAJOBS_MAX_PAGES = 20
    return items
