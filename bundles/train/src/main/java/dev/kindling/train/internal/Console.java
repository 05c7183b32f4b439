package dev.kindling.train.internal;

import org.apache.felix.service.command.CommandSession;

import java.io.PrintStream;
import java.nio.file.Path;

/** Console output of a command: Gogo's stream for it, whether that is a terminal, and the session's directory. */
record Console(PrintStream out, boolean tty, Path cwd) {

    /** The console of the command running in {@code session}; System.out and the JVM's directory outside Gogo. */
    static Console of(CommandSession session) {
        PrintStream out = System.out;
        boolean tty = false;
        try {
            org.apache.felix.service.command.Process p = org.apache.felix.service.command.Process.Utils.current();
            if (p != null) {
                out = p.out();
                tty = p.isTty(1) && session != null && session.get(".terminal") != null;
            }
        } catch (RuntimeException | LinkageError e) {
            // not inside a Gogo pipe
        }
        Path cwd = null;
        try {
            if (session != null) cwd = session.currentDir();
        } catch (RuntimeException | LinkageError e) {
            // older Gogo
        }
        return new Console(out, tty, cwd != null ? cwd : Path.of("").toAbsolutePath());
    }
}
