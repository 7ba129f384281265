from django.core.management.base import BaseCommand, CommandError

from ingestion.choices import SyncStatus, TriggerKind
from ingestion.management.progress import describe, first_problem
from ingestion.services.expiry import expiry_run


class Command(BaseCommand):
    help = "Expire jobs past their expiry date or not seen for JOB_EXPIRY_DAYS days."

    def handle(self, *args, **options):
        log = expiry_run(triggered_by=TriggerKind.COMMAND)
        if log.status == SyncStatus.FAILED:
            raise CommandError(f"expiry failed (sync log #{log.pk}): {first_problem(log)}")
        if options["verbosity"]:
            self.stdout.write(describe(log))
