from argparse import ArgumentTypeError
from datetime import UTC, datetime, time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ingestion.choices import TriggerKind
from ingestion.management.progress import progress_bar
from ingestion.services.imports import (
    FIELDS,
    FORMATS,
    ImportAlreadyRunning,
    ImportFileError,
    import_guess_format,
    import_parse_maps,
    import_read,
    import_records,
)
from jobs.types import SkippedRecord


def _posted_at(value: str) -> datetime:
    """--posted-at: a date (midnight UTC) or an ISO 8601 date-time (UTC when it has no offset)."""
    text = value.strip()
    try:
        parsed = parse_datetime(text)
        if parsed is None and (day := parse_date(text)) is not None:
            parsed = datetime.combine(day, time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ArgumentTypeError(f"expected a date (2012-03-01) or an ISO 8601 date-time, got {value!r}")
    parsed = parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)
    if parsed > timezone.now():
        raise ArgumentTypeError(f"{value!r} is in the future")
    return parsed


class Command(BaseCommand):
    help = "Import job postings from a CSV or JSON-lines file through the normal normalize and upsert."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV or JSON-lines file.")
        parser.add_argument("--source", required=True, help="Where the postings come from (stored as Job.source).")
        parser.add_argument("--format", choices=FORMATS, default=None, help="Default: from the file's extension.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help=(
                "Read COLUMN as FIELD; FIELD+ appends to the field (e.g. several columns into description); "
                f"- ignores the column. Fields: {', '.join(FIELDS)}."
            ),
        )
        parser.add_argument("--delimiter", default=None, help="CSV delimiter (default ',' or tab for .tsv).")
        parser.add_argument("--encoding", default="utf-8-sig", help="The file's text encoding.")
        parser.add_argument(
            "--null", action="append", default=[], metavar="VALUE", help="A value meaning 'missing' (e.g. -1)."
        )
        parser.add_argument("--country", default="", help="Country code for rows that have none (e.g. gb).")
        parser.add_argument(
            "--posted-at",
            type=_posted_at,
            default=None,
            metavar="DATE",
            help="Posting date for rows that have none (YYYY-MM-DD or an ISO 8601 date-time, UTC unless given); "
            "without it such rows keep no date.",
        )
        parser.add_argument("--ignore-unknown", action="store_true", help="Ignore columns that are not fields.")
        parser.add_argument("--dry-run", action="store_true", help="Read and check the file, write nothing.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        fmt = options["format"] or import_guess_format(path)
        if fmt is None:
            raise CommandError(f"cannot tell the format of {path.name}; pass --format csv or --format jsonl")
        delimiter = options["delimiter"] or ("\t" if path.suffix.lower() == ".tsv" else ",")
        delimiter = "\t" if delimiter in ("\\t", "tab") else delimiter
        if len(delimiter) != 1:
            raise CommandError(f"--delimiter must be one character, got {delimiter!r}")
        verbosity = options["verbosity"]
        try:
            maps = import_parse_maps(options["map"])
            data = import_read(
                path=path,
                source=options["source"],
                fmt=fmt,
                delimiter=delimiter,
                maps=maps,
                ignore_unknown=options["ignore_unknown"],
                null_values=tuple(options["null"]),
                country=options["country"],
                encoding=options["encoding"],
                posted_at=options["posted_at"],
            )
        except ImportFileError as exc:
            raise CommandError(f"{path.name}: {exc}; nothing imported") from None
        skipped = [r.reason for r in data.records if isinstance(r, SkippedRecord)]
        if options["dry_run"]:
            if verbosity:
                self.stdout.write(
                    f"Dry run: {data.rows} rows, {data.valid} valid, {len(skipped)} would be skipped; nothing written."
                )
                for reason in skipped[:10]:
                    self.stdout.write(f"  skipped {reason}")
            return
        params = {"file": str(path), "format": fmt, "maps": options["map"], "delimiter": delimiter}
        try:
            with progress_bar(self, verbosity=verbosity, total=data.rows, desc=path.name) as progress:
                log, result = import_records(
                    records=data.records,
                    source=options["source"].strip(),
                    triggered_by=TriggerKind.COMMAND,
                    params=params,
                    progress=progress,
                )
        except ImportAlreadyRunning as exc:
            raise CommandError(f"{path.name}: {exc}; nothing imported") from None
        if verbosity:
            self.stdout.write(
                f"Imported {path.name} (sync log #{log.pk}): {data.rows} rows, created {result.created}, "
                f"updated {result.updated}, unchanged {result.unchanged}, skipped {result.skipped}."
            )
            for reason in result.errors[:10]:
                self.stdout.write(f"  skipped {reason}")
        if data.rows and not (result.created + result.updated + result.unchanged):
            raise CommandError(f"{path.name}: every row was skipped ({result.errors[0] if result.errors else '?'})")
