import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger("gigm8")


class Gigm8Config(AppConfig):
    name = "gigm8"
    verbose_name = "gigm8"

    def ready(self) -> None:
        if settings.EMBEDDED_DEFAULTS:
            logger.info("embedded defaults in use: %s", "; ".join(settings.EMBEDDED_DEFAULTS))
