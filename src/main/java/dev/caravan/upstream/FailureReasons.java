package dev.caravan.upstream;

import dev.caravan.core.EnvReferences;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpError;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One line saying why talking to an upstream failed, for its status and for agents: no stack, no secrets. */
final class FailureReasons {
    private static final int MAX = 300;
    private static final Pattern INSUFFICIENT_SCOPE = Pattern.compile("error\\s*=\\s*\"?insufficient_scope\\b");
    private static final Pattern SCOPE = Pattern.compile("\\bscope\\s*=\\s*\"([^\"]*)\"");

    private FailureReasons() {
    }

    static String describe(Throwable failure, Secrets secrets) {
        return cut(secrets.redact(reason(failure)));
    }

    private static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EnvReferences.MissingVariable) {
                return t.getMessage();
            }
            if (t instanceof McpHttpClientTransportAuthorizationException a) {
                String scope = insufficientScope(a);
                return scope != null
                        ? "the upstream requires the OAuth scope '" + scope + "' (HTTP 403 insufficient_scope): "
                        + "authorize Caravan again to grant it"
                        : "the upstream refused Caravan's credentials (HTTP " + a.getResponseInfo().statusCode() + ")";
            }
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return "cannot connect: " + (t.getMessage() == null ? "connection refused" : t.getMessage());
            }
            if (t instanceof UnknownHostException) {
                return "unknown host " + t.getMessage();
            }
            if (t instanceof TimeoutException || t instanceof HttpTimeoutException) {
                return "no answer in time";
            }
            if (t instanceof McpError e) {
                return "the upstream answered with an error: " + e.getMessage();
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (root instanceof IOException) {
            return "connection failed: " + (message == null ? root.getClass().getSimpleName() : message);
        }
        String top = failure.getMessage();
        if (message == null || message.isBlank()) {
            message = top == null ? root.getClass().getSimpleName() : top;
        } else if (top != null && !top.equals(message) && !top.contains(message)) {
            message = top + ": " + message;
        }
        return message;
    }

    /** The scope named by a 403 {@code insufficient_scope} Bearer challenge, or null. */
    private static String insufficientScope(McpHttpClientTransportAuthorizationException a) {
        if (a.getResponseInfo() == null || a.getResponseInfo().statusCode() != 403) {
            return null;
        }
        for (String challenge : a.getResponseInfo().headers().allValues("WWW-Authenticate")) {
            Matcher scope = SCOPE.matcher(challenge);
            if (INSUFFICIENT_SCOPE.matcher(challenge).find() && scope.find()) {
                return scope.group(1);
            }
        }
        return null;
    }

    private static String cut(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() <= MAX ? one : one.substring(0, MAX) + "...";
    }
}
