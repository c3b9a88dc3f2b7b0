package dev.caravan.routes;

import dev.caravan.core.Periodic;
import dev.caravan.tool.RouteCheck;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.CamelContextHelper;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Keeps the Camel context in step with the YAML files under the routes directory: new files are loaded,
 * changed files are swapped in, deleted files unloaded. A file that fails to load leaves its previous version
 * serving and is reported with line and reason. Camel's own reload strategy removes the old routes before it
 * knows the new ones work, which is why this is done here.
 */
public class RouteDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RouteDirectory.class);

    private final CamelContext camel;
    private final Path dir;
    private final Duration pollInterval;
    private final Map<Path, Loaded> loaded = new ConcurrentHashMap<>();
    private final Map<Path, Stamp> seen = new ConcurrentHashMap<>();
    private final Map<String, RouteFileStatus> status = new ConcurrentHashMap<>();
    private Periodic watcher;
    private volatile boolean loadedOnce;

    /** A file's serving version: its routes, and the route templates it declared (kept in Camel's model). */
    private record Loaded(byte[] content, List<String> routeIds, List<RouteTemplateDefinition> templates) {
    }

    private record Added(List<String> routeIds, List<RouteTemplateDefinition> templates) {
    }

    private record Stamp(long modified, long size) {
    }

    public RouteDirectory(CamelContext camel, Path dir, Duration pollInterval) {
        this.camel = camel;
        this.dir = dir.toAbsolutePath().normalize();
        this.pollInterval = pollInterval;
    }

    /** Loads every file now, then keeps watching. */
    public void start() {
        if (!Files.isDirectory(dir)) {
            log.info("No routes directory at {} yet; create it and add *.yaml route files to publish tools", dir);
        }
        scan();
        loadedOnce = true;
        watcher = Periodic.every("routes-watcher", pollInterval, this::scan).start();
    }

    /** Whether every file present at start has been loaded (or reported failed) once: readiness waits on it. */
    public boolean loadedOnce() {
        return loadedOnce;
    }

    public List<RouteFileStatus> status() {
        return new TreeMap<>(status).values().stream().toList();
    }

    synchronized void scan() {
        Map<Path, Stamp> now = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.filter(Files::isRegularFile).filter(RouteDirectory::isRouteFile).forEach(p -> {
                    try {
                        now.put(p, new Stamp(Files.getLastModifiedTime(p).toMillis(), Files.size(p)));
                    } catch (IOException e) {
                        // gone between listing and stat: treated as deleted
                    }
                });
            } catch (IOException e) {
                log.warn("Cannot list {}: {}", dir, e.getMessage());
                return;
            }
        }
        for (Path gone : new ArrayList<>(seen.keySet())) {
            if (!now.containsKey(gone)) {
                seen.remove(gone);
                unload(gone);
            }
        }
        now.forEach((file, stamp) -> {
            if (!stamp.equals(seen.get(file))) {
                seen.put(file, stamp);
                try {
                    load(file, Files.readAllBytes(file));
                } catch (IOException e) {
                    seen.remove(file);
                }
            }
        });
    }

    private void load(Path file, byte[] content) {
        Loaded previous = loaded.get(file);
        String name = relative(file);
        if (previous != null && Arrays.equals(previous.content(), content)) {
            // Put back as it was (a broken edit reverted): the serving version is this content, so the report goes.
            RouteFileStatus current = status.get(name);
            if (current != null && current.isFailed()) {
                status.put(name, RouteFileStatus.loaded(name, previous.routeIds()));
                log.info("Route file {} is back to the version serving", name);
            }
            return;
        }
        Collection<RoutesBuilder> builders;
        try {
            builders = prepare(file, content);
        } catch (Exception failure) {
            // Nothing was touched: the previous version, if any, serves on without a gap.
            failed(name, content, problems(failure), previous == null ? List.of() : previous.routeIds());
            return;
        }
        if (previous != null) {
            remove(previous);
        }
        try {
            Added added = add(builders);
            List<String> ids = added.routeIds();
            loaded.put(file, new Loaded(content, ids, added.templates()));
            status.put(name, RouteFileStatus.loaded(name, ids));
            log.info("Loaded {} ({} route{})", name, ids.size(), ids.size() == 1 ? "" : "s");
        } catch (Exception failure) {
            // Camel stops at the first route that fails to start; try each one alone to report them all.
            List<Failure> problems = startEachAlone(builders);
            if (problems.isEmpty()) {
                problems = List.of(new Failure(failure, null));
            }
            List<String> serving = List.of();
            if (previous != null) {
                try {
                    Added restored = add(prepare(file, previous.content()));
                    serving = restored.routeIds();
                    loaded.put(file, new Loaded(previous.content(), serving, restored.templates()));
                } catch (Exception e) {
                    loaded.remove(file);
                    log.error("Could not restore the previous version of {}", name, e);
                }
            }
            failed(name, content, problems, serving);
        }
    }

    /** A problem found in a route file, with the route it concerns when known. */
    private record Failure(Throwable cause, String routeId) {
    }

    /** Every problem found while preparing a file, in file order. */
    private static final class InvalidFile extends Exception {
        private final List<Failure> problems;

        InvalidFile(List<Failure> problems) {
            super(problems.get(0).cause().getMessage(), problems.get(0).cause());
            this.problems = problems;
        }
    }

    private static List<Failure> problems(Exception failure) {
        return failure instanceof InvalidFile invalid ? invalid.problems : List.of(new Failure(failure, null));
    }

    private void failed(String name, byte[] content, List<Failure> problems, List<String> serving) {
        String text = new String(content, StandardCharsets.UTF_8);
        List<RouteFileStatus.Problem> located = new ArrayList<>();
        for (Failure f : problems) {
            RouteFileErrors.Located where = RouteFileErrors.locate(f.cause(), text, f.routeId());
            located.add(new RouteFileStatus.Problem(where.line(), where.reason()));
            log.error("Route file {}{} is invalid: {}{}", name, where.line() == null ? "" : " line " + where.line(),
                    where.reason(), serving.isEmpty() ? "" : " (its previous version keeps serving)");
        }
        status.put(name, RouteFileStatus.failed(name, serving, located));
    }

    private void unload(Path file) {
        Loaded previous = loaded.remove(file);
        status.remove(relative(file));
        if (previous != null) {
            remove(previous);
            log.info("Unloaded {}", relative(file));
        }
    }

    /**
     * Reads the file into route definitions and resolves every endpoint they name statically, so that bad YAML, an
     * unknown component or a bad endpoint option fails here, before the running version is touched; then the
     * connectors' {@link RouteCheck}s look at each route. Every route is checked, so that all of a file's problems
     * are reported at once ({@link InvalidFile}).
     */
    private Collection<RoutesBuilder> prepare(Path file, byte[] content) throws Exception {
        // Named by the path relative to the routes directory's parent: it shows in error reports and in
        // tool sources, which must not reveal where the server keeps its files.
        Resource resource = ResourceHelper.fromBytes("file:" + relative(file), content);
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resource);
        List<Failure> problems = new ArrayList<>();
        for (RouteDefinition route : definitions(builders)) {
            List<String> uris = new ArrayList<>();
            uris.add(route.getInput() == null ? null : route.getInput().getEndpointUri());
            for (SendDefinition<?> send : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(),
                    SendDefinition.class)) {
                uris.add(send.getEndpointUri());
            }
            int before = problems.size();
            for (String uri : uris) {
                try {
                    resolve(uri);
                } catch (Exception e) {
                    problems.add(new Failure(e, route.getRouteId()));
                }
            }
            // A route whose endpoints do not resolve is already reported; the checks would only repeat it.
            for (RouteCheck check : problems.size() > before ? List.<RouteCheck>of()
                    : camel.getRegistry().findByType(RouteCheck.class)) {
                try {
                    check.check(route, camel);
                } catch (Exception e) {
                    problems.add(new Failure(e, route.getRouteId()));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidFile(problems);
        }
        return builders;
    }

    private List<RouteDefinition> definitions(Collection<RoutesBuilder> builders) throws Exception {
        List<RouteDefinition> routes = new ArrayList<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteBuilder r) {
                routes.addAll(r.configureRoutes(camel).getRoutes());
            }
        }
        return routes;
    }

    /**
     * Starts the file's routes one at a time, keeping each that starts so that a clash between two of them shows
     * too, then removes them all. Returns the failures. Only for files of plain routes: anything else (REST,
     * templates) is added as a whole, and only the first failure is known.
     */
    private List<Failure> startEachAlone(Collection<RoutesBuilder> builders) {
        List<Failure> problems = new ArrayList<>();
        List<RouteDefinition> routes;
        try {
            for (RoutesBuilder builder : builders) {
                if (!(builder instanceof RouteBuilder r) || !r.getRestCollection().getRests().isEmpty()
                        || !r.getRouteTemplateCollection().getRouteTemplates().isEmpty()) {
                    return problems;
                }
            }
            routes = definitions(builders);
        } catch (Exception e) {
            return problems;
        }
        Set<String> before = routeIds();
        for (RouteDefinition route : routes) {
            Set<String> present = routeIds();
            try {
                ((ModelCamelContext) camel).addRouteDefinition(route);
            } catch (Exception e) {
                problems.add(new Failure(e, route.getRouteId()));
                Set<String> partial = routeIds();
                partial.removeAll(present);
                remove(List.copyOf(partial));
            }
        }
        Set<String> added = routeIds();
        added.removeAll(before);
        remove(List.copyOf(added));
        return problems;
    }

    private void resolve(String uri) {
        if (uri != null) {
            CamelContextHelper.getMandatoryEndpoint(camel, uri);
        }
    }

    /** Adds the routes and templates; on failure removes whatever part of them was added, then rethrows. */
    private Added add(Collection<RoutesBuilder> builders) throws Exception {
        Set<String> before = routeIds();
        List<RouteTemplateDefinition> templatesBefore = templates();
        try {
            for (RoutesBuilder builder : builders) {
                camel.addRoutes(builder);
            }
        } catch (Exception e) {
            Set<String> partial = routeIds();
            partial.removeAll(before);
            remove(List.copyOf(partial));
            removeTemplates(addedSince(templatesBefore));
            throw e;
        }
        Set<String> added = routeIds();
        added.removeAll(before);
        return new Added(added.stream().sorted().toList(), addedSince(templatesBefore));
    }

    private void remove(Loaded version) {
        remove(version.routeIds());
        removeTemplates(version.templates());
    }

    /**
     * Camel's model appends a template loaded again under the same id rather than replacing it, and keeps a template
     * whose file is gone: the file's own definitions are removed with it, by identity.
     */
    private void removeTemplates(List<RouteTemplateDefinition> templates) {
        for (RouteTemplateDefinition template : templates) {
            try {
                ((ModelCamelContext) camel).removeRouteTemplateDefinition(template);
            } catch (Exception e) {
                log.warn("Could not remove route template {}", template.getId(), e);
            }
        }
    }

    private List<RouteTemplateDefinition> templates() {
        return List.copyOf(((ModelCamelContext) camel).getRouteTemplateDefinitions());
    }

    private List<RouteTemplateDefinition> addedSince(List<RouteTemplateDefinition> before) {
        Set<RouteTemplateDefinition> old = Collections.newSetFromMap(new IdentityHashMap<>());
        old.addAll(before);
        return templates().stream().filter(t -> !old.contains(t)).toList();
    }

    private void remove(List<String> ids) {
        for (String id : ids) {
            try {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            } catch (Exception e) {
                log.warn("Could not remove route {}", id, e);
            }
        }
    }

    private Set<String> routeIds() {
        Set<String> ids = new HashSet<>();
        for (Route r : camel.getRoutes()) {
            ids.add(r.getRouteId());
        }
        return ids;
    }

    private String relative(Path file) {
        Path base = dir.getParent() == null ? dir : dir.getParent();
        return base.relativize(file).toString();
    }

    private static boolean isRouteFile(Path p) {
        String n = p.getFileName().toString();
        return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".");
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
