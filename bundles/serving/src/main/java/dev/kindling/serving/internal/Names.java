package dev.kindling.serving.internal;

import java.util.regex.Pattern;

/** What a model name and a version may be: both become path segments under the repository, so nothing else passes. */
final class Names {
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

    private Names() {}

    /** Letters, digits, '_', '.', '-', at most 64, not starting with '.' (so never "." or ".." or a dotfile). */
    static boolean isModel(String s) { return s != null && MODEL.matcher(s).matches(); }

    static boolean isVersion(String s) { return s != null && VERSION.matcher(s).matches(); }

    static String model(String s) {
        if (!isModel(s)) throw ServingException.badRequest("invalid model name '" + clip(s) + "': use 1-64 letters, digits, '_', '.' or '-', not starting with '.'");
        return s;
    }

    static String version(String s) {
        if (!isVersion(s)) throw ServingException.badRequest("invalid model version '" + clip(s) + "': versions are numbers (the folder names)");
        return s;
    }

    static String clip(String s) {
        if (s == null) return "";
        String c = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return c.replaceAll("[\\p{Cntrl}]", "?");
    }
}
