package dev.kindling.train.internal;

/** A job just submitted by train or resume, and the unfinished job it waits for ({@code null} when it runs at once). */
record StartedJob(TrainingJob job, TrainingJob queuedAfter) {}
