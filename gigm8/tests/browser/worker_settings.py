"""Settings of the Celery worker the browser tests start: the test settings, with the broker's
Redis keys prefixed by the test database's name so this worker only sees this run's messages
(other test runs share Redis db 15). DATABASE_URL points it at the live server's test database.
"""

from gigm8.settings.test import *  # noqa: F403

BROWSER_BROKER_PREFIX = f"{DATABASES['default']['NAME']}:browser:"  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": BROWSER_BROKER_PREFIX}  # noqa: F405
