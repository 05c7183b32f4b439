package dev.kindling.train.internal;

import dev.kindling.train.TrainingState;

import java.io.PrintStream;
import java.util.List;

/** Follows a job to its end for {@code --wait} and {@code kindling:watch}, and turns how it ended into a result. */
final class JobFollower {
    private JobFollower() {}

    /**
     * Prints each epoch's line as it comes, and between them a live progress bar on a terminal or, in logs, a progress
     * line every 10 s; returns the job's result, or throws if it did not complete.
     */
    static String follow(Console c, TrainingJob job) {
        PrintStream out = c.out();
        CommandFormatter format = new CommandFormatter(c.cwd());
        TerminalProgress bar = new TerminalProgress(out);
        int printed = 0;
        long lastLine = System.nanoTime();
        boolean queuedShown = false;
        TrainingState shown = null;
        try {
            while (true) {
                boolean ended = job.await(c.tty() ? 200 : 250);
                List<String> lines = job.epochLines();
                while (printed < lines.size()) {
                    bar.clear();
                    out.println(lines.get(printed++));
                    lastLine = System.nanoTime();
                }
                if (ended) break;
                if (job.state() == TrainingJob.State.QUEUED) {
                    if (!queuedShown) out.println(format.queued(job));
                    queuedShown = true;
                } else if (c.tty()) {
                    bar.draw(TerminalProgress.line(job, true));
                } else if (System.nanoTime() - lastLine > 10_000_000_000L && job.progress() != null && job.progress() != shown) {
                    shown = job.progress(); // unchanged while the epoch is being validated: not printed again
                    out.println(TerminalProgress.line(job, false));
                    lastLine = System.nanoTime();
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            bar.clear();
            String msg = format.stoppedWatching(job);
            out.println(msg); // Gogo drops the result of an interrupted command
            out.flush();
            return msg;
        }
        bar.clear();
        out.flush();
        return outcome(job, format);
    }

    /** The result of an ended job: text when it completed; else an exception, so that scripts exit non-zero. */
    static String outcome(TrainingJob job, CommandFormatter format) {
        if (job.state() == TrainingJob.State.COMPLETED) return format.completed(job);
        throw failure(job, format);
    }

    /** Why a job that did not complete fails the command. */
    static IllegalStateException failure(TrainingJob job, CommandFormatter format) {
        switch (job.state()) {
            case STOPPED:
                return new IllegalStateException(format.stopped(job));
            case FAILED:
                return new IllegalStateException(format.failed(job), job.error());
            case SUSPENDED:
                return new IllegalStateException(format.suspended(job));
            default:
                return new IllegalStateException("job " + job.id() + " has not ended (" + job.state().label() + ")");
        }
    }
}
