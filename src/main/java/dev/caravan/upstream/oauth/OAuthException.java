package dev.caravan.upstream.oauth;

/** An OAuth step failed; the message is for people (status, admin API, callback page): no token, no secret. */
public class OAuthException extends RuntimeException {
    public OAuthException(String message) {
        super(message, null, false, false);
    }
}
