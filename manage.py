#!/usr/bin/env python
"""Django's command-line utility for gigm8."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gigm8.settings.local")
    from django.core.management import execute_from_command_line

    from gigm8.env import EnvError

    try:
        execute_from_command_line(sys.argv)
    except EnvError as exc:
        # A bad configuration value: one line naming the variable, no traceback.
        sys.stderr.write(f"configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
