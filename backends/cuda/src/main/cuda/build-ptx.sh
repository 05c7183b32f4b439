#!/usr/bin/env bash
# Regenerates the committed PTX of the CUDA backend from kindling_kernels.cu and checks that it assembles for the
# GPUs the backend targets. Needs the CUDA toolkit (nvcc, ptxas); the Maven build does not: it packages the committed
# PTX. Run after editing the .cu file, then commit both:
#   backends/cuda/src/main/cuda/build-ptx.sh          (or: mvn -pl backends/cuda -Pptx generate-resources)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/kindling_kernels.cu"
out="$here/../resources/dev/kindling/backend/cuda/kindling_kernels.ptx"
NVCC="${NVCC:-nvcc}"
PTXAS="${PTXAS:-ptxas}"

# compute_80 PTX: the driver JIT-compiles it for sm_80 and everything newer (H100 = sm_90).
"$NVCC" -arch=compute_80 -ptx -O3 -std=c++17 -o "$out.tmp" "$src"
# nvcc stamps the PTX with its own ISA version (9.0 for CUDA 13), which only CUDA 13 drivers load. The kernels use
# nothing newer than PTX ISA 7.0 (CUDA 11.0, the first with sm_80) -- ptxas below rejects the file if they ever do --
# so the stamp is lowered and any driver from CUDA 11.0 on can JIT-compile it.
PTX_ISA="${PTX_ISA:-7.0}"
sed -i "s/^\.version .*/.version $PTX_ISA/" "$out.tmp"
mv "$out.tmp" "$out"

# The PTX must assemble for Ampere and Hopper; ptxas fails loudly otherwise.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for arch in sm_80 sm_90; do
  "$PTXAS" -arch="$arch" -O3 -o "$tmp/k_$arch.cubin" "$out"
  echo "ptxas -arch=$arch: ok ($(stat -c %s "$tmp/k_$arch.cubin") bytes of SASS)"
done
echo "wrote $out ($(grep -c '^.visible .entry' "$out") kernels)"
