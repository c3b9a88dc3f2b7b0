package dev.caravan.probe;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Plays the person's browser in an OAuth authorization-code flow, for authorization servers that grant without a
 * login page (test servers, pre-approved clients): opens the authorization URL without following redirects,
 * follows the server's own redirects, and stops at the first one that points at the redirect URI, taking its query
 * (code, state, or error). Nothing listens at the redirect URI; it is never contacted.
 */
final class HeadlessAuthorization {
    private static final int MAX_HOPS = 10;

    /** What the authorization server sent back to the redirect URI. */
    record Callback(String code, String state, String iss, String error, String errorDescription) {
    }

    private final HttpClient http;
    private final Duration timeout;

    HeadlessAuthorization(Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
    }

    Callback follow(String authorizationUrl, String redirectUri) {
        URI next = URI.create(authorizationUrl);
        URI target = URI.create(redirectUri);
        for (int hop = 0; hop < MAX_HOPS; hop++) {
            HttpResponse<Void> r = send(next);
            String location = r.headers().firstValue("Location").orElse(null);
            if (r.statusCode() / 100 != 3 || location == null) {
                throw new IllegalStateException("the authorization server answered HTTP " + r.statusCode() + " at "
                        + withoutQuery(next) + " instead of redirecting back to " + redirectUri
                        + " (a login or consent page needs a person: authorize through the hub's admin API instead)");
            }
            URI to = next.resolve(location);
            if (sameEndpoint(to, target)) {
                Map<String, String> q = query(to.getRawQuery());
                return new Callback(q.get("code"), q.get("state"), q.get("iss"), q.get("error"), q.get("error_description"));
            }
            next = to;
        }
        throw new IllegalStateException("more than " + MAX_HOPS + " redirects without reaching " + redirectUri);
    }

    private HttpResponse<Void> send(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the authorization URL " + withoutQuery(uri) + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static boolean sameEndpoint(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b) && path(a).equals(path(b));
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String path(URI u) {
        return u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static String withoutQuery(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority() + path(u);
    }
}
