package dev.caravan.upstream.oauth;

import dev.caravan.upstream.UpstreamConfig;

import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OAuth part of an upstream's {@code auth:} in upstreams.yaml, with {@code ${ENV}} references resolved.
 *
 * @param clientCredentials the client credentials grant ({@code type: oauth-client-credentials}) instead of
 *                          authorization code + PKCE
 * @param clientId          a pre-registered client; null means dynamic client registration (RFC 7591)
 * @param sendResource      send the RFC 8707 {@code resource} indicator (default); false for servers that reject it
 * @param tokenUrl          client credentials: the token endpoint, when it cannot be discovered
 * @param authorizationServer skip RFC 9728 discovery and use this issuer's metadata
 * @param clientMetadataUrl   Caravan's Client ID Metadata Document (an HTTPS URL serving its client metadata,
 *                            hosted by the operator): used as the client_id when the authorization server
 *                            advertises {@code client_id_metadata_document_supported}, instead of registering
 * @param checkResource     refuse protected resource metadata whose {@code resource} does not cover the upstream's
 *                          URL (RFC 9728 §3.3; default); false for a server knowingly reached under another address
 */
record OAuthOptions(String serverUrl, boolean clientCredentials, String clientId, String clientSecret, String scope,
                    boolean sendResource, String tokenUrl, String authorizationServer, String clientMetadataUrl,
                    boolean checkResource) {
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

    OAuthOptions(String serverUrl, boolean clientCredentials, String clientId, String clientSecret, String scope,
                 boolean sendResource, String tokenUrl, String authorizationServer) {
        this(serverUrl, clientCredentials, clientId, clientSecret, scope, sendResource, tokenUrl, authorizationServer,
                null, true);
    }

    static OAuthOptions of(UpstreamConfig config, Function<String, String> variables) {
        Map<String, String> o = config.auth().oauth() == null ? Map.of() : config.auth().oauth();
        return new OAuthOptions(resolve(config.url(), variables),
                config.auth().type() == UpstreamConfig.Auth.Type.OAUTH_CLIENT_CREDENTIALS,
                resolve(o.get("client_id"), variables), resolve(o.get("client_secret"), variables), o.get("scope"),
                !"false".equals(o.get("resource")), resolve(o.get("token_url"), variables),
                resolve(o.get("authorization_server"), variables), resolve(o.get("client_metadata_url"), variables),
                !"false".equals(o.get("check_resource")));
    }

    /** Same syntax as the rest of upstreams.yaml; an unset variable is an error naming it (never a value). */
    static String resolve(String value, Function<String, String> variables) {
        if (value == null) {
            return null;
        }
        Matcher m = REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = variables.apply(m.group(1));
            if (v == null || v.isEmpty()) {
                throw new OAuthException("the environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
