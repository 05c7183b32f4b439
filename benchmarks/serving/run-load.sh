#!/usr/bin/env bash
# Bounded load test of kindling:serve on loopback: the distribution serves a 64-128-10 MLP (dynamic batching, max 32 rows,
# no queue delay) and wrk posts one-row OIP v2 infer requests at concurrency C for D. With RELOADS=N it also writes a new
# version of the model N times during the run (hot reloads under load); with QUEUE=N the model's queue holds N requests.
# It reports wrk's figures and the server's own counts of answers by status code, loads and rows per batch.
# Usage: benchmarks/serving/run-load.sh [C=64] [D=30s]   (from the repository root, after `mvn package`)
set -euo pipefail
C=${1:-64}
D=${2:-30s}
RELOADS=${RELOADS:-0}
PORT=${PORT:-18080}
HERE=$(cd "$(dirname "$0")" && pwd)
KHOME=${KINDLING_HOME:-$HERE/../../distribution/target/kindling}
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install wrk)" >&2; exit 2; }
REPO=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$REPO" "$REPO.log"' EXIT
CP=$(ls "$KHOME"/bundle/*.jar | tr '\n' ':')
# every model up front (version 1 and the RELOADS new versions), so the reloads during the run are only renames
OUT_DIR="$REPO/.staging" COUNT=$((RELOADS + 1)) jshell -R-XX:+IgnoreUnrecognizedVMOptions -R--add-modules=jdk.incubator.vector --class-path "$CP" "$HERE/make-model.jsh" >/dev/null
mkdir -p "$REPO/mlp" && mv "$REPO/.staging/1" "$REPO/mlp/1"
# QUEUE=N: a queue of N requests, to see the overflow answered 429 (and nothing else fail)
[ -n "${QUEUE:-}" ] && echo "{\"dynamic_batching\": {\"max_queue_size\": $QUEUE}}" > "$REPO/mlp/config.json"
# kindling:serve --wait keeps the launcher (and the server) running until it is killed.
SECS=${D%s}
"$KHOME/bin/kindling" -c "kindling:serve $REPO --port $PORT --wait" >"$REPO.log" 2>&1 &
SERVER=$!
for i in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null || { echo "the server did not become ready:"; cat "$REPO.log"; exit 1; }
wrk -t2 -c"$C" -d5s -s "$HERE/infer.lua" "http://127.0.0.1:$PORT/v2/models/mlp/infer" >/dev/null   # warm-up (JIT)
if [ "$RELOADS" -gt 0 ]; then
  ( for v in $(seq 2 $((RELOADS + 1))); do
      sleep $(( SECS / (RELOADS + 1) ))
      mv "$REPO/.staging/$v" "$REPO/mlp/$v"
    done ) &
  RELOADER=$!
fi
echo "concurrency $C, duration $D, reloads $RELOADS, queue ${QUEUE:-256}, $(nproc) cores: $(lscpu | sed -n 's/^Model name: *//p')"
wrk -t2 -c"$C" -d"$D" --timeout 10s -s "$HERE/infer.lua" "http://127.0.0.1:$PORT/v2/models/mlp/infer"
if [ -n "${RELOADER:-}" ]; then wait "$RELOADER" || echo "the reloading loop failed (status $?)"; fi
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^kindling_(inference_requests_total|model_loads_total)' || true
# rows per batch, over all versions
curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^kindling_inference_batch_size_sum/{s+=$2} /^kindling_inference_batch_size_count/{c+=$2} END{if (c) printf "batches %d, rows %d, mean rows per batch %.2f\n", c, s, s/c}'

