package dev.kindling.train.internal;

/** How {@code kindling:stop} left a job that did not fail. */
record StopOutcome(TrainingJob job, Kind kind, int timeoutSeconds) {
    enum Kind {
        /** Still running when the timeout ran out. */
        STILL_STOPPING,
        /** A job with ranks still running when the timeout ran out: its rank JVMs were killed. */
        KILLED,
        /** The command was interrupted while it waited. */
        STOPPING,
        /** Stopped while queued: it never ran. */
        CANCELLED,
        STOPPED,
        /** It ended on its own before the stop took effect. */
        COMPLETED
    }
}
