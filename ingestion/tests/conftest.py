import pytest

from ingestion.tests.fake_adzuna import APP_ID, APP_KEY, FakeAdzuna


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
