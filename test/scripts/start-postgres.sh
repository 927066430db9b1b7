#!/usr/bin/env bash
# Installs (Debian package) and starts a local PostgreSQL for the SQL tests, creates a role and a
# database for them, and prints the URL to export as TEST_DATABASE_URL. Idempotent; needs root.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql/*/bin/postgres 2>/dev/null)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then pg_createcluster "$version" main >&2; fi
pg_ctlcluster "$version" main start >&2 2>/dev/null || pg_ctlcluster "$version" main status >&2
for _ in $(seq 1 30); do runuser -u postgres -- pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
# Over the local socket: the postgres superuser authenticates by peer there.
psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -q "$@"; }
# The role may read and write (the tests fill their tables); the server's read-only guard is what is tested.
psql_admin -tc "SELECT 1 FROM pg_roles WHERE rolname = 'mcpgen'" | grep -q 1 || psql_admin -c "CREATE ROLE mcpgen LOGIN PASSWORD 'mcpgen'"
psql_admin -tc "SELECT 1 FROM pg_database WHERE datname = 'mcpgen'" | grep -q 1 || psql_admin -c "CREATE DATABASE mcpgen OWNER mcpgen"
echo "postgres://mcpgen:mcpgen@127.0.0.1:5432/mcpgen"
