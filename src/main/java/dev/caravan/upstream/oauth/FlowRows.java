package dev.caravan.upstream.oauth;

import java.time.Instant;

/**
 * Where {@link PendingAuthorizations} keeps its flows, each a serialised payload under the hash of its state: the
 * database in the hub ({@link JdbcFlowRows}, so any node takes the callback), memory in the probe.
 */
interface FlowRows {
    /** What taking a state found. */
    sealed interface Taken {
        record Flow(String payload) implements Taken {
        }

        /** Taken before (the row is kept until it expires). */
        record Used() implements Taken {
        }

        /** Never started, replaced by a newer flow of its owner, or expired. */
        record Missing() implements Taken {
        }
    }

    /** Adds a flow, dropping the owner's open ones: only an owner's latest link works. */
    void put(String stateHash, String owner, String payload, Instant expiresAt, Instant now);

    /** Marks the state used, at most once across every node, and gives its flow. */
    Taken take(String stateHash, Instant now);

    /** The payload of the owner's open flow, or null. */
    String open(String owner, Instant now);

    void forget(String owner);
}
