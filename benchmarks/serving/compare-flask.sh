#!/usr/bin/env bash
# Kindling's server against the seed approach (flask_app.py: Flask + PyTorch under gunicorn, one sync worker per core),
# same MLP file, same OIP request body, same machine, one after the other, each measured with wrk at concurrency C for D.
# Needs wrk (Debian) and a Python with flask, gunicorn, torch and safetensors: PYTHON=/path/to/venv/bin/python.
# Usage: PYTHON=... benchmarks/serving/compare-flask.sh [C=64] [D=30s]   (from the repository root, after `mvn package`)
set -euo pipefail
C=${1:-64}
D=${2:-30s}
PYTHON=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
KHOME=${KINDLING_HOME:-$HERE/../../distribution/target/kindling}
KPORT=18080
FPORT=18090
REPO=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$REPO" "$REPO".*.log' EXIT
CP=$(ls "$KHOME"/bundle/*.jar | tr '\n' ':')
OUT_DIR="$REPO/mlp" COUNT=1 jshell -R-XX:+IgnoreUnrecognizedVMOptions -R--add-modules=jdk.incubator.vector --class-path "$CP" "$HERE/make-model.jsh" >/dev/null

wait_ready() { for i in $(seq 1 300); do curl -fs -o /dev/null -X POST -H "Content-Type: application/json" -d "$2" "$1" && return 0; sleep 0.2; done; echo "no answer from $1" >&2; return 1; }
run() { # name url
  wrk -t2 -c"$C" -d5s -s "$HERE/infer.lua" "$2" >/dev/null   # warm-up
  echo "== $1: concurrency $C, $D"
  wrk -t2 -c"$C" -d"$D" --timeout 10s -s "$HERE/infer.lua" "$2" | grep -E "Requests/sec|requests in|errors|p50"
}
echo "$(nproc) cores: $(lscpu | sed -n 's/^Model name: *//p'); load average $(cut -d' ' -f1-3 /proc/loadavg)"

"$KHOME/bin/kindling" -c "kindling:serve $REPO --port $KPORT --wait" >"$REPO.kindling.log" 2>&1 &
PIDS+=($!)
KURL="http://127.0.0.1:$KPORT/v2/models/mlp/infer"
wait_ready "$KURL" "$(cat "$HERE/body.json")"
run kindling "$KURL"
KANSWER=$(curl -s -X POST -d @"$HERE/body.json" "$KURL")
kill "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true

(cd "$HERE" && MODEL="$REPO/mlp/1/model.safetensors" exec "$PYTHON" -m gunicorn -w "$(nproc)" -b "127.0.0.1:$FPORT" --log-level warning flask_app:app) >"$REPO.flask.log" 2>&1 &
PIDS+=($!)
FURL="http://127.0.0.1:$FPORT/v2/models/mlp/infer"
wait_ready "$FURL" "$(cat "$HERE/body.json")"
run "flask+gunicorn (-w $(nproc))" "$FURL"
FANSWER=$(curl -s -X POST -H 'Content-Type: application/json' -d @"$HERE/body.json" "$FURL")
echo "kindling answers: $(echo "$KANSWER" | grep -o '"data":\[[^]]*\]' | cut -c1-80)"
echo "flask answers:    $(echo "$FANSWER" | grep -o '"data":\[[^]]*\]' | cut -c1-80)"
