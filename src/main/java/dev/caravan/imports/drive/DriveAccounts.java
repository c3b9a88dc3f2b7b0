package dev.caravan.imports.drive;

import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;
import dev.caravan.imports.ImportSource;
import dev.caravan.upstream.oauth.AccountOAuth;
import dev.caravan.upstream.oauth.OAuthException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Each principal's connection to each drive, through the OAuth code of {@code upstream.oauth} ({@link AccountOAuth}:
 * PKCE, single-use state, Spring Security's token client, tokens sealed in the database). A job that finds no
 * connection, or one the provider revoked, fails {@code auth_required} with the authorization URL that connects
 * the drive (a fresh flow, valid ten minutes).
 */
public final class DriveAccounts {
    public static final String CALLBACK_PATH = "/oauth/drives/callback";
    static final List<String> PROVIDERS = List.of("gdrive", "onedrive", "dropbox", "box");
    private static final Map<String, String> NAMES = Map.of("gdrive", "Google Drive", "onedrive",
            "OneDrive/SharePoint", "dropbox", "Dropbox", "box", "Box");

    private final AccountOAuth oauth;
    private final DriveProperties properties;
    private final Supplier<String> publicBaseUrl;
    private final Supplier<String> localBaseUrl;

    /**
     * @param publicBaseUrl {@code caravan.public-base-url} (the callback's base), null when unset
     * @param localBaseUrl  this node's own address, when neither that nor a request tells it
     */
    DriveAccounts(AccountOAuth oauth, DriveProperties properties, Supplier<String> publicBaseUrl,
                  Supplier<String> localBaseUrl) {
        this.oauth = oauth;
        this.properties = properties;
        this.publicBaseUrl = publicBaseUrl;
        this.localBaseUrl = localBaseUrl;
    }

    static String name(String provider) {
        return NAMES.getOrDefault(provider, provider);
    }

    /** The row key: the provider and a hash of the principal (principals may be long; the key column is 64). */
    static String account(String provider, String principal) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8));
            return "drive:" + provider + ":" + HexFormat.of().formatHex(h, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private AccountOAuth.Client client(String provider) {
        DriveProperties.Provider p = properties.of(provider);
        Map<String, Object> extra = new LinkedHashMap<>();
        switch (provider) {
            case "gdrive" -> {
                extra.put("access_type", "offline"); // a refresh token
                extra.put("prompt", "consent");
            }
            case "dropbox" -> extra.put("token_access_type", "offline");
            default -> {
            }
        }
        return new AccountOAuth.Client(p.getAuthorizeUrl(), p.getTokenUrl(), p.getClientId(), p.getClientSecret(),
                p.getScope(), extra);
    }

    boolean configured(String provider) {
        String id = properties.of(provider).getClientId();
        return id != null && !id.isBlank();
    }

    /** Starts connecting: the URL the person opens. {@code requestBase} serves when no public base URL is set. */
    public String connect(String provider, String principal, String requestBase) {
        check(provider);
        if (!configured(provider)) {
            throw new ImportFailure(ImportReason.AUTH_REQUIRED, name(provider) + " cannot be connected: the "
                    + "operator has not configured caravan.import.drives." + provider + ".client-id.");
        }
        String configured = publicBaseUrl.get();
        String base = configured != null && !configured.isBlank() ? configured
                : requestBase != null ? requestBase : localBaseUrl.get();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return oauth.start(account(provider, principal), client(provider), base + CALLBACK_PATH).authorizationUrl();
    }

    /** Finishes a flow at the callback; answers the drive's name for the page. */
    public String complete(String state, String code, String error, String description) {
        String account = oauth.complete(state, code, error, description);
        String provider = account.split(":")[1];
        return name(provider);
    }

    public Map<String, Boolean> connections(String principal) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        PROVIDERS.forEach(p -> out.put(p, oauth.connected(account(p, principal), client(p))));
        return out;
    }

    public void disconnect(String provider, String principal) {
        check(provider);
        oauth.disconnect(account(provider, principal));
    }

    /** The bearer header for the principal's connection; auth_required with the connect URL when there is none. */
    Map<String, String> bearer(String provider, String principal) {
        try {
            return Map.of("Authorization", "Bearer " + oauth.accessToken(account(provider, principal),
                    client(provider)));
        } catch (AccountOAuth.NotConnected e) {
            throw authRequired(provider, principal, e.revoked() ? "the connection was revoked or has expired"
                    : "no " + name(provider) + " is connected for you");
        } catch (OAuthException e) {
            throw new ImportFailure(ImportReason.FAILED, name(provider) + "'s token endpoint failed: "
                    + e.getMessage());
        }
    }

    /**
     * The bearer header when the principal has a usable connection; empty when none is connected (or it was revoked),
     * so that a public link can be tried without one.
     */
    Optional<Map<String, String>> bearerIfConnected(String provider, String principal) {
        try {
            return Optional.of(Map.of("Authorization", "Bearer " + oauth.accessToken(account(provider, principal),
                    client(provider))));
        } catch (AccountOAuth.NotConnected e) {
            return Optional.empty();
        } catch (OAuthException e) {
            throw new ImportFailure(ImportReason.FAILED, name(provider) + "'s token endpoint failed: "
                    + e.getMessage());
        }
    }

    /** After a 401: one refresh (a revoked grant ends auth_required). */
    ImportSource.Reauth reauth(String provider, String principal) {
        return refused -> {
            String rejected = refused.getOrDefault("Authorization", "").replaceFirst("^Bearer ", "");
            try {
                Map<String, String> renewed = new LinkedHashMap<>(refused); // BoxApi, Dropbox-API-Arg ... stay
                renewed.put("Authorization", "Bearer " + oauth.refresh(account(provider, principal),
                        client(provider), rejected));
                return renewed;
            } catch (AccountOAuth.NotConnected e) {
                throw authRequired(provider, principal, "the provider no longer accepts the connection");
            } catch (OAuthException e) {
                throw new ImportFailure(ImportReason.FAILED, name(provider) + "'s token endpoint failed: "
                        + e.getMessage());
            }
        };
    }

    /** auth_required, with the URL that connects the drive when the operator configured its app. */
    ImportFailure authRequired(String provider, String principal, String why) {
        if (!configured(provider)) {
            return new ImportFailure(ImportReason.AUTH_REQUIRED, name(provider) + " needs a connection (auth_required)"
                    + ", but the operator has not configured caravan.import.drives." + provider + ".client-id.");
        }
        String url;
        try {
            url = connect(provider, principal, null);
        } catch (RuntimeException e) {
            url = null;
        }
        return new ImportFailure(ImportReason.AUTH_REQUIRED, "Connect your " + name(provider) + " first "
                + "(auth_required: " + why + "). " + (url == null ? "" : "Open " + url + " to connect it, ")
                + "or call drive_connect with provider " + provider + "; then start the import again.");
    }

    private static void check(String provider) {
        if (!PROVIDERS.contains(provider)) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "Unknown drive '" + provider + "' (known: "
                    + String.join(", ", PROVIDERS) + ").");
        }
    }
}
