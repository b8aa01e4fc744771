#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/browser), unless it is there already.
# Playwright's own browser download cannot work here: the tests drive /usr/bin/chromium through
# playwright-core. Idempotent; needs root (or sudo) and the Debian package mirror.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "setup-chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n 1) is installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "setup-chromium: installing chromium from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "setup-chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n 1) installed"
