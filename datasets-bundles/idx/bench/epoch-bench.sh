#!/usr/bin/env bash
# One DataLoader epoch over Fashion-MNIST: 60,000 images, batch 64, shuffle, ToTensor + Normalize.
# Usage: datasets-bundles/idx/bench/epoch-bench.sh [workers=2] [epochs=12] [root=/usr/share/datasets/fashion-mnist] [fast|generic]
# ("generic" puts an identity Lambda first, which turns off the readers' bytes-to-float fast path.)
# Needs the data (apt-get install dataset-fashion-mnist) and the module built (mvn -o install -f datasets-bundles/idx/pom.xml).
# JAVA_HOME selects the JDK (e.g. /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector --sun-misc-unsafe-memory-access=allow \
  -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.kindling.datasets.idx.EpochBench "$@"
