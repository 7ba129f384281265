"""Row counts that stay cheap on big tables: exact when that is cheap, the planner's estimate otherwise.

COUNT(*) reads every matching row. With no filter the table statistics give the size; with
filters the planner's estimate does; only when the estimate is small do we pay for the exact
count, and then within a time budget. The admin's paginator and the API's pages both use it.

Grouped counts (the listing's facets) have no planner estimate worth showing under filters:
`sampled()` runs a queryset over a fixed-size random sample of the table's pages instead
(TABLESAMPLE SYSTEM), so its cost does not grow with the table; jobs.selectors scales the counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet
from django.db.models.sql.datastructures import BaseTable

T = TypeVar("T")

# Below this many rows (by the planner's estimate) an exact COUNT(*) is tried; above it the
# estimate is shown. The exact count gets a time budget: a filter the planner misjudges (a
# substring search) must not make every page wait for a full scan. Counts under the threshold
# that the planner got right take a few ms (9,000 rows through an index: ~10 ms at 150,000
# jobs); the budget is what a misjudged one adds to its page (was 100 ms: bench/README "Counts,
# places and facets").
EXACT_COUNT_BELOW = 10_000
EXACT_COUNT_BUDGET_MS = 30
# How many of the table's rows a sample reads (in expectation): ~1,000 pages of jobs_job, 5-10 ms
# however big the table is.
SAMPLE_ROWS = 2_000
SAMPLE_SEED = 1817  # REPEATABLE: the same request reads the same pages (stable, and cached)


def planner_estimate(queryset: QuerySet) -> tuple[int, float] | None:
    """(rows, total cost) the planner expects of the queryset, from EXPLAIN; None if it cannot tell."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # a filter that cannot match (company__in=[]): Django sends no SQL
        return 0, 0.0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (raw,) = cursor.fetchone()
    plan = raw if isinstance(raw, list) else json.loads(raw)
    try:
        return int(plan[0]["Plan"]["Plan Rows"]), float(plan[0]["Plan"]["Total Cost"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def _planner_rows(queryset: QuerySet) -> int | None:
    """The planner's row estimate for the queryset, from EXPLAIN; None if it cannot tell."""
    estimate = planner_estimate(queryset)
    return None if estimate is None else estimate[0]


def _table_rows(queryset: QuerySet) -> int | None:
    """pg_class.reltuples for the model's table: kept by VACUUM/ANALYZE, -1 before the first."""
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


def count_rows(queryset: QuerySet) -> tuple[int, bool]:
    """(count, is_estimate) for the queryset; exact below EXACT_COUNT_BELOW estimated rows."""
    estimate = _table_rows(queryset) if not queryset.query.where else _planner_rows(queryset)
    if estimate is None or estimate < EXACT_COUNT_BELOW:
        exact = within_budget(queryset.db, EXACT_COUNT_BUDGET_MS, queryset.count)
        if exact is not None or estimate is None:
            return (exact if exact is not None else queryset.count()), False
    return estimate, True


class _SampledTable(BaseTable):
    """The query's base table read through TABLESAMPLE SYSTEM (whole pages, each with the same chance)."""

    def __init__(self, table: BaseTable, percent: float) -> None:
        super().__init__(table.table_name, table.table_alias)
        self.percent = percent

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = super().as_sql(compiler, connection)
        return f"{sql} TABLESAMPLE SYSTEM (%s) REPEATABLE (%s)", [*params, self.percent, SAMPLE_SEED]


def sample_fraction(queryset: QuerySet, rows: int | None = None) -> float:
    """The share of the model's table a sample of `rows` (SAMPLE_ROWS) reads: 1.0 for a small table."""
    total = _table_rows(queryset)
    wanted = SAMPLE_ROWS if rows is None else rows
    if total is None or total <= wanted:
        return 1.0
    return wanted / total


def sampled(queryset: QuerySet, fraction: float) -> QuerySet:
    """The queryset over a random sample of `fraction` of its table's pages (the same sample each
    time while the table's pages stay); counts over it, divided by `fraction`, estimate the whole's.
    Filters apply to the sampled rows as usual; joined tables are read whole."""
    if fraction >= 1.0:
        return queryset
    clone = queryset.all()
    query = clone.query
    alias = query.get_initial_alias()
    table = query.alias_map[alias]
    if not isinstance(table, BaseTable):  # the first alias is always the model's own table
        raise TypeError(f"cannot sample {table!r}")
    query.alias_map[alias] = _SampledTable(table, round(fraction * 100, 6))
    return clone


def within_budget(using: str, budget_ms: int, run: Callable[[], T]) -> T | None:
    """run()'s result if PostgreSQL finishes its statements within the budget, else None."""
    connection = connections[using]
    outer = connection.in_atomic_block
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            previous = None
            if outer:
                # SET LOCAL outlives a released savepoint: put the old value back when inside an
                # outer transaction (a cancelled count's savepoint rollback undoes it by itself).
                # On its own (an API request in autocommit) the transaction's end does: two round
                # trips fewer on every first page.
                cursor.execute("SELECT current_setting('statement_timeout')")
                (previous,) = cursor.fetchone()
            cursor.execute("SET LOCAL statement_timeout = %s", [f"{int(budget_ms)}ms"])
            result = run()
            if previous is not None:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return result
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "57014":  # query_canceled: over budget
            return None
        raise
