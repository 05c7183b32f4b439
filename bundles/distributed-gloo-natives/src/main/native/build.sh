#!/usr/bin/env bash
# Compiles the JNI shim over libgloo into target/classes/lib/ when the machine has g++ and libgloo-dev; otherwise
# says why and builds nothing (the bundle then carries no natives and the gloo backend reports itself unavailable).
#   build.sh <java.home> <output dir> <bnd include file>
set -euo pipefail
java_home="$1"
out="$2"
bnd_include="$3"
mkdir -p "$(dirname "$bnd_include")"
: > "$bnd_include"
src="$(dirname "$0")/kindling_gloo.cpp"
[ -d "$java_home/include" ] || java_home="$(dirname "$java_home")"
if [ -n "${KINDLING_SKIP_NATIVES:-}" ]; then
  echo "[kindling-gloo] KINDLING_SKIP_NATIVES is set: the gloo natives are not built"; rm -f "$out/libkindling_gloo.so"; exit 0
fi
if ! command -v g++ >/dev/null 2>&1; then
  echo "[kindling-gloo] g++ not found: the gloo natives are not built (apt-get install g++ libgloo-dev)"; exit 0
fi
if [ ! -f /usr/include/gloo/allreduce.h ]; then
  echo "[kindling-gloo] /usr/include/gloo missing: the gloo natives are not built (apt-get install libgloo-dev)"; exit 0
fi
if [ ! -f "$java_home/include/jni.h" ]; then
  echo "[kindling-gloo] jni.h not found under $java_home/include: the gloo natives are not built"; exit 0
fi
mkdir -p "$out"
lib="$out/libkindling_gloo.so"
if [ ! -f "$lib" ] || [ "$src" -nt "$lib" ]; then
  g++ -std=c++17 -O2 -fPIC -shared -Wall -Wno-sign-compare -I"$java_home/include" -I"$java_home/include/linux" \
    "$src" -o "$lib" -lgloo
  echo "[kindling-gloo] built $lib"
fi
echo "Bundle-NativeCode: lib/libkindling_gloo.so; osname=Linux; processor=x86-64" > "$bnd_include"
