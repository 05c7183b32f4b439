package dev.kindling.run;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What {@link KindlingRun} reports about the ranks it runs. The command line prints their output with a
 * {@code [rankN]: } prefix; a program that launches ranks itself (the shell's {@code kindling:train --nproc}) reads
 * their lines, tracks their processes and shows them. Calls come from the launcher's threads (one per output stream),
 * so implementations must be thread-safe.
 */
@ConsumerType
public interface RankListener {
    /** Rank {@code rank}'s JVM has started; {@code attempt} is 0, and one more after each restart. */
    default void started(int rank, int localRank, int attempt, ProcessHandle process) {}

    /** A line the rank wrote to its standard output ({@code error} false) or standard error. */
    void output(int rank, boolean error, String line);

    /** Rank {@code rank}'s JVM of {@code attempt} has ended with {@code exitCode} (also when the launcher killed it). */
    default void exited(int rank, int localRank, int attempt, int exitCode) {}

    /**
     * Rank {@code rank} failed with {@code exitCode} and every rank was stopped; {@code restart} is the restart that
     * follows (1 for the first), or 0 when none is left and the run ends.
     */
    default void failed(int rank, int localRank, int exitCode, int restart) {}
}
