#!/usr/bin/env bash
# Fuzzes one tg target with libFuzzer for a while:
#
#   scripts/fuzz.sh parse|compile|npy|capi SECONDS [LIBFUZZER_FLAGS...]
#
# Builds the targets (ASan + UBSan + coverage, -DTG_FUZZ=ON) in build-asan
# (or $TG_BUILD_DIR), writes the seed corpus (tools/tg-fuzz/make_corpus.py:
# the test and example programs, .npy files of every dtype, C API calls) and
# runs from it, keeping what it finds new in build-asan/fuzz/TARGET/corpus
# and any crasher in build-asan/fuzz/TARGET/crashes. docs/fuzzing.md records
# the runs.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh parse|compile|npy|capi SECONDS [flags]}
seconds=${2:-60}
shift 2 || shift $#
case "$target" in
  parse) max_len=8192 ;;
  compile) max_len=4096 ;;
  npy) max_len=4096 ;;
  capi) max_len=256 ;;
  *) echo "fuzz: unknown target '$target' (parse, compile, npy or capi)" >&2; exit 1 ;;
esac
export TG_BUILD_DIR=${TG_BUILD_DIR:-build-asan}
TG_SANITIZE=${TG_SANITIZE:-address,undefined} TG_FUZZ=ON bash scripts/build.sh >/dev/null
work=$TG_BUILD_DIR/fuzz/$target
mkdir -p "$work/corpus" "$work/crashes"
/usr/bin/python3 tools/tg-fuzz/make_corpus.py "$target" "$work/seeds"
# Leaks are checked per input; UBSan reports abort (and so are crashes).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$TG_BUILD_DIR/bin/tg-fuzz-$target" "$work/corpus" "$work/seeds" \
  -dict=tools/tg-fuzz/tg.dict -max_total_time="$seconds" -max_len="$max_len" \
  -timeout=60 -rss_limit_mb=8192 -artifact_prefix="$work/crashes/" \
  -print_final_stats=1 "$@"
