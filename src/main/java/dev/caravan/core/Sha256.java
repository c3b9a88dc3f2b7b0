package dev.caravan.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a text (UTF-8), for stored token hashes, stable keys and names. */
public final class Sha256 {
    private Sha256() {
    }

    public static byte[] of(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** The digest in lower-case hex (64 characters). */
    public static String hex(String text) {
        return HexFormat.of().formatHex(of(text));
    }

    /** The first 64 bits of the digest, e.g. as an advisory lock key. */
    public static long first64Bits(String text) {
        return ByteBuffer.wrap(of(text)).getLong();
    }
}
