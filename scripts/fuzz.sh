#!/usr/bin/env bash
# Coverage-guided fuzzing of tazan's decoders, parsers and recognisers with
# afl++ on stable Rust (targets: crates/tazan-fuzz; harness: fuzz/).
#
#   scripts/fuzz.sh setup                  install afl++ (Debian apt), if missing
#   scripts/fuzz.sh build                  build the instrumented harness
#   scripts/fuzz.sh run [TARGET...]        fuzz each target (default: all), one after another
#   scripts/fuzz.sh report                 executions, crashes and hangs per target
#
#   FUZZ_EXECS    executions per target for `run` (default 10000000)
#   FUZZ_SECONDS  stop a target after this many seconds instead (optional)
#   FUZZ_OUT      afl output directory (default fuzz/out)
#   FUZZ_TIMEOUT_MS  afl-fuzz -t per execution (default 2000)
#   FUZZ_NICE     niceness afl-fuzz runs at (default 19)
#
# No cargo-afl binary is needed: the harness is built with the same
# sanitizer-coverage flags cargo-afl uses and linked against the afl++
# runtime Debian ships (/usr/lib/afl/afl-compiler-rt.o). The build is not
# niced (it must finish on a busy machine); afl-fuzz runs under `nice -n 19`
# (FUZZ_NICE; the machine is shared) and resumes a target's queue when its
# output directory already exists. A crash input is kept in
# $FUZZ_OUT/TARGET/default/crashes; copy it to fuzz/regressions/TARGET/ with
# the fix, and `cargo test -p tazan-fuzz` replays it from then on.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${FUZZ_OUT:-$root/fuzz/out}"
execs="${FUZZ_EXECS:-10000000}"
timeout_ms="${FUZZ_TIMEOUT_MS:-2000}"
niceness="${FUZZ_NICE:-19}"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin="$root/fuzz/target/$triple/release/tazan-fuzz-afl"
rt=/usr/lib/afl/afl-compiler-rt.o
all_targets=(envelope canonical policy config import sanitize)

setup() {
    if command -v afl-fuzz >/dev/null && [ -f "$rt" ]; then
        echo "fuzz: afl++ present ($(command -v afl-fuzz))"
        return
    fi
    apt-get install -y afl++
}

build() {
    setup
    # --target keeps these flags off build scripts and proc macros.
    RUSTFLAGS="--cfg fuzzing -C debug-assertions -C overflow-checks \
-C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=3 \
-C llvm-args=-sanitizer-coverage-trace-pc-guard \
-C llvm-args=-sanitizer-coverage-prune-blocks=0 \
-C link-arg=$rt" \
        cargo build --release --manifest-path "$root/fuzz/Cargo.toml" --target "$triple"
}

run() {
    [ -x "$bin" ] || build
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
    for t in "${targets[@]}"; do
        local input="$root/fuzz/seeds/$t"
        [ -d "$out/$t/default/queue" ] && input=-
        local limit=(-E "$execs")
        [ -n "${FUZZ_SECONDS:-}" ] && limit=(-V "$FUZZ_SECONDS")
        echo "fuzz: $t (${limit[*]})"
        mkdir -p "$out/$t"
        AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
            AFL_QUIET=1 nice -n "$niceness" afl-fuzz -i "$input" -o "$out/$t" "${limit[@]}" -t "$timeout_ms" \
            -- "$bin" "$t" >"$out/$t/afl.log" 2>&1 || {
            echo "fuzz: afl-fuzz failed for $t; see $out/$t/afl.log" >&2
            tail -20 "$out/$t/afl.log" >&2
            exit 1
        }
    done
    report
}

report() {
    printf '%-10s %14s %10s %8s %6s %8s\n' target executions "execs/s" crashes hangs "run s"
    local bad=0
    for t in "${all_targets[@]}"; do
        local stats="$out/$t/default/fuzzer_stats"
        [ -f "$stats" ] || continue
        local v
        v() { sed -n "s/^$1 *: *//p" "$stats"; }
        printf '%-10s %14s %10s %8s %6s %8s\n' "$t" "$(v execs_done)" "$(v execs_per_sec)" \
            "$(v saved_crashes)" "$(v saved_hangs)" "$(v run_time)"
        [ "$(v saved_crashes)" = 0 ] && [ "$(v saved_hangs)" = 0 ] || bad=1
    done
    return $bad
}

case "${1:-}" in
setup) setup ;;
build) build ;;
run) shift; run "$@" ;;
report) report ;;
*) sed -n '2,20p' "$0"; exit 2 ;;
esac
