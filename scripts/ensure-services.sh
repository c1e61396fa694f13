#!/usr/bin/env bash
# Makes sure the services the test suite talks to are up: PostgreSQL on
# 127.0.0.1:5432 (the store suite and the quick-start resource).
set -euo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
