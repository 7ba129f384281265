from django.core.management.base import BaseCommand

from ingestion.services.schedules import schedules_setup


class Command(BaseCommand):
    help = "Create the default beat schedules (daily refresh, expiry) if missing; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Put back the defaults over schedules staff have edited."
        )

    def handle(self, *args, **options):
        for name, outcome in schedules_setup(reset=options["reset"]):
            if options["verbosity"]:
                self.stdout.write(f"{outcome}: {name}")
