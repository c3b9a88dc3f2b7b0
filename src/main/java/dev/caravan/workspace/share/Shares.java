package dev.caravan.workspace.share;

import dev.caravan.server.Credentials;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.Workspaces;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.WorkspacePath;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Share links: creating them (a random token shown once, kept only as its SHA-256 hash), listing, revoking, and
 * checking a presented token and password. Everything lives in the database, so every node sees a revocation or
 * a use at once.
 */
public class Shares {
    /** Where share links are served: {@code BASE/s/TOKEN}. */
    public static final String PATH_PREFIX = "/s/";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{32,64}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})\\s*(m|min|mins|minutes?|h|hours?|d|days?)");
    private static final int MIN_PASSWORD = 6;
    /** bcrypt reads at most 72 bytes, and Spring's encoder refuses longer input rather than cut it. */
    private static final int MAX_PASSWORD_BYTES = 72;

    private final ShareRepository repository;
    private final Workspaces workspaces;
    private final ShareSettings settings;
    private final Clock clock;
    /** {bcrypt} by default, and the stored hashes name their algorithm, so it can be changed later. */
    private final PasswordEncoder passwords = PasswordEncoderFactories.createDelegatingPasswordEncoder();

    public Shares(ShareRepository repository, Workspaces workspaces, ShareSettings settings, Clock clock) {
        this.repository = repository;
        this.workspaces = workspaces;
        this.settings = settings;
        this.clock = clock;
    }

    /** What share_create asks for. */
    public record Request(String workspace, String path, String permission, String expiresIn, String password,
                          Integer maxUses, String createdBy) {
    }

    /** A new share: its record and the token, which exists nowhere else after this. */
    public record Created(ShareRecord share, String token, String url) {
    }

    public Created create(Request r, String requestBaseUrl) {
        Workspace ws = workspaces.get(r.workspace());
        WorkspacePath path = WorkspacePath.of(r.path() == null ? "" : r.path());
        SharePermission permission = SharePermission.of(r.permission());
        if (permission == null) {
            throw new ToolFailure("Argument 'permission' must be view, download or upload"
                    + (r.permission() == null ? "." : ", got '" + r.permission() + "'."));
        }
        FileInfo target = ws.storage().stat(path);
        if (permission == SharePermission.UPLOAD && !target.isDirectory()) {
            throw new ToolFailure("An upload share needs a folder to upload into, and '" + path + "' is a file; share "
                    + "its folder, or use view or download to share the file.");
        }
        Duration lifetime = lifetime(r.expiresIn());
        if (r.maxUses() != null && r.maxUses() < 1) {
            throw new ToolFailure("Argument 'maxUses' must be at least 1 (leave it out for no limit).");
        }
        String passwordHash = null;
        if (r.password() != null && !r.password().isEmpty()) {
            if (r.password().length() < MIN_PASSWORD || bytes(r.password()) > MAX_PASSWORD_BYTES) {
                throw new ToolFailure("A share password must be " + MIN_PASSWORD + " characters to "
                        + MAX_PASSWORD_BYTES + " bytes long.");
            }
            passwordHash = passwords.encode(r.password());
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String token = newToken();
        ShareRecord share = new ShareRecord(UUID.randomUUID().toString(), Credentials.hash(token), ws.name(),
                path.toString(), target.isDirectory(), permission, passwordHash, r.maxUses(), 0,
                r.createdBy(), now, now.plus(lifetime), null);
        repository.insert(share);
        return new Created(share, token, baseUrl(requestBaseUrl) + PATH_PREFIX + token);
    }

    public List<ShareRecord> list(String workspace) {
        return repository.list(workspaces.get(workspace).name(), 1000);
    }

    /** Revokes a share at once; fails if the workspace has no such live share. */
    public ShareRecord revoke(String workspace, String id) {
        String name = workspaces.get(workspace).name();
        String shareId = id == null ? "" : id.strip();
        ShareRecord share = repository.find(name, shareId).orElseThrow(() -> new ToolFailure("Workspace '" + name
                + "' has no share '" + shareId + "'; call share_list to see its shares and their ids."));
        if (share.revokedAt() != null) {
            throw new ToolFailure("Share '" + shareId + "' was revoked already, at " + share.revokedAt() + ".");
        }
        repository.revoke(name, shareId, clock.instant());
        return repository.find(name, shareId).orElseThrow();
    }

    /**
     * The share a presented token opens, checked now: it exists, is usable, and the password (if it has one)
     * matches. Does not count a use; {@link #consumeUse} does.
     *
     * @throws ShareDenied 404 unknown, 410 expired/revoked/used up, 401 password missing or wrong
     */
    public ShareRecord open(String token, String password) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw ShareDenied.unknown();
        }
        ShareRecord share = repository.findByTokenHash(Credentials.hash(token)).orElseThrow(ShareDenied::unknown);
        ShareRecord.State state = share.stateAt(clock.instant());
        if (state != ShareRecord.State.ACTIVE) {
            throw ShareDenied.gone(state);
        }
        if (share.hasPassword() && (password == null || bytes(password) > MAX_PASSWORD_BYTES
                || !passwords.matches(password, share.passwordHash()))) {
            throw ShareDenied.password(password != null);
        }
        return share;
    }

    /** Counts one download or upload; fails with 410 if the share was used up, revoked or expired meanwhile. */
    public void consumeUse(ShareRecord share) {
        if (!repository.consumeUse(share.id(), clock.instant())) {
            ShareRecord now = repository.find(share.workspace(), share.id()).orElse(share);
            ShareRecord.State state = now.stateAt(clock.instant());
            throw ShareDenied.gone(state == ShareRecord.State.ACTIVE ? ShareRecord.State.USED_UP : state);
        }
    }

    /** The workspace a share belongs to, or 410 when it no longer exists. */
    public Workspace workspaceOf(ShareRecord share) {
        try {
            return workspaces.get(share.workspace());
        } catch (ToolFailure e) {
            throw new ShareDenied(410, "The files behind this share link are no longer available.");
        }
    }

    private Duration lifetime(String expiresIn) {
        if (expiresIn == null || expiresIn.isBlank()) {
            return settings.defaultExpiry();
        }
        Duration d = parseDuration(expiresIn.strip());
        if (d == null || d.isNegative() || d.isZero()) {
            throw new ToolFailure("Argument 'expiresIn' must be a duration such as 30m, 12h or 7d (or ISO-8601 like "
                    + "PT12H), got '" + expiresIn + "'.");
        }
        if (d.compareTo(settings.maxExpiry()) > 0) {
            throw new ToolFailure("Shares may last at most " + describe(settings.maxExpiry()) + "; give a shorter "
                    + "expiresIn.");
        }
        return d;
    }

    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).charAt(0)) {
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String describe(Duration d) {
        if (d.toHours() % 24 == 0 && d.toDays() > 0 && d.toSeconds() % 3600 == 0) {
            return d.toDays() + (d.toDays() == 1 ? " day" : " days");
        }
        if (d.toSeconds() % 3600 == 0 && d.toHours() > 0) {
            return d.toHours() + " hours";
        }
        return d.toMinutes() + " minutes";
    }

    private String baseUrl(String requestBaseUrl) {
        String base = settings.publicBaseUrl() != null && !settings.publicBaseUrl().isBlank()
                ? settings.publicBaseUrl() : requestBaseUrl;
        if (base == null || base.isBlank()) {
            return "";
        }
        return base.replaceAll("/+$", "");
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** 256 random bits, URL-safe. */
    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
