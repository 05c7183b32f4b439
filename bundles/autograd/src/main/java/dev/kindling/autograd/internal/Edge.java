package dev.kindling.autograd.internal;

/** Where a gradient goes: input slot {@code inputNr} of {@code node}. */
record Edge(Node node, int inputNr) {}
