#!/usr/bin/env bash
# Compiles the JNI shim over Open MPI into target/classes/lib/ when the machine has mpicxx (libopenmpi-dev);
# otherwise says why and builds nothing (the mpi backend then reports itself unavailable).
#   build.sh <java.home> <output dir> <bnd include file>
set -euo pipefail
java_home="$1"
out="$2"
bnd_include="$3"
mkdir -p "$(dirname "$bnd_include")"
: > "$bnd_include"
src="$(dirname "$0")/kindling_mpi.cpp"
[ -d "$java_home/include" ] || java_home="$(dirname "$java_home")"
if [ -n "${KINDLING_SKIP_NATIVES:-}" ]; then
  echo "[kindling-mpi] KINDLING_SKIP_NATIVES is set: the mpi natives are not built"; rm -f "$out/libkindling_mpi.so"; exit 0
fi
if ! command -v mpicxx >/dev/null 2>&1; then
  echo "[kindling-mpi] mpicxx not found: the mpi natives are not built (apt-get install libopenmpi-dev openmpi-bin)"; exit 0
fi
if [ ! -f "$java_home/include/jni.h" ]; then
  echo "[kindling-mpi] jni.h not found under $java_home/include: the mpi natives are not built"; exit 0
fi
mkdir -p "$out"
lib="$out/libkindling_mpi.so"
if [ ! -f "$lib" ] || [ "$src" -nt "$lib" ]; then
  OMPI_CXX="${CXX:-g++}" mpicxx -std=c++17 -O2 -fPIC -shared -Wall -I"$java_home/include" -I"$java_home/include/linux" \
    "$src" -o "$lib" -ldl
  echo "[kindling-mpi] built $lib"
fi
echo "Bundle-NativeCode: lib/libkindling_mpi.so; osname=Linux; processor=x86-64" > "$bnd_include"
