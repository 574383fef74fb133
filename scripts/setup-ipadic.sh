#!/usr/bin/env bash
# Make the IPADIC sources available to tazan-sanitize's dictionary recogniser.
#
# tazan-sanitize compiles Debian's `mecab-ipadic` sources (EUC-JP CSV + .def files)
# into a lindera dictionary at first use and caches it. This script only makes sure
# the sources are on disk; it is idempotent and safe to run on every test run.
#
#   TAZAN_IPADIC_DIR  where the sources are (default /usr/share/mecab/dic/ipadic)
#
# Exit status: 0 when the sources are present afterwards, 1 otherwise (a node then
# refuses GREEN and CLEAR lessons with a message pointing here, unless its policy
# sets `require_dictionary = false`). Nothing else installs them: not the build.
set -euo pipefail

dir="${TAZAN_IPADIC_DIR:-/usr/share/mecab/dic/ipadic}"

if [ -f "$dir/matrix.def" ] && [ -f "$dir/char.def" ]; then
    echo "setup-ipadic: IPADIC sources found in $dir"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-ipadic: apt-get not available; install the mecab-ipadic sources and set TAZAN_IPADIC_DIR" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "setup-ipadic: not root and no sudo; run 'apt-get install -y mecab-ipadic' as root" >&2
        exit 1
    fi
fi

echo "setup-ipadic: installing mecab-ipadic (IPADIC sources) with apt-get"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends mecab-ipadic >/dev/null 2>&1 || {
    $sudo apt-get update >/dev/null
    $sudo apt-get install -y --no-install-recommends mecab-ipadic >/dev/null
}

if [ -f "$dir/matrix.def" ]; then
    echo "setup-ipadic: IPADIC sources installed in $dir"
    exit 0
fi
echo "setup-ipadic: mecab-ipadic installed but $dir/matrix.def is missing; set TAZAN_IPADIC_DIR" >&2
exit 1
