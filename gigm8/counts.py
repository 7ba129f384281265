"""Row counts that stay cheap on big tables: exact when that is cheap, the planner's estimate otherwise.

COUNT(*) reads every matching row. With no filter the table statistics give the size; with
filters the planner's estimate does; only when the estimate is small do we pay for the exact
count, and then within a time budget. The admin's paginator and the API's pages both use it.
"""

from __future__ import annotations

import json

from django.core.exceptions import EmptyResultSet
from django.db import OperationalError, connections, transaction
from django.db.models import QuerySet

# Below this many rows (by the planner's estimate) an exact COUNT(*) is tried; above it the
# estimate is shown. The exact count gets a time budget: a filter the planner misjudges (a
# substring search) must not make every page wait for a full scan.
EXACT_COUNT_BELOW = 10_000
EXACT_COUNT_BUDGET_MS = 100


def _planner_rows(queryset: QuerySet) -> int | None:
    """The planner's row estimate for the queryset, from EXPLAIN; None if it cannot tell."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # a filter that cannot match (company__in=[]): Django sends no SQL
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (raw,) = cursor.fetchone()
    plan = raw if isinstance(raw, list) else json.loads(raw)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


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
    unfiltered = not queryset.query.where
    estimate = _table_rows(queryset) if unfiltered else _planner_rows(queryset)
    if estimate is None or estimate < EXACT_COUNT_BELOW:
        exact = _count_within(queryset, EXACT_COUNT_BUDGET_MS)
        if exact is not None or estimate is None:
            return (exact if exact is not None else queryset.count()), False
    return estimate, True


def _count_within(queryset: QuerySet, budget_ms: int) -> int | None:
    """COUNT(*) if PostgreSQL finishes it within the budget, else None."""
    connection = connections[queryset.db]
    outer = connection.in_atomic_block
    try:
        with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
            previous = None
            if outer:
                # SET LOCAL outlives a released savepoint: put the old value back when inside an
                # outer transaction (a cancelled count's savepoint rollback undoes it by itself).
                # On its own (an API request in autocommit) the transaction's end does: two round
                # trips fewer on every first page.
                cursor.execute("SELECT current_setting('statement_timeout')")
                (previous,) = cursor.fetchone()
            cursor.execute("SET LOCAL statement_timeout = %s", [f"{int(budget_ms)}ms"])
            count = queryset.count()
            if previous is not None:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return count
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "57014":  # query_canceled: over budget
            return None
        raise
