#!/usr/bin/env bash
# Side-by-side throughput: the reference uni2ts Moirai-MoE forecast path and patchcast's port, same
# CPU, same thread count, random weights of the released small shapes, context 512.
#
#   tools/bench-vs-reference.sh UNI2TS_SRC REF_BENCH_PY [THREADS]
#
# UNI2TS_SRC: a checkout of SalesforceAIResearch/uni2ts; REF_BENCH_PY: the project's
# shared/tools/moirai-moe-ref-bench.py. REF_PYTHON: the Python that runs the reference (default
# /usr/bin/python3 with Debian's python3-torch, apt-get install python3-torch, built with a generic
# BLAS; a PyTorch wheel, built with MKL, ran the reference 6 to 35 times faster here, so name the
# build with the figures). Prints one JSON line per case: {"case":..,"batch":..,
# "reference_series_per_s":..,"patchcast_series_per_s":..,"ratio":..}. Run it on an otherwise idle
# machine: both sides are timed one after the other.
set -euo pipefail
UNI2TS=${1:?uni2ts source dir}
REF=${2:?moirai-moe-ref-bench.py}
THREADS=${3:-2}
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

ref() { # case horizon samples batches reps
  "${REF_PYTHON:-/usr/bin/python3}" "$REF" --uni2ts "$UNI2TS" --config small --device cpu --threads "$THREADS" \
    --context 512 --horizon "$2" --samples "$3" --batches "$4" --reps "$5" 2>/dev/null \
    | grep '^{"batch"' > "$TMP/ref-$1.jsonl"
}
ours() { # horizon samples batch
  "$ROOT/bin/patchcast" bench --config small --context 512 --horizon "$1" --samples "$2" \
    --batch "$3" --threads "$THREADS" --no-baseline 2>/dev/null | tail -1
}
report() { # case horizon samples
  while read -r line; do
    b=$(sed -E 's/.*"batch": ([0-9]+).*/\1/' <<<"$line")
    r=$(sed -E 's/.*"series_per_s": ([0-9.e+-]+).*/\1/' <<<"$line")
    o=$(ours "$2" "$3" "$b" | sed -E 's/.*"series_per_s":([0-9.e+-]+).*/\1/')
    python3 -c "import json;print(json.dumps({'case':'$1','horizon':$2,'samples':$3,'batch':$b,'threads':$THREADS,'reference_series_per_s':round($r,4),'patchcast_series_per_s':$o,'ratio':round($o/$r,1)}))"
  done < "$TMP/ref-$1.jsonl"
}
ref a 16 100 1,8,64 3
report a 16 100
ref b 64 100 1 1
report b 64 100
