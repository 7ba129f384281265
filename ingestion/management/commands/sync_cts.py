"""manage.py sync_cts: send changed jobs to Google Cloud Talent Solution."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.cts import NOT_CONFIGURED, cts_config
from ingestion.choices import SyncStatus, TriggerKind
from ingestion.services.alerts import SourcePaused, source_check_not_paused
from ingestion.services.cts_sync import cts_sync, cts_sync_plan


def _positive(value: str) -> int:
    # ArgumentTypeError: argparse turns it into one usage line (CommandError under call_command).
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


class Command(BaseCommand):
    help = "Send jobs changed since the last sync to Google Cloud Talent Solution and delete the expired ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Send every public job, changed or not.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; call nothing.")
        parser.add_argument("--limit", type=_positive, default=None, help="Send (and delete) at most N jobs.")
        parser.add_argument("--force", action="store_true", help="Sync even though staff paused CTS.")

    def handle(self, *args: Any, full: bool, dry_run: bool, limit: int | None, **options: Any) -> None:
        if dry_run:
            plan = cts_sync_plan(full=full, limit=limit)
            self.stdout.write(
                f"Would create {plan.companies} companies, create {plan.create} jobs, update {plan.update}, "
                f"delete {plan.delete}; {plan.skipped} without a CTS company."
            )
            return
        if cts_config() is None:
            raise CommandError(NOT_CONFIGURED)
        if not options.get("force"):
            try:
                source_check_not_paused(source="cts")
            except SourcePaused as exc:
                raise CommandError(f"{exc} (or pass --force)") from None
        bar = None
        if sys.stdout.isatty() and options.get("verbosity", 1) > 0:
            try:
                from tqdm import tqdm

                bar = tqdm(unit="job", desc="CTS")
            except ImportError:  # progress bars are a nicety
                bar = None

        def progress(count: int) -> None:
            # tqdm's update returns whether it redrew; cts_sync's callback returns nothing.
            if bar is not None:
                bar.update(count)

        try:
            log = cts_sync(
                full=full,
                limit=limit,
                triggered_by=TriggerKind.COMMAND,
                progress=progress if bar is not None else None,
            )
        finally:
            if bar is not None:
                bar.close()
        if log is None:
            raise CommandError("A CTS sync is already running; try again when it has finished.")
        self.stdout.write(
            f"SyncLog #{log.pk} {log.status}: created {log.created}, updated {log.updated}, "
            f"deleted {log.deleted}, failed {log.errors}, skipped {log.skipped}."
        )
        for line in log.error_sample[:10]:
            self.stdout.write(f"  {line}")
        if log.status == SyncStatus.FAILED:
            raise CommandError(log.message or "the CTS sync failed")
