package dev.kindling.serving.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * The serving settings in force ({@link ServingRuntime.Settings}, PID {@value ServingRuntime#PID}), each validated on
 * its own: a configuration update keeps the previous value of every key whose new value is not allowed, and reports it.
 *
 * @param repository the repository to serve, or null
 * @param host       the host asked for, or null for the runtime's (or the default where Kindling starts it)
 * @param port       the port asked for, or -1 likewise
 */
record ServingConfig(Path repository, String host, int port, String token, String adminToken, long pollMillis) {
    static final long MIN_POLL = 100, MAX_POLL = 3_600_000;

    /** Where a rejected value is reported. */
    interface Rejected {
        void report(String key, Object value, String allowed, Object kept);
    }

    /** The settings from the framework properties, the fallback without a configuration. */
    static ServingConfig fromFramework(Function<String, String> property) {
        String repo = property.apply("kindling.serve.repository");
        return new ServingConfig(repo == null || repo.isBlank() ? null : Path.of(repo.trim()).toAbsolutePath().normalize(), null, -1,
                blankToNull(property.apply("kindling.serve.token")), blankToNull(property.apply("kindling.serve.adminToken")), 1000);
    }

    /**
     * The settings a configuration's {@code properties} give: a key it lacks takes the value of {@code fallback} (the
     * framework properties), a value that is not allowed keeps the one in force (this) and is reported.
     */
    ServingConfig update(Map<String, Object> properties, ServingConfig fallback, Rejected rejected) {
        Path repo = fallback.repository;
        if (properties.containsKey("repository")) {
            repo = repository;
            String r = string(properties.get("repository"));
            if (r == null) repo = null;
            else {
                try {
                    repo = Path.of(r).toAbsolutePath().normalize();
                } catch (InvalidPathException e) {
                    rejected.report("repository", r, "a folder path (" + e.getReason() + ")", repository);
                }
            }
        }
        String h = fallback.host;
        if (properties.containsKey("host")) {
            h = host;
            String v = string(properties.get("host"));
            if (v == null || v.matches("[A-Za-z0-9.:\\[\\]-]+")) h = v;
            else rejected.report("host", v, "a host name or IP address", host == null ? "(the runtime's)" : host);
        }
        int p = fallback.port;
        if (properties.containsKey("port")) {
            p = port;
            Long v = wholeNumber(properties.get("port"));
            if (v != null && v >= 0 && v <= 65535) p = v.intValue();
            else rejected.report("port", properties.get("port"), "whole numbers from 0 to 65535", port < 0 ? "(the runtime's)" : port);
        }
        long poll = fallback.pollMillis;
        if (properties.containsKey("pollMillis")) {
            poll = pollMillis;
            Long v = wholeNumber(properties.get("pollMillis"));
            if (v != null && v >= MIN_POLL && v <= MAX_POLL) poll = v;
            else rejected.report("pollMillis", properties.get("pollMillis"), "whole numbers of milliseconds from " + MIN_POLL + " to " + MAX_POLL, pollMillis);
        }
        String t = properties.containsKey("token") ? string(properties.get("token")) : fallback.token;
        String a = properties.containsKey("adminToken") ? string(properties.get("adminToken")) : fallback.adminToken;
        return new ServingConfig(repo, h, p, t, a, poll);
    }

    private static String string(Object o) {
        if (o == null) return null;
        return blankToNull(o.toString());
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.trim(); }

    static Long wholeNumber(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) return ((Number) raw).longValue();
        if (raw instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        // never the tokens themselves
        return "repository=" + repository + ", host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "set")
                + ", adminToken=" + (adminToken == null ? "none" : "set") + ", pollMillis=" + pollMillis;
    }
}
