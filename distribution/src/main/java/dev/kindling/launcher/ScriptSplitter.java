package dev.kindling.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Gogo script into top-level statements so that the launcher can run them one at a time, print each
 * result and stop at the first failure. A statement ends at a newline or {@code ;} outside quotes and outside
 * {@code ( ) [ ] { }}; a backslash before the newline continues the line. Comments as Gogo knows them ({@code #}
 * and {@code //} to the end of the line, {@code /* ... *}{@code /}) are dropped where a word starts.
 */
final class ScriptSplitter {
    /** One statement and the line it starts on (1-based). */
    record Statement(String text, int line) {}

    private ScriptSplitter() {}

    static List<Statement> split(String script) {
        List<Statement> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int line = 1;
        int startLine = 1;
        int depth = 0;
        char quote = 0;
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (quote != 0) {
                cur.append(c);
                if (c == '\\' && quote == '"' && i + 1 < n) {
                    char next = script.charAt(++i);
                    if (next == '\n') line++;
                    cur.append(next);
                } else if (c == quote) {
                    quote = 0;
                } else if (c == '\n') {
                    line++;
                }
                continue;
            }
            boolean wordStart = cur.length() == 0 || Character.isWhitespace(cur.charAt(cur.length() - 1))
                    || "{([;|".indexOf(cur.charAt(cur.length() - 1)) >= 0;
            if (wordStart && (c == '#' || (c == '/' && i + 1 < n && script.charAt(i + 1) == '/'))) {
                while (i + 1 < n && script.charAt(i + 1) != '\n') i++;
                continue;
            }
            if (wordStart && c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                if (end < 0) throw new IllegalArgumentException("line " + line + ": unterminated comment /*");
                for (int k = i; k < end; k++) if (script.charAt(k) == '\n') line++;
                i = end + 1;
                continue;
            }
            switch (c) {
                case '\\':
                    if (i + 1 < n && script.charAt(i + 1) == '\n') { // line continuation
                        i++;
                        line++;
                        cur.append(' ');
                        continue;
                    }
                    cur.append(c);
                    if (i + 1 < n) cur.append(script.charAt(++i));
                    continue;
                case '\'':
                case '"':
                    quote = c;
                    break;
                case '(':
                case '[':
                case '{':
                    depth++;
                    break;
                case ')':
                case ']':
                case '}':
                    depth = Math.max(0, depth - 1);
                    break;
                case '\n':
                case ';':
                    if (depth == 0) {
                        add(out, cur, startLine);
                        if (c == '\n') line++;
                        startLine = line;
                        continue;
                    }
                    if (c == '\n') line++;
                    break;
                case '\r':
                    continue;
                default:
                    break;
            }
            if (cur.length() == 0 && Character.isWhitespace(c)) {
                startLine = line;
                continue;
            }
            cur.append(c);
        }
        if (quote != 0) throw new IllegalArgumentException("line " + startLine + ": unterminated " + quote + " quote");
        if (depth != 0) throw new IllegalArgumentException("line " + startLine + ": unclosed bracket");
        add(out, cur, startLine);
        return out;
    }

    private static void add(List<Statement> out, StringBuilder cur, int line) {
        String s = cur.toString().strip();
        if (!s.isEmpty()) out.add(new Statement(s, line));
        cur.setLength(0);
    }
}
