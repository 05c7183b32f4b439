/**
 * {@code kindling-run}, torchrun for JVM jobs: {@link dev.kindling.run.KindlingRun} starts the ranks of a distributed
 * job as child JVMs with PyTorch's {@code env://} environment, watches them, kills all on the first failure and
 * restarts them up to {@code --max-restarts} times; as a plain {@code java -jar}, or from a program (the shell's
 * {@code kindling:train --nproc}) through {@link dev.kindling.run.KindlingRun#launcher} and a
 * {@link dev.kindling.run.RankListener}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.kindling.run;
