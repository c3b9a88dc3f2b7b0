package dev.caravan.upstream.oauth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Grants for the life of the process only (the probe: one run, nothing written to disk). */
final class InMemoryGrantStore implements GrantStore {
    private record Kept(String serverUrl, StoredGrant grant) {
    }

    private final Map<String, Kept> grants = new ConcurrentHashMap<>();

    @Override
    public StoredGrant load(String upstream, String serverUrl) {
        Kept k = grants.get(upstream);
        return k != null && k.serverUrl().equals(serverUrl) ? k.grant() : null;
    }

    @Override
    public void save(String upstream, String serverUrl, StoredGrant grant) {
        grants.put(upstream, new Kept(serverUrl, grant));
    }

    @Override
    public void delete(String upstream) {
        grants.remove(upstream);
    }
}
