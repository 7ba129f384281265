from django.core.management.base import BaseCommand, CommandError

from ingestion.choices import SyncStatus, TriggerKind
from ingestion.management.progress import describe, first_problem, progress_bar
from ingestion.services.alerts import SourcePaused, source_check_not_paused
from ingestion.services.feeds import FeedAlreadyRunning, feed_run, feed_sources


class Command(BaseCommand):
    help = "Read one feed source (remotive, usajobs) into the database, as its schedule does."

    def add_arguments(self, parser):
        parser.add_argument("source", help="The feed source's name: remotive or usajobs.")
        parser.add_argument("--force", action="store_true", help="Run even though staff paused the source.")

    def handle(self, *args, **options):
        feeds = feed_sources()
        feed = feeds.get(options["source"])
        if feed is None:
            raise CommandError(f"unknown feed source {options['source']!r}: one of {', '.join(feeds)}")
        reason = feed.not_ready()
        if reason is not None:
            raise CommandError(reason)
        if not options["force"]:
            try:
                source_check_not_paused(source=feed.name)
            except SourcePaused as exc:
                raise CommandError(f"{exc} (or pass --force)") from None
        verbosity = options["verbosity"]
        with progress_bar(self, verbosity=verbosity, desc=feed.name) as progress:
            try:
                log = feed_run(feed=feed, triggered_by=TriggerKind.COMMAND, progress=progress)
            except FeedAlreadyRunning as exc:
                raise CommandError(str(exc)) from None
        if log.status == SyncStatus.FAILED:
            raise CommandError(f"{feed.name} run failed (sync log #{log.pk}): {first_problem(log)}")
        if verbosity:
            # A skipped run (read too recently for the source's terms) is not a failure: it says why.
            self.stdout.write(describe(log) + (f" ({log.message})" if log.status == SyncStatus.SKIPPED else ""))
        if log.status == SyncStatus.PARTIAL:
            self.stderr.write(f"some feeds failed: {first_problem(log)}")
