package dev.caravan.admin;

import dev.caravan.server.Credentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The admin API's bearer token: {@code CARAVAN_ADMIN_TOKEN} when set, otherwise generated on first start into
 * {@code DATA_DIR/admin-token} (owner-only) and printed once.
 */
public class AdminToken {
    /**
     * Request attribute set (to {@code Boolean.TRUE}) when a valid console session cookie, with its CSRF token for a
     * change, stands for the admin token on this request; the file API honours it.
     */
    public static final String CONSOLE_SESSION = "caravan.console.admin";
    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);
    private final String hash;

    public AdminToken(String fromEnvironment, Path dataDir) {
        this.hash = Credentials.hash(fromEnvironment != null && !fromEnvironment.isBlank()
                ? fromEnvironment.trim() : stored(dataDir));
    }

    public boolean matches(String token) {
        return token != null && Credentials.sameHash(hash, Credentials.hash(token));
    }

    /**
     * A digest of the token's hash, bound into console session cookies so that changing the admin token signs
     * every console out. Not the hash itself: that never leaves this class.
     */
    String fingerprint() {
        return Credentials.hash("console-session:" + hash);
    }

    private static String stored(Path dataDir) {
        Path file = dataDir.resolve("admin-token");
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(dataDir);
            String token = Credentials.newToken();
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.writeString(file, token, StandardCharsets.UTF_8);
            log.warn("\n\n  Generated the admin API token (shown once; kept in {}):\n\n    {}\n\n"
                    + "  Sign in to the console at / with it (e.g. http://localhost:8080/), or send it as\n"
                    + "  'Authorization: Bearer <token>' to /admin/api. Set CARAVAN_ADMIN_TOKEN to choose your own.\n",
                    file.toAbsolutePath(), token);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the admin token at " + file
                    + "; check that the data directory is writable, or set CARAVAN_ADMIN_TOKEN", e);
        }
    }
}
