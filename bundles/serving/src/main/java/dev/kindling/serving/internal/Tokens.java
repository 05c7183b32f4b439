package dev.kindling.serving.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Bearer tokens, compared in constant time: both sides are hashed first, so neither the content nor the length of the
 * expected token leaks through timing ({@code MessageDigest.isEqual} alone is constant-time only for equal lengths).
 */
final class Tokens {
    private final byte[] expected;

    Tokens(String token) { this.expected = token == null ? null : sha256(token); }

    boolean configured() { return expected != null; }

    /** Whether an {@code Authorization} header carries the token ({@code Bearer <token>}). */
    boolean matches(String authorization) {
        if (expected == null || authorization == null) return false;
        String given = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim() : "";
        return MessageDigest.isEqual(expected, sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
