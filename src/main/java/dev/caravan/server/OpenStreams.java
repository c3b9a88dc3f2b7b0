package dev.caravan.server;

import jakarta.servlet.AsyncContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The held-open responses (event streams, long calls) of each endpoint, with the hash of the credential that
 * opened each. A sweep closes those whose credential no longer opens their endpoint: at once when this node
 * changes credentials, and every second for changes another node made (seen once the credential cache lets go).
 */
final class OpenStreams {
    private static final Logger log = LoggerFactory.getLogger(OpenStreams.class);

    private record Opener(String endpoint, String tokenHash) {
    }

    private final Map<AsyncContext, Opener> open = new ConcurrentHashMap<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile Consumer<String> firstOpen = endpoint -> { };

    void onFirstOpen(Consumer<String> listener) {
        this.firstOpen = listener;
    }

    /** Keeps the stream until it ends by itself or {@link #sweep} closes it. */
    void track(AsyncContext stream, String endpoint, String tokenHash) {
        open.put(stream, new Opener(endpoint, tokenHash));
        if (seen.add(endpoint)) {
            firstOpen.accept(endpoint);
        }
        stream.addListener(new WhenStreamEnds(() -> open.remove(stream)));
    }

    int size() {
        return open.size();
    }

    int count(String endpoint) {
        return (int) open.values().stream().filter(o -> o.endpoint().equals(endpoint)).count();
    }

    /** Closes every stream whose opener {@code valid} refuses; asks once per distinct credential. */
    void sweep(BiPredicate<String, String> valid) {
        Map<Opener, Boolean> verdicts = new ConcurrentHashMap<>();
        for (Map.Entry<AsyncContext, Opener> e : Set.copyOf(open.entrySet())) {
            Opener o = e.getValue();
            if (!verdicts.computeIfAbsent(o, k -> valid.test(k.endpoint(), k.tokenHash()))) {
                close(e.getKey());
            }
        }
    }

    private void close(AsyncContext stream) {
        open.remove(stream);
        try {
            stream.complete();
        } catch (IllegalStateException e) {
            // already completed by the SDK or the container
            log.debug("Stream already ended: {}", e.getMessage());
        }
    }
}
