package dev.caravan.store;

import java.time.Instant;
import java.util.List;

public record EndpointRecord(String name, List<String> tools, boolean enabled, Instant createdAt, Instant updatedAt) {
}
