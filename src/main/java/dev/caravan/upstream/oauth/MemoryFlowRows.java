package dev.caravan.upstream.oauth;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Flows in memory, for the probe (one process, no database); bounded, oldest dropped first. */
final class MemoryFlowRows implements FlowRows {
    private static final int MAX = 1000;

    private record Row(String owner, String payload, Instant expiresAt, boolean used) {
    }

    private final Map<String, Row> rows = new LinkedHashMap<>();

    @Override
    public synchronized void put(String stateHash, String owner, String payload, Instant expiresAt, Instant now) {
        purge(now);
        rows.values().removeIf(r -> !r.used() && r.owner().equals(owner));
        while (rows.size() >= MAX) {
            Iterator<String> it = rows.keySet().iterator();
            it.next();
            it.remove();
        }
        rows.put(stateHash, new Row(owner, payload, expiresAt, false));
    }

    @Override
    public synchronized Taken take(String stateHash, Instant now) {
        purge(now);
        Row r = rows.get(stateHash);
        if (r == null) {
            return new Taken.Missing();
        }
        if (r.used()) {
            return new Taken.Used();
        }
        rows.put(stateHash, new Row(r.owner(), r.payload(), r.expiresAt(), true));
        return new Taken.Flow(r.payload());
    }

    @Override
    public synchronized String open(String owner, Instant now) {
        purge(now);
        return rows.values().stream().filter(r -> !r.used() && r.owner().equals(owner)).map(Row::payload)
                .findFirst().orElse(null);
    }

    @Override
    public synchronized void forget(String owner) {
        rows.values().removeIf(r -> !r.used() && r.owner().equals(owner));
    }

    private void purge(Instant now) {
        rows.values().removeIf(r -> now.isAfter(r.expiresAt()));
    }
}
