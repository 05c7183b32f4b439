package dev.kindling.serving.internal;

/**
 * Server settings. Defaults: loopback only, port 8080, no tokens (inference open to local clients, management off), 64 MiB
 * bodies (Triton's limit), 16 M elements per request, JSON nested at most 32 deep, a 1 s repository rescan, and no request
 * waiting longer than 60 s.
 */
record ServingOptions(String host, int port, String token, String adminToken, long maxRequestBytes, long maxElements,
                      int maxJsonDepth, long pollMillis, long requestTimeoutMillis) {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8080;

    static ServingOptions defaults() {
        return new ServingOptions(DEFAULT_HOST, DEFAULT_PORT, null, null, 64L << 20, 16L << 20, 32, 1000, 60_000);
    }

    ServingOptions withAddress(String host, int port) {
        return new ServingOptions(host, port, token, adminToken, maxRequestBytes, maxElements, maxJsonDepth, pollMillis, requestTimeoutMillis);
    }

    ServingOptions withTokens(String token, String adminToken) {
        return new ServingOptions(host, port, blankToNull(token), blankToNull(adminToken), maxRequestBytes, maxElements, maxJsonDepth, pollMillis, requestTimeoutMillis);
    }

    ServingOptions withLimits(long maxRequestBytes, long maxElements, int maxJsonDepth) {
        return new ServingOptions(host, port, token, adminToken, maxRequestBytes, maxElements, maxJsonDepth, pollMillis, requestTimeoutMillis);
    }

    ServingOptions withPollMillis(long pollMillis) {
        return new ServingOptions(host, port, token, adminToken, maxRequestBytes, maxElements, maxJsonDepth, pollMillis, requestTimeoutMillis);
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }
}
