#!/usr/bin/env bash
# Runs Kindling's JMH benchmarks: benchmarks/run.sh [JMH options, e.g. AutogradBenchmark -f 1 -wi 3 -i 5]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=classpath.sh
. benchmarks/classpath.sh
exec java -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main "$@"
