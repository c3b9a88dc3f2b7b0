package dev.caravan.routes;

import java.time.Instant;
import java.util.List;

/**
 * The state of one route file: loaded, or failed with the line and reason. A failed file whose earlier version
 * loaded keeps that version serving ({@code servingPrevious}).
 */
public record RouteFileStatus(String file, String state, List<String> routes, Integer line, String error,
                              boolean servingPrevious, Instant updatedAt) {
    static RouteFileStatus loaded(String file, List<String> routes) {
        return new RouteFileStatus(file, "loaded", routes, null, null, false, Instant.now());
    }

    static RouteFileStatus failed(String file, List<String> serving, Integer line, String error) {
        return new RouteFileStatus(file, "failed", serving, line, error, !serving.isEmpty(), Instant.now());
    }
}
