package dev.caravan.routes;

import java.time.Instant;
import java.util.List;

/**
 * The state of one route file: loaded, or failed with every problem found ({@code errors}, each with its line and
 * reason; {@code line} and {@code error} repeat the first one). A failed file whose earlier version loaded keeps
 * that version serving ({@code servingPrevious}).
 */
public record RouteFileStatus(String file, String state, List<String> routes, Integer line, String error,
                              List<Problem> errors, boolean servingPrevious, Instant updatedAt) {

    /** One problem in a route file; the line is absent when it cannot be found. */
    public record Problem(Integer line, String reason) {
    }

    static RouteFileStatus loaded(String file, List<String> routes) {
        return new RouteFileStatus(file, "loaded", routes, null, null, List.of(), false, Instant.now());
    }

    static RouteFileStatus failed(String file, List<String> serving, List<Problem> problems) {
        Problem first = problems.get(0);
        return new RouteFileStatus(file, "failed", serving, first.line(), first.reason(), List.copyOf(problems),
                !serving.isEmpty(), Instant.now());
    }

    boolean isFailed() {
        return "failed".equals(state);
    }
}
