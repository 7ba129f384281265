"""What spiders yield: one posting, as read, with the board it came from."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(slots=True)
class JobItem:
    """A posting as a spider read it.

    `posting` holds keyword arguments for ingestion.normalize.build_job_data (title,
    external_id, location, salary_min, …) in the source's own spelling; the pipeline checks
    them, normalizes them into a JobData and hands that to the ingestion service.
    """

    board: str
    posting: dict[str, Any]
