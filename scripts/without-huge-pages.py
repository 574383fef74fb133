#!/usr/bin/env python3
"""Run a command with transparent huge pages disallowed for it and its
children (PR_SET_THP_DISABLE, kept across exec), to compare a `tazan` command
with and without them (BENCHMARKS.md, "Sixth round").

    scripts/without-huge-pages.py ./target/release/tazan bench sanitize --records 10000
"""
import ctypes
import os
import sys

PR_SET_THP_DISABLE = 41
if len(sys.argv) < 2:
    sys.exit(__doc__)
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0:
    sys.exit(f"prctl(PR_SET_THP_DISABLE) failed: {os.strerror(ctypes.get_errno())}")
os.execvp(sys.argv[1], sys.argv[1:])
