#!/usr/bin/env bash
# Install Microsoft Presidio with GiNZA (Japanese spaCy model) into a venv, for
# `tazan bench sanitize --presidio` (the side-by-side speed figure in BENCHMARKS.md).
#
#   TAZAN_PRESIDIO_VENV  where the venv goes (default ~/.cache/tazan/presidio-venv)
#   PYTHON               interpreter to build it with (default python3; 3.9–3.12)
#
# Only PyPI packages: presidio-analyzer, presidio-anonymizer, ginza, ja-ginza.
# Idempotent: an existing venv that imports all four is left as it is.
# Prints the venv's python on the last line.
set -euo pipefail

venv="${TAZAN_PRESIDIO_VENV:-$HOME/.cache/tazan/presidio-venv}"
python="${PYTHON:-python3}"
check='import presidio_analyzer, presidio_anonymizer, ginza, ja_ginza'

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
    echo "setup-presidio: Presidio and GiNZA already in $venv" >&2
    echo "$venv/bin/python"
    exit 0
fi

echo "setup-presidio: creating $venv with $("$python" --version 2>&1)" >&2
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet \
    presidio-analyzer presidio-anonymizer ginza ja-ginza
"$venv/bin/python" -c "$check"
echo "setup-presidio: ready" >&2
echo "$venv/bin/python"
