package dev.caravan.upstream;

import java.util.function.Function;

/**
 * What the upstream room needs of OAuth 2.1: the {@link UpstreamAuth} of an {@code auth: {type: oauth}} upstream,
 * and forgetting a removed upstream's grant. {@code dev.caravan.upstream.oauth} implements it, so this room does not
 * depend on that one.
 */
public interface OAuthConnector extends Function<UpstreamConfig, UpstreamAuth> {

    /** Forgets what is held for an upstream deleted for good (its credentials and stored grant). */
    void forget(String upstream);
}
