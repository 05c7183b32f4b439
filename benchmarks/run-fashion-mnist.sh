#!/usr/bin/env bash
# Trains on Fashion-MNIST with Kindling: benchmarks/run-fashion-mnist.sh mlp|cnn EPOCHS [LR [sgd|adam [cosine]]]
# (PyTorch side: /usr/bin/python3 benchmarks/pytorch_fashion_mnist.py with the same arguments.)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp install -DskipTests >/dev/null
mvn -B -q -ntp -f benchmarks/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt" >/dev/null
exec java -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" dev.kindling.benchmarks.FashionMnistTraining "$@"
