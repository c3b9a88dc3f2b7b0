package dev.caravan.imports.drive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;
import dev.caravan.imports.ImportSource;

import org.springframework.web.util.UriUtils;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the four drives share: every API request and download carries the principal's bearer token, is retried once
 * with a refreshed token after a 401, and has its error answers read by the provider's {@link #error} (its JSON
 * error body) before the fetcher's default mapping. The token goes to the API's own host only: the fetcher drops it
 * when a redirect leaves that host (a pre-authenticated download URL).
 */
abstract class DriveSource implements ImportSource {
    /** JSON for headers (Dropbox-API-Arg, BoxApi): ASCII only, as HTTP headers must be. */
    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    protected final String provider;
    protected final DriveAccounts accounts;
    protected final DriveProperties.Provider settings;

    DriveSource(String provider, DriveAccounts accounts, DriveProperties properties) {
        this.provider = provider;
        this.accounts = accounts;
        this.settings = properties.of(provider);
    }

    @Override
    public String id() {
        return provider;
    }

    /** The provider's reading of an error answer; null leaves it to the fetcher (404 not_found, 5xx http_status). */
    abstract ImportFailure error(int status, JsonNode body, Function<String, String> header, String principal);

    /**
     * The request with the principal's token, the refresh-once rule and this provider's error mapping; without a
     * connection, the provider's public access where its API has one ({@link #anonymous}), else auth_required.
     */
    Download authed(Download d, Context context) {
        return authed(d, context, true);
    }

    /** As {@link #authed(Download, Context)}; {@code publicAllowed} false where only a connection can read it. */
    Download authed(Download d, Context context, boolean publicAllowed) {
        String principal = context.principal();
        Map<String, String> bearer = accounts.bearerIfConnected(provider, principal).orElse(null);
        if (bearer == null && publicAllowed) {
            Download open = anonymous(d);
            if (open != null) {
                return open.handling((status, body, header) -> publicError(status, parse(body), header, principal),
                        null);
            }
        }
        Map<String, String> h = new LinkedHashMap<>(d.headers());
        h.putAll(bearer != null ? bearer : accounts.bearer(provider, principal)); // the latter throws auth_required
        return d.withHeaders(h).handling((status, body, header) -> error(status, parse(body), header, principal),
                accounts.reauth(provider, principal));
    }

    /**
     * The request as the provider serves a public link without a user's connection (Drive with the operator's API
     * key, Dropbox with the operator's app key), or null where its API needs a user's token (OneDrive, Box).
     */
    Download anonymous(Download d) {
        return null;
    }

    /** Without a connection, "not found" and "forbidden" mean the link is not public: connecting is the way on. */
    private ImportFailure publicError(int status, JsonNode body, Function<String, String> header, String principal) {
        ImportFailure f = error(status, body, header, principal);
        boolean closed = f == null ? status == 401 || status == 403 || status == 404
                : f.reason() == ImportReason.NOT_FOUND
                || (f.reason() == ImportReason.HTTP_STATUS && (status == 401 || status == 403 || status == 409));
        return closed ? accounts.authRequired(provider, principal, "the link is not open to anyone without signing "
                + "in, or there is no such file; your own connection may read it") : f;
    }

    JsonNode json(Download d, Context context) {
        Reply r = context.call(authed(d, context));
        JsonNode n = parse(r.text());
        if (n.isMissingNode()) {
            throw new ImportFailure(ImportReason.FAILED, DriveAccounts.name(provider) + " answered something other "
                    + "than the JSON its API documents.");
        }
        return n;
    }

    /** The common part of every provider's mapping: 401 after the refresh, 404, 429. */
    ImportFailure common(int status, String message, String principal) {
        String what = DriveAccounts.name(provider);
        String said = message == null || message.isBlank() ? "" : " (" + cut(message) + ")";
        return switch (status) {
            case 401 -> accounts.authRequired(provider, principal, what + " refused the connection's token" + said);
            case 404 -> new ImportFailure(ImportReason.NOT_FOUND, what + " has no such file, or it is not shared with "
                    + "your connected account (not_found)" + said + ".", status);
            case 429 -> new ImportFailure(ImportReason.RATE_LIMITED, what + " is limiting requests (rate_limited)"
                    + said + "; try again later.", status);
            case 403 -> new ImportFailure(ImportReason.HTTP_STATUS, "Your connected " + what + " account may not "
                    + "read this file (HTTP 403, http_status)" + said + "; ask its owner to share it with you.", status);
            default -> null;
        };
    }

    static JsonNode parse(String text) {
        try {
            JsonNode n = text == null || text.isBlank() ? null : JSON.readTree(text);
            return n == null ? JSON.missingNode() : n;
        } catch (JsonProcessingException e) {
            return JSON.missingNode();
        }
    }

    static String arg(Map<String, Object> value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] body(Map<String, Object> value) {
        return arg(value).getBytes(StandardCharsets.UTF_8);
    }

    URI api(String pathAndQuery) {
        return URI.create(strip(settings.getApiUrl()) + pathAndQuery);
    }

    static String strip(String base) {
        String b = base.strip();
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return b;
    }

    static String enc(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** One path segment: RFC 3986 keeps sub-delimiters such as '!' (Graph's item ids) as they are. */
    static String seg(String v) {
        return UriUtils.encodePathSegment(v, StandardCharsets.UTF_8);
    }

    static String host(URI url) {
        return url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
    }

    static boolean web(URI url) {
        return url.getScheme() != null && (url.getScheme().equalsIgnoreCase("https")
                || url.getScheme().equalsIgnoreCase("http"));
    }

    static long size(JsonNode n) {
        return n.path("size").asLong(-1);
    }

    static Long sizeOrNull(JsonNode n) {
        return n.hasNonNull("size") ? n.get("size").asLong() : null;
    }

    static String cut(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }
}
