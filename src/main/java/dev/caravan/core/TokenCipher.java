package dev.caravan.core;


import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * AES-256-GCM for what Caravan keeps at rest (OAuth tokens and client secrets). The key comes from
 * {@code CARAVAN_SECRET_KEY} (base64 of 32 bytes, or any passphrase, which is hashed with SHA-256) or, when that is
 * unset, from {@code DATA_DIR/secret.key}, generated on first use and readable by the owner only. Each value gets a
 * fresh 96-bit nonce; the upstream name is bound in as associated data so a sealed value cannot be moved to
 * another upstream's row.
 */
public final class TokenCipher {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String VERSION = "v1:";
    private final SecretKeySpec key;

    TokenCipher(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the key must be 32 bytes");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The cipher for {@code caravan.secret-key} (the environment variable {@code CARAVAN_SECRET_KEY}), or for the key
     * in the data dir when that is unset. The one place that reads the setting.
     */
    public static TokenCipher from(CaravanSettings settings) {
        return from(settings.getSecretKey(), settings.getDataDir());
    }

    /**
     * The cipher of {@code key}, read (or generated) on first use and then kept: a Caravan that seals nothing writes
     * no key file.
     */
    public static Supplier<TokenCipher> onFirstUse(Supplier<TokenCipher> key) {
        return new Supplier<>() {
            private TokenCipher cipher;

            @Override
            public synchronized TokenCipher get() {
                if (cipher == null) {
                    cipher = key.get();
                }
                return cipher;
            }
        };
    }

    /** The key from the configured value if set, else from (or newly into) {@code dataDir/secret.key}. */
    public static TokenCipher from(String environmentKey, Path dataDir) {
        if (environmentKey != null && !environmentKey.isBlank()) {
            return new TokenCipher(keyFrom(environmentKey.trim()));
        }
        Path file = dataDir.resolve("secret.key");
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                try {
                    try {
                        Files.createFile(file, PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
                    } catch (UnsupportedOperationException notPosix) {
                        Files.createFile(file);
                    }
                    Files.writeString(file, Base64.getEncoder().encodeToString(fresh));
                } catch (FileAlreadyExistsException raced) {
                    // another node or thread made it first: use theirs
                }
            }
            return new TokenCipher(keyFrom(Files.readString(file).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the secret key " + file, e);
        }
    }

    private static byte[] keyFrom(String text) {
        try {
            byte[] decoded = Base64.getDecoder().decode(text);
            if (decoded.length == 32) {
                return decoded;
            }
        } catch (IllegalArgumentException notBase64) {
            // a passphrase
        }
        return Sha256.of(text);
    }

    public String seal(String plain, String context) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return VERSION + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length)
                    .put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    /** The plain text; throws {@link Unreadable} when the value was sealed with another key or was altered. */
    public String open(String sealed, String context) {
        try {
            if (!sealed.startsWith(VERSION)) {
                throw new Unreadable("unknown sealed format");
            }
            byte[] all = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Unreadable("the stored OAuth tokens cannot be decrypted (was CARAVAN_SECRET_KEY or "
                    + "DATA_DIR/secret.key changed?)");
        }
    }

    /** A sealed value this key cannot open (another key, or altered); the message names no secret. */
    public static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }
}
