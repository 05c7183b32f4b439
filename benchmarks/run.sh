#!/usr/bin/env bash
# Runs Kindling's JMH benchmarks: benchmarks/run.sh [JMH options, e.g. AutogradBenchmark -f 1 -wi 3 -i 5]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests >/dev/null
mvn -B -q -ntp -f benchmarks/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main "$@"
