#!/usr/bin/env bash
# The web channel's tests drive a real browser: Debian's chromium through playwright-core. Browser builds are
# never downloaded (no `npx playwright install`); this installs the distribution's package when it is missing.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests (apt-get install chromium)..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need chromium at $browser. Install it with your package manager" >&2
echo "(Debian/Ubuntu: sudo apt-get install chromium), or set CHROMIUM_PATH to an existing Chromium." >&2
exit 1
