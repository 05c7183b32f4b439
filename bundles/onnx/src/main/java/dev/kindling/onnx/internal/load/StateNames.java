package dev.kindling.onnx.internal.load;

import java.util.Set;

/**
 * How initializer names become state-dict keys. The rule: a name is its own key, and its dots nest submodules
 * ({@code fc1.weight} is parameter {@code weight} of submodule {@code fc1}), except where that cannot be: a name with
 * an empty segment ({@code a..b}, {@code .a}, {@code a.}), or one that runs through another initializer
 * ({@code fc1.weight} when {@code fc1} is itself an initializer). Those are registered on the model itself with each
 * {@code .} written as {@code %2E}. A {@code %} in any name is written {@code %25}, so every key percent-decodes back
 * to its initializer name ({@link #decode}), and names without {@code %} whose dots can nest map to themselves.
 */
public final class StateNames {
    private StateNames() {}

    /** The state-dict key of each initializer, given all initializer names (which must be distinct and non-empty). */
    static String key(String name, Set<String> allNames) {
        String escaped = name.replace("%", "%25");
        return nests(name, allNames) ? escaped : escaped.replace(".", "%2E");
    }

    private static boolean nests(String name, Set<String> all) {
        String[] parts = name.split("\\.", -1);
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) return false;
            if (i > 0) prefix.append('.');
            prefix.append(parts[i]);
            if (i < parts.length - 1 && all.contains(prefix.toString())) return false;
        }
        return true;
    }

    /** The initializer name of a state-dict key made by this rule. */
    public static String decode(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            if (key.startsWith("%2E", i)) { sb.append('.'); i += 2; }
            else if (key.startsWith("%25", i)) { sb.append('%'); i += 2; }
            else sb.append(key.charAt(i));
        }
        return sb.toString();
    }
}
