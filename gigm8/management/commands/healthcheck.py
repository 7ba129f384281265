"""`manage.py healthcheck`: the /health/ checks from a shell, for container health checks and cron."""

from django.core.management.base import BaseCommand, CommandError

from gigm8.probes import run_checks
from ingestion.selectors import schedules_state


class Command(BaseCommand):
    help = "Check the database, cache and broker (and with --schedules, that no beat schedule is overdue)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedules",
            action="store_true",
            help="also fail when an enabled beat schedule is overdue (the beat container's check)",
        )

    def handle(self, *args, schedules: bool = False, **options):
        checks = run_checks()
        problems = [f"{name}: {result['error']}" for name, result in checks.items() if not result["ok"]]
        if schedules and checks["database"]["ok"]:
            overdue = [state["name"] for state in schedules_state() if state["overdue"]]
            if overdue:
                problems.append(f"schedules overdue: {', '.join(overdue)}")
        if problems:
            raise CommandError("unhealthy: " + "; ".join(problems))
        if options["verbosity"]:
            self.stdout.write("ok: " + ", ".join(f"{name} {result['ms']} ms" for name, result in checks.items()))
