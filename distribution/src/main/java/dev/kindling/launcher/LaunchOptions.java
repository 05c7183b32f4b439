package dev.kindling.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's command line: nothing (interactive shell), {@code -c COMMAND} (repeatable; several words after one
 * {@code -c} form one command), or a script file ({@code -} reads standard input) followed by its arguments.
 */
record LaunchOptions(Mode mode, List<String> commands, String script, List<String> scriptArgs) {

    enum Mode { INTERACTIVE, COMMANDS, SCRIPT, HELP }

    static final String USAGE = String.join("\n",
            "Usage: kindling [options]                      start the interactive Gogo shell",
            "       kindling [options] -c COMMAND [-c ...]   run commands and exit (status 1 if one fails)",
            "       kindling [options] SCRIPT [ARGS...]      run a Gogo script (- = stdin), stop at the first failure",
            "Options:",
            "  -h, --help     show this help",
            "Examples:",
            "  kindling -c kindling:backends",
            "  kindling -c \"kindling:eval 'ones(2,3).sum()'\"",
            "  kindling -c \"kindling:prefer cpu cpu-java\" -c kindling:backends",
            "Environment: JAVA_HOME, KINDLING_OPTS (extra JVM options), KINDLING_CACHE (Felix cache directory;",
            "default: a temporary directory removed on exit), KINDLING_AOT (JDK 25+: an ahead-of-time cache file,",
            "written by the first run and used by the next ones).");

    static LaunchOptions parse(String... args) {
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) return new LaunchOptions(Mode.HELP, List.of(), null, List.of());
            if (a.equals("-c") || a.equals("--command")) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a command");
                // One -c takes its words up to the next -c: `-c kindling:prefer cpu cpu-java` works unquoted too.
                List<String> words = new ArrayList<>();
                while (i + 1 < args.length && !args[i + 1].equals("-c") && !args[i + 1].equals("--command")) {
                    words.add(args[++i]);
                }
                commands.add(words.size() == 1 ? words.get(0) : join(words));
                continue;
            }
            if (!commands.isEmpty()) throw new IllegalArgumentException("unexpected argument '" + a + "' after -c");
            if (a.startsWith("-") && !a.equals("-")) throw new IllegalArgumentException("unknown option '" + a + "'");
            List<String> rest = new ArrayList<>();
            for (int j = i + 1; j < args.length; j++) rest.add(args[j]);
            return new LaunchOptions(Mode.SCRIPT, List.of(), a, rest);
        }
        if (!commands.isEmpty()) return new LaunchOptions(Mode.COMMANDS, commands, null, List.of());
        return new LaunchOptions(Mode.INTERACTIVE, List.of(), null, List.of());
    }

    boolean interactive() { return mode == Mode.INTERACTIVE; }

    /** Joins words into one Gogo command line, single-quoting the words the shell already unquoted. */
    static String join(List<String> words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.length() > 0) sb.append(' ');
            if (!needsQuotes(w)) sb.append(w);
            else if (w.indexOf('\'') < 0) sb.append('\'').append(w).append('\'');
            else sb.append('"').append(w.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$")).append('"');
        }
        return sb.toString();
    }

    private static boolean needsQuotes(String w) {
        if (w.isEmpty()) return true;
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (!(Character.isLetterOrDigit(c) || "-_.:/=+,@%".indexOf(c) >= 0)) return true;
        }
        return false;
    }
}
