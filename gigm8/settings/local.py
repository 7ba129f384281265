"""Development: debug on unless DEBUG says otherwise."""

from gigm8 import env
from gigm8.settings.base import *  # noqa: F403

DEBUG = env.env_bool("DEBUG", default=True)
