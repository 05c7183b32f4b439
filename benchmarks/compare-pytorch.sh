#!/usr/bin/env bash
# Kindling vs PyTorch on this machine, side by side, each side at its best thread count: every round runs each workload
# in Kindling at its default thread use and on 1 thread, and in PyTorch on 1 and on 2 threads (a fresh JVM / interpreter
# each time, alternating), and takes each side's best of that round. A round's ratio is Kindling's best / PyTorch's best
# for throughputs (PyTorch's best time / Kindling's best for per-op times), so > 1 means Kindling is faster.
# Prints, per workload, the median over rounds of each configuration, each side's best configuration and the min /
# median / max of the per-round ratios of bests; the header names the CPU model and its vector ISA.
#
#   benchmarks/compare-pytorch.sh [ROUNDS [WORKLOAD...]]      (default: 3 rounds, every workload)
#   THREADS=1 benchmarks/compare-pytorch.sh 3 sgemm1024        (one fixed thread count on both sides instead)
#   KINDLING_CONFIGS="default 1 2" PYTORCH_THREADS="1 2" ...   (the configurations tried; "default" = no thread setting)
#   SKIP_BUILD=1 ...                                            (reuse the last build)
#   MVN_ARGS=-o ...                                             (extra Maven arguments, e.g. offline)
#   KINDLING_JAVA_OPTS="-Dkindling.cpu.vectorBits=256" ...      (extra JVM options for Kindling's side)
#
# The build is a package of the modules the benchmarks need, inside this checkout (nothing is installed in ~/.m2), and
# the classpath is resolved in the same reactor, so it points at this checkout's jars and never at stale snapshots.
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
if [ -n "${THREADS:-}" ]; then
  read -r -a KCONFIGS <<< "$THREADS"
  read -r -a PCONFIGS <<< "$THREADS"
else
  read -r -a KCONFIGS <<< "${KINDLING_CONFIGS:-default 1}"
  read -r -a PCONFIGS <<< "${PYTORCH_THREADS:-1 2}"
fi
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

# shellcheck source=classpath.sh
. benchmarks/classpath.sh

# The Kindling command line for a configuration: "default" sets no thread count, N caps the backend at N threads
kindling() {
  local c="$1"
  shift
  local opts=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector)
  if [ -n "${KINDLING_JAVA_OPTS:-}" ]; then
    local extra
    read -r -a extra <<< "$KINDLING_JAVA_OPTS"
    opts+=("${extra[@]}")
  fi
  if [ "$c" != default ]; then
    opts+=(-Dkindling.cpu.threads="$c" -Djava.util.concurrent.ForkJoinPool.common.parallelism="$((c > 1 ? c - 1 : 1))")
  fi
  java "${opts[@]}" -cp "$CP" dev.kindling.benchmarks.Workloads "$@"
}

FLAGS=$( (lscpu 2>/dev/null || true) | sed -n 's/^Flags:[[:space:]]*//p')
[ -n "$FLAGS" ] || FLAGS=$(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2)
has() { [[ " $FLAGS " == *" $1 "* ]]; }
if has avx512f; then ISA="AVX-512 (avx512f)"; elif has avx2; then ISA="AVX2"; else ISA="no AVX2"; fi
EXTRA=""
for f in fma avx512_bf16 avx512_vnni amx_tile; do has "$f" && EXTRA="$EXTRA $f"; done
MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
# family and model numbers tell the generation where a VM's model name does not (AMD family 25: Zen 3 and Zen 4)
FAMILY=$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')
MODELNO=$(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')

echo "# cpu: $MODEL (family $FAMILY, model $MODELNO), $(nproc) CPUs, vector ISA: $ISA${EXTRA:+, with$EXTRA}"
echo "# kindling: $(java -version 2>&1 | head -1), configurations: ${KCONFIGS[*]} (threads; default = Kindling's own choice)${KINDLING_JAVA_OPTS:+, options: $KINDLING_JAVA_OPTS}"
echo "# peer: PyTorch $("$PY" -c 'import torch; print(torch.__version__)') with BLAS ${BLAS:-unknown}, threads: ${PCONFIGS[*]}"
echo "# rounds=$ROUNDS, $(date -u +%Y-%m-%dT%H:%MZ)"
# A workload that gives no result (a missing data set, a crash) is reported with its first error line and skipped.
ERR="$(mktemp)"
trap 'rm -f "$ERR"' EXIT

med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
# best VALUE... : the largest, or for us/op (lower is better) the smallest
best() { local u="$1"; shift; if [ "$u" = "us/op" ]; then printf '%s\n' "$@" | sort -g | head -1; else printf '%s\n' "$@" | sort -g | tail -1; fi; }

printf '%-12s %-10s %-28s %-28s %7s %7s %7s  %s\n' workload unit "kindling best (threads)" "pytorch best (threads)" min median max "medians per configuration"
for w in "${WORKLOADS[@]}"; do
  declare -A KV=() PV=()
  ratios=()
  unit=""
  for ((r = 0; r < ROUNDS; r++)); do
    kround=()
    pround=()
    for c in "${KCONFIGS[@]}"; do
      k=$(kindling "$c" "$w" 2>"$ERR" | grep '^RESULT' || true)
      [ -n "$k" ] || { echo "# $w: no result from Kindling ($c): $(grep -m1 -E 'Exception|Error' "$ERR" || tail -1 "$ERR")" >&2; continue 3; }
      unit=$(echo "$k" | awk '{print $4}')
      v=$(echo "$k" | awk '{print $3}')
      KV[$c]="${KV[$c]:-} $v"
      kround+=("$v")
    done
    for t in "${PCONFIGS[@]}"; do
      p=$(KINDLING_THREADS="$t" "$PY" benchmarks/pytorch_workloads.py "$w" 2>"$ERR" | grep '^RESULT' || true)
      [ -n "$p" ] || { echo "# $w: no result from PyTorch ($t): $(grep -m1 -E 'Exception|Error' "$ERR" || tail -1 "$ERR")" >&2; continue 3; }
      v=$(echo "$p" | awk '{print $3}')
      PV[$t]="${PV[$t]:-} $v"
      pround+=("$v")
    done
    kb=$(best "$unit" "${kround[@]}")
    pb=$(best "$unit" "${pround[@]}")
    if [ "$unit" = "us/op" ]; then
      ratios+=("$(awk -v a="$pb" -v b="$kb" 'BEGIN{printf "%.3f", a / b}')")
    else
      ratios+=("$(awk -v a="$kb" -v b="$pb" 'BEGIN{printf "%.3f", a / b}')")
    fi
  done
  # each configuration's median over the rounds; each side's best configuration by that median
  detail=""
  kbest="" kbc="" pbest="" pbc=""
  for c in "${KCONFIGS[@]}"; do
    # shellcheck disable=SC2086
    m=$(med ${KV[$c]})
    detail="$detail k$c=$m"
    if [ -z "$kbest" ] || [ "$(best "$unit" "$kbest" "$m")" = "$m" ]; then kbest=$m; kbc=$c; fi
  done
  for t in "${PCONFIGS[@]}"; do
    # shellcheck disable=SC2086
    m=$(med ${PV[$t]})
    detail="$detail p$t=$m"
    if [ -z "$pbest" ] || [ "$(best "$unit" "$pbest" "$m")" = "$m" ]; then pbest=$m; pbc=$t; fi
  done
  sorted=$(printf '%s\n' "${ratios[@]}" | sort -g)
  printf '%-12s %-10s %-28s %-28s %7s %7s %7s %s\n' "$w" "$unit" "$kbest ($kbc)" "$pbest ($pbc)" \
    "$(echo "$sorted" | head -1)" "$(med "${ratios[@]}")" "$(echo "$sorted" | tail -1)" "$detail"
  unset KV PV
done
echo "# ratio (per round, of each side's best configuration in that round) > 1: Kindling faster"
