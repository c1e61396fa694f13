#!/usr/bin/env bash
# Makes sure the browser the console's end-to-end test drives is installed:
# Debian's chromium at /usr/bin/chromium. Idempotent and fast when it is there.
# The browser comes from the distribution's packages, never from a download
# of its own (no `npx playwright install`).
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and this system has no apt-get; install Chromium so that $CHROMIUM exists." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "ensure-chromium: $CHROMIUM is missing; run as root (or install sudo) so that 'apt-get install -y chromium' can run." >&2
    exit 1
  fi
fi
# One installer at a time: test workers and CI may call this together.
LOCK="${TMPDIR:-/tmp}/stint-ensure-chromium.lock"
exec 9>"$LOCK"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "ensure-chromium: installing Debian's chromium (once)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get installed chromium but $CHROMIUM does not exist." >&2
  exit 1
fi
"$CHROMIUM" --version >&2 || true
