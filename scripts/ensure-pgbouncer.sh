#!/usr/bin/env bash
# Makes sure Debian's pgbouncer is installed, for the PgBouncer comparison in
# `npm run bench`. Never part of `npm test`. The benchmark starts and stops its
# own pgbouncer process with its own configuration; the system service is not used.
set -euo pipefail
if command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "pgbouncer is missing; installing the Debian package" >&2
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y pgbouncer
# The package enables a system service on the default port; the benchmark runs its own instance.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now pgbouncer >/dev/null 2>&1 || true; fi
