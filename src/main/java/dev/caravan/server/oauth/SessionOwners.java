package dev.caravan.server.oauth;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who opened each 2025-era Streamable HTTP session (read from the {@code Mcp-Session-Id} the SDK answers an
 * initialize with). An access token's user must not ride a session someone else opened, nor a key holder a user's:
 * where either side came with an access token, a request from another principal is refused. Sessions opened and
 * used with keys are left as they were (a regenerated key keeps its sessions through the grace period).
 */
public final class SessionOwners {
    /** Sessions live in the SDK's memory; the oldest owners are forgotten past this many, so the map stays bounded. */
    private static final int MAX = 50_000;

    private record Owner(String principal, boolean viaToken) {
    }

    private final Map<String, Owner> owners = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Owner> eldest) {
            return size() > MAX;
        }
    });

    /** True when this principal may not use the session. */
    public boolean refuses(String session, String principal, boolean viaToken) {
        Owner owner = owners.get(session);
        return owner != null && !owner.principal().equals(principal) && (owner.viaToken() || viaToken);
    }

    /** The response, watched for the session id an initialize answer announces. */
    public HttpServletResponse recording(HttpServletResponse response, String principal, boolean viaToken) {
        return new HttpServletResponseWrapper(response) {
            @Override
            public void setHeader(String name, String value) {
                note(name, value);
                super.setHeader(name, value);
            }

            @Override
            public void addHeader(String name, String value) {
                note(name, value);
                super.addHeader(name, value);
            }

            private void note(String name, String value) {
                if ("Mcp-Session-Id".equalsIgnoreCase(name) && value != null) {
                    owners.put(value, new Owner(principal, viaToken));
                }
            }
        };
    }
}
