#!/usr/bin/env bash
# Make headless Chromium and ChromeDriver available for the portal's browser tests.
#
# The tests drive Debian's `chromium` through `chromedriver` (WebDriver) from Rust
# (fantoccini). Nothing is downloaded at build or test time: this script installs the
# two Debian packages once; it is idempotent and safe to run on every test run.
#
#   TAZAN_CHROMIUM      the browser binary (default: chromium on PATH)
#   TAZAN_CHROMEDRIVER  the driver binary  (default: chromedriver on PATH)
#
# Exit status: 0 when both are present afterwards, 1 otherwise (the browser tests
# then fail and say which binary is missing and how to install it).
set -euo pipefail

browser="${TAZAN_CHROMIUM:-chromium}"
driver="${TAZAN_CHROMEDRIVER:-chromedriver}"

if command -v "$browser" >/dev/null 2>&1 && command -v "$driver" >/dev/null 2>&1; then
    echo "setup-browser: $(command -v "$browser") and $(command -v "$driver") found"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-browser: apt-get not available; install chromium and chromedriver and set TAZAN_CHROMIUM / TAZAN_CHROMEDRIVER" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "setup-browser: not root and no sudo; run 'apt-get install -y chromium chromium-driver' as root" >&2
        exit 1
    fi
fi

echo "setup-browser: installing chromium and chromium-driver with apt-get"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk >/dev/null 2>&1 || {
    $sudo apt-get update >/dev/null
    $sudo apt-get install -y --no-install-recommends chromium chromium-driver fonts-noto-cjk >/dev/null
}

if command -v "$browser" >/dev/null 2>&1 && command -v "$driver" >/dev/null 2>&1; then
    echo "setup-browser: $(command -v "$browser") and $(command -v "$driver") installed"
    exit 0
fi
echo "setup-browser: chromium or chromedriver still missing after apt-get; set TAZAN_CHROMIUM / TAZAN_CHROMEDRIVER" >&2
exit 1
