package dev.caravan.upstream.oauth;

/**
 * Where the OAuth grant of each upstream is kept: {@link TokenStore} (sealed, in the database) in the hub, an
 * {@link InMemoryGrantStore} in the probe, which must start without a database.
 */
interface GrantStore {

    /** The grant kept for this upstream at this URL, or null (none, another URL, or unreadable). */
    StoredGrant load(String upstream, String serverUrl);

    void save(String upstream, String serverUrl, StoredGrant grant);

    void delete(String upstream);
}
