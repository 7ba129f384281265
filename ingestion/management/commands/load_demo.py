"""manage.py load_demo [--if-empty | --remove]: the fictional demo postings shipped with gigm8."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingestion.services.demo import (
    REMOVE_COMMAND,
    DemoRefused,
    demo_autoload_refusal,
    demo_load,
    demo_remove,
)
from ingestion.services.imports import ImportAlreadyRunning, ImportFileError


class Command(BaseCommand):
    help = "Load the demo postings shipped with gigm8 (fictional employers), or remove them with --remove."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="Only into an empty embedded database, unless DEMO_DATA=0 (what `make run` does).",
        )
        group.add_argument(
            "--remove", action="store_true", help="Delete the demo jobs, their runs and companies, nothing else."
        )

    def handle(self, *args: Any, if_empty: bool, remove: bool, **options: Any) -> None:
        if remove:
            removal = demo_remove()
            self._say(
                options,
                f"Demo data removed: {removal.jobs} jobs, {removal.companies} companies, "
                f"{removal.sync_logs} runs. `make run` will not load it again (`manage.py load_demo` does).",
            )
            return
        try:
            if if_empty and (reason := demo_autoload_refusal()) is not None:
                self._say(options, f"Demo data: not loaded, {reason}.")
                return
            outcome = demo_load()
        except DemoRefused as exc:
            raise CommandError(f"load_demo: {exc}") from None
        except (ImportFileError, ImportAlreadyRunning) as exc:
            raise CommandError(f"load_demo: {exc}; nothing loaded") from None
        mirror = " + ".join(str(count) for count in outcome.jobs.values())
        self._say(
            options,
            f"Demo data: {outcome.total} fictional jobs ({mirror} by source: {', '.join(outcome.jobs)}; "
            f"{outcome.created} new, {outcome.updated} updated, {outcome.unchanged} unchanged; "
            f"{outcome.duplicates} marked duplicates; {outcome.indexed} embedded). "
            f"Remove them with {REMOVE_COMMAND}",
        )

    def _say(self, options: dict[str, Any], line: str) -> None:
        if options["verbosity"]:
            self.stdout.write(line)
