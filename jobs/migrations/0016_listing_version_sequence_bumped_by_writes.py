# The listing version (jobs.selectors.listing_version): a sequence that every statement writing
# jobs_job or jobs_company moves on, whatever wrote it (the ORM, a bulk upsert, raw SQL, psql).
# The API's response cache and the match cache key their entries by it.
#
# Why a sequence: nextval() takes no row lock and is not rolled back, so concurrent ingestion
# transactions do not queue behind one counter row until commit (an UPDATE of a one-row table
# would). Statement-level triggers: one bump per statement, not per row (a 1,000-row upsert is
# one bump).
#
# Why 33 values per bump: PostgreSQL writes a sequence to the WAL only once every 32 values
# (it logs a value 32 ahead and hands out the ones in between without logging), so a streaming
# replica would see the version move only every 32nd write. Taking 33 values in a row always
# includes one that is logged, so a replica's version moves with every write it replays (the
# WAL record comes before the writing transaction's commit record). CACHE 1 (the default) keeps
# every value in the shared sequence, where other sessions read it.

from django.db import migrations

SEQUENCE = "jobs_listing_version"
TABLES = ("jobs_job", "jobs_company")

FORWARD = [
    f"CREATE SEQUENCE {SEQUENCE} CACHE 1",
    f"""
    CREATE FUNCTION jobs_listing_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM nextval('{SEQUENCE}') FROM generate_series(1, 33);
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_listing_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION jobs_listing_version_bump()
        """
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_listing_version ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS jobs_listing_version_bump()",
    f"DROP SEQUENCE IF EXISTS {SEQUENCE}",
]


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0015_listing_index_sorts_unknown_dates_last"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
