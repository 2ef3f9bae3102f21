#!/usr/bin/env bash
# Makes sure the browser tests (test/browser) find a Chromium: CHROMIUM_PATH, else Debian's
# /usr/bin/chromium, installed from the machine's package registry when it is missing and we may.
# The tests never download a browser of their own.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$path" ] && exit 0
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable; point it at a Chromium or unset it." >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Chromium is missing; installing Debian's chromium for the browser tests (once, about a minute)"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  exit 0
fi
echo "The browser tests need Chromium: install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH." >&2
exit 1
