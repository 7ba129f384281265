from django.core.management.base import BaseCommand, CommandError

from ingestion.choices import SyncStatus, TriggerKind
from ingestion.management.progress import describe, first_problem
from ingestion.services.alerts import SourcePaused, source_check_not_paused
from ingestion.services.crawl import CrawlAlreadyRunning, CrawlError, crawl_enabled_spiders, crawl_run
from ingestion.sources import SPIDERS


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"{flag} expects KEY=VALUE, got {value!r}")
        pairs[key.strip()] = rest
    return pairs


class Command(BaseCommand):
    help = "Run a Scrapy spider (or every spider with companies to crawl) into the database."

    def add_arguments(self, parser):
        parser.add_argument("spider", nargs="?", help=f"One of: {', '.join(SPIDERS)}.")
        parser.add_argument("--all", action="store_true", help="Every spider that has enabled companies.")
        parser.add_argument(
            "-a",
            dest="spider_args",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Spider argument, e.g. boards=a,b",
        )
        parser.add_argument(
            "-s", dest="scrapy_settings", action="append", default=[], metavar="KEY=VALUE", help="Scrapy setting."
        )
        parser.add_argument("--force", action="store_true", help="Crawl even a spider staff paused.")

    def handle(self, *args, **options):
        spider, run_all = options["spider"], options["all"]
        if bool(spider) == bool(run_all):
            raise CommandError(f"name one spider ({', '.join(SPIDERS)}) or pass --all")
        if spider and spider not in SPIDERS:
            raise CommandError(f"unknown spider {spider!r}; choose one of {', '.join(SPIDERS)}")
        spider_args = _pairs(options["spider_args"], "-a")
        overrides = _pairs(options["scrapy_settings"], "-s")
        if run_all and spider_args:
            raise CommandError("-a applies to one spider; it cannot be used with --all")
        spiders = [spider] if spider else crawl_enabled_spiders()
        if not spiders:
            self.stdout.write("No spider has enabled companies to crawl (set ATS kind and board token on companies).")
            return
        verbosity = options["verbosity"]
        failed = []
        for name in spiders:
            if not options["force"]:
                try:
                    source_check_not_paused(source=name)
                except SourcePaused as exc:
                    if not run_all:
                        raise CommandError(f"{exc} (or pass --force)") from None
                    self.stderr.write(f"skipped: {exc}")
                    continue
            try:
                log = crawl_run(
                    spider=name,
                    args=spider_args,
                    triggered_by=TriggerKind.COMMAND,
                    settings_overrides=overrides,
                    echo=verbosity > 1,
                )
            except CrawlAlreadyRunning as exc:
                if not run_all:
                    raise CommandError(str(exc)) from None
                self.stderr.write(str(exc))
                continue
            except CrawlError as exc:
                raise CommandError(str(exc)) from None
            if verbosity:
                self.stdout.write(describe(log))
                for token, board in (log.details.get("boards") or {}).items():
                    if verbosity > 1 or board.get("status") != "complete":
                        problem = f": {board['errors'][0]}" if board.get("errors") else ""
                        self.stdout.write(f"  {token} {board.get('status')}, {board.get('items', 0)} postings{problem}")
            if log.status == SyncStatus.FAILED:
                failed.append(f"{name} (sync log #{log.pk}): {first_problem(log)}")
        if failed:
            raise CommandError("crawl failed: " + "; ".join(failed))
