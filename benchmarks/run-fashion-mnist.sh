#!/usr/bin/env bash
# Trains on Fashion-MNIST with Kindling: benchmarks/run-fashion-mnist.sh mlp|cnn EPOCHS [LR [sgd|adam [cosine]]]
# (PyTorch side: /usr/bin/python3 benchmarks/pytorch_fashion_mnist.py with the same arguments.)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=classpath.sh
. benchmarks/classpath.sh
exec java -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector \
  -cp "$CP" dev.kindling.benchmarks.FashionMnistTraining "$@"
