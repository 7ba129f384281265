"""manage.py index_jobs [--rebuild] [--batch-size N]: compute job embeddings for matching."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching import services


class Command(BaseCommand):
    help = "Embed active jobs missing a current embedding (all with --rebuild), then store the corpus statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Embed every active job again.")
        parser.add_argument("--batch-size", type=int, default=None, help="Jobs per batch (default: setting).")

    def handle(self, *args: Any, rebuild: bool, batch_size: int | None, **options: Any) -> None:
        if batch_size is not None and not 1 <= batch_size <= 10000:
            raise CommandError(f"--batch-size must be between 1 and 10000, got {batch_size}")
        total = services.jobs_needing_embeddings(rebuild=rebuild).count()
        if total == 0:
            self.stdout.write("Nothing to index: every active job has a current embedding.")
            self._refresh_stats()
            return
        bar = None
        if self.stdout.isatty() and sys.stdout.isatty():
            from tqdm import tqdm

            bar = shown = tqdm(total=total, unit="job", desc="embedding", file=sys.stdout)

            # tqdm's update returns whether it redrew; the service's callback returns nothing.
            def progress(count: int) -> None:
                shown.update(count)

        else:
            done = [0]

            def progress(count: int) -> None:
                done[0] += count
                self.stdout.write(f"embedded {done[0]}/{total}")

        try:
            result = services.job_embeddings_index(rebuild=rebuild, batch_size=batch_size, progress=progress)
        finally:
            if bar is not None:
                bar.close()
        rate = result.indexed / result.seconds if result.seconds else 0.0
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {result.indexed} jobs in {result.seconds:.1f} s ({rate:.0f} jobs/s).")
        )
        self._refresh_stats()

    def _refresh_stats(self) -> None:
        """The corpus term statistics matching ranks with, computed again over the jobs as they now are."""
        stats = services.corpus_stats_refresh(force=True, wait=True)
        if stats is not None:
            self.stdout.write(
                f"Corpus statistics: {stats.lexemes} lexemes over {stats.documents} active jobs "
                f"in {stats.seconds:.1f} s."
            )
