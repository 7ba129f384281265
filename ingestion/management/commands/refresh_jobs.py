from django.core.management.base import BaseCommand, CommandError

from ingestion.choices import SyncStatus, TriggerKind
from ingestion.management.progress import describe, first_problem, progress_bar
from ingestion.services.refresh import refresh_run, refresh_start
from ingestion.services.runs import run_enqueue, sync_log_lock


class Command(BaseCommand):
    help = "Refresh every enabled source, then expire stale jobs, then run the steps after (CTS sync)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the refresh to a Celery worker and print its sync log id."
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if options["enqueue"]:
            log, _ = run_enqueue(source="refresh", triggered_by=TriggerKind.COMMAND)
            if verbosity:
                self.stdout.write(f"refresh queued: sync log #{log.pk} ({log.status})")
            return
        log, started = refresh_start(triggered_by=TriggerKind.COMMAND)
        if not started:
            raise CommandError(f"a refresh is already running (sync log #{log.pk})")
        # This process takes the run up (its owner and lease), as the Celery task does.
        with sync_log_lock(sync_log=log), progress_bar(self, verbosity=verbosity, desc="refresh") as bar:
            log = refresh_run(sync_log=log, progress=(lambda step, n: bar(n)) if bar else None)
        if verbosity:
            self.stdout.write(describe(log))
            for name, outcome in log.details.get("steps", {}).items():
                line = f"  {name}: {outcome['status']}"
                if outcome.get("log"):
                    line += f" (sync log #{outcome['log']})"
                if outcome.get("message"):
                    line += f" - {outcome['message']}"
                self.stdout.write(line)
        if log.status == SyncStatus.FAILED:
            raise CommandError(f"refresh failed (sync log #{log.pk}): {first_problem(log)}")
        if log.status == SyncStatus.PARTIAL:
            self.stderr.write(f"refresh partly failed: {first_problem(log)}")
