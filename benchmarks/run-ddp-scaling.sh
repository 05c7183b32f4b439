#!/usr/bin/env bash
# Data-parallel scaling of an MLP 784-512-512-10 on this machine, one compute thread per rank, Kindling DDP over gloo
# next to PyTorch DDP over gloo (Debian's python3-torch): benchmarks/run-ddp-scaling.sh [steps] [batch per rank] [warm-up steps]
# Prints each configuration's global throughput; efficiency E = throughput(2 ranks) / (2 x throughput(1 process)).
# `nosync` runs the two ranks without any gradient communication: what two processes side by side cost by themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-200}"
batch="${2:-64}"
# C2 keeps compiling for a few seconds: with 300 warm-up steps two ranks side by side ran at 6.7-7.1 ms a step instead of
# 3.5-3.9, their compiler threads taking the CPU the other rank computes on (a single process has an idle CPU for them)
warmup="${3:-2000}"
# shellcheck source=classpath.sh
. benchmarks/classpath.sh
JVM=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector -XX:ActiveProcessorCount=1 -Dkindling.cpu.threads=1 -Xmx1g)
lscpu | grep "Model name" || true
java "${JVM[@]}" -cp "$CP" dev.kindling.benchmarks.DdpScaling "$steps" "$warmup" "$batch" true 2>&1 | grep kindling
for mode in true false nosync; do
  jvm_args=(); for a in "${JVM[@]}"; do jvm_args+=(--jvm-arg "$a"); done
  java -cp "$CP" dev.kindling.run.KindlingRun --nproc-per-node 2 --master-port $((29500 + RANDOM % 1000)) "${jvm_args[@]}" \
    --classpath "$CP" -- dev.kindling.benchmarks.DdpScaling "$steps" "$warmup" "$batch" "$mode" 2>&1 | grep kindling
done
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 benchmarks/pytorch_ddp.py "$steps" "$warmup" "$batch"
  # Debian's torchrun fails on Python 3.11 (AttributeError in to_map), so the two ranks are started by hand.
  for mode in sync nosync; do
    port=$((29500 + RANDOM % 1000))
    for r in 0 1; do
      RANK=$r WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port /usr/bin/python3 benchmarks/pytorch_ddp.py "$steps" "$warmup" "$batch" "$mode" &
    done
    wait
  done
fi
uptime
