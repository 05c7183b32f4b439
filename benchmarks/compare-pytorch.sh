#!/usr/bin/env bash
# Kindling vs PyTorch on this machine, side by side: each workload runs in Kindling and in PyTorch alternately,
# ROUNDS times (a fresh JVM / interpreter each time, both on THREADS threads), and each round gives one ratio
# (Kindling / PyTorch for throughputs, PyTorch / Kindling for per-op times, so > 1 means Kindling is faster).
# Prints min / median / max of the ratios per workload.
#
#   benchmarks/compare-pytorch.sh [ROUNDS [WORKLOAD...]]      (default: 3 rounds, every workload)
#   THREADS=1 benchmarks/compare-pytorch.sh 3 sgemm1024        (one thread on both sides)
#   SKIP_BUILD=1 ...                                            (reuse the last build)
#
# PyTorch: /usr/bin/python3 with torch (Debian: apt-get install python3-torch); Fashion-MNIST from
# /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"
shift || true
WORKLOADS=("$@")
if [ ${#WORKLOADS[@]} -eq 0 ]; then
  WORKLOADS=(mlp_train cnn_train mlp_infer sgemm1024 add1 graph3 add_large relu_large sum_large)
fi
THREADS="${THREADS:-2}"
PY=/usr/bin/python3

if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "PyTorch is not installed here (/usr/bin/python3 cannot import torch): nothing to compare against."
  echo "Install it with: apt-get install python3-torch   (and dataset-fashion-mnist for the training workloads)"
  exit 2
fi

BLAS=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || true)
case "$BLAS" in
  *openblas*) ;;
  *) echo "# WARNING: PyTorch's BLAS here is '${BLAS:-unknown}', not OpenBLAS: its matrix products run on the reference"
     echo "#          BLAS, 30x slower. apt-get install libopenblas0-pthread to compare against the usual setup." ;;
esac

if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -B -q -ntp install -DskipTests >/dev/null
  mvn -B -q -ntp -f benchmarks/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
fi
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
JAVA=(java -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector -Dkindling.cpu.threads="$THREADS"
      -Djava.util.concurrent.ForkJoinPool.common.parallelism="$((THREADS > 1 ? THREADS - 1 : 1))"
      -cp "$CP" dev.kindling.benchmarks.Workloads)

echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(java -version 2>&1 | head -1)"
echo "# peer: PyTorch $("$PY" -c 'import torch; print(torch.__version__)') with BLAS ${BLAS:-unknown}, threads=$THREADS, rounds=$ROUNDS, $(date -u +%Y-%m-%dT%H:%MZ)"
# A workload that gives no result (a missing data set, a crash) is reported with its first error line and skipped.
ERR="$(mktemp)"
trap 'rm -f "$ERR"' EXIT
printf '%-12s %-10s %12s %12s %8s %8s %8s %s\n' workload unit kindling pytorch min median max kindling_gc
for w in "${WORKLOADS[@]}"; do
  ratios=()
  ks=()
  ps=()
  gc=""
  unit=""
  for ((r = 0; r < ROUNDS; r++)); do
    k=$("${JAVA[@]}" "$w" 2>"$ERR" | grep '^RESULT' || true)
    [ -n "$k" ] || { echo "# $w: no result from Kindling: $(grep -m1 -E 'Exception|Error' "$ERR" || tail -1 "$ERR")" >&2; continue 2; }
    p=$(KINDLING_THREADS="$THREADS" "$PY" benchmarks/pytorch_workloads.py "$w" 2>"$ERR" | grep '^RESULT' || true)
    [ -n "$p" ] || { echo "# $w: no result from PyTorch: $(grep -m1 -E 'Exception|Error' "$ERR" || tail -1 "$ERR")" >&2; continue 2; }
    kv=$(echo "$k" | awk '{print $3}')
    pv=$(echo "$p" | awk '{print $3}')
    unit=$(echo "$k" | awk '{print $4}')
    gc=$(echo "$k" | awk '{print $5}')
    ks+=("$kv")
    ps+=("$pv")
    if [ "$unit" = "us/op" ]; then
      ratios+=("$(awk -v a="$pv" -v b="$kv" 'BEGIN{printf "%.3f", a / b}')")
    else
      ratios+=("$(awk -v a="$kv" -v b="$pv" 'BEGIN{printf "%.3f", a / b}')")
    fi
  done
  med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
  sorted=$(printf '%s\n' "${ratios[@]}" | sort -g)
  printf '%-12s %-10s %12s %12s %8s %8s %8s %s\n' "$w" "$unit" "$(med "${ks[@]}")" "$(med "${ps[@]}")" \
    "$(echo "$sorted" | head -1)" "$(med "${ratios[@]}")" "$(echo "$sorted" | tail -1)" "$gc"
done
echo "# ratio > 1: Kindling faster (throughput ratio, or PyTorch time / Kindling time for us/op workloads)"
