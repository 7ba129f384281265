#!/bin/sh
# Run once by the postgres image when it creates the database (mounted into
# /docker-entrypoint-initdb.d): lets the db-replica service stream from this server.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
