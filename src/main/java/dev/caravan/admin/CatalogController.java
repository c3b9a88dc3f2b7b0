package dev.caravan.admin;

import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.ToolSelector;
import dev.caravan.core.CallContext;
import dev.caravan.core.Caller;
import dev.caravan.web.ApiException;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/** The whole catalogue with where each feature comes from, to see what an endpoint's patterns will select. */
@RestController
@RequestMapping("/admin/api")
public class CatalogController {
    private static final Logger audit = LoggerFactory.getLogger("dev.caravan.audit.console");
    static final int MAX_LIMIT = 200;
    /** Who a tool run from the console is, for locks, shares and the audit trail. */
    static final Caller CONSOLE = new Caller("console", "admin");
    private final Catalog catalog;
    /**
     * The details and their lower-cased search text per kind, built on first use after each catalogue change: with
     * 10,000 tools, building every tool's schema again per search was most of a request's time. A change swaps in
     * a fresh map, so a list being built from the old catalogue lands in the discarded one.
     */
    private volatile Map<String, List<Indexed>> indexed = new ConcurrentHashMap<>();

    private final TryItStreams streams = new TryItStreams();

    public CatalogController(Catalog catalog) {
        this.catalog = catalog;
        catalog.onChange(() -> indexed = new ConcurrentHashMap<>());
    }

    private record Indexed(Detail detail, String text) {
        static Indexed of(Detail d) {
            return new Indexed(d, (d.name() + " " + d.title() + " " + d.description() + " " + String.join(" ", d.tags())
                    + " " + d.source()).toLowerCase(Locale.ROOT));
        }
    }

    public record Entry(String name, String title, String description, Set<String> tags, String source) {
    }

    /** A feature with what the console shows of it (schemas and hints for tools, the URI for resources). */
    public record Detail(String kind, String name, String title, String description, Set<String> tags, String source,
                         Object inputSchema, Object outputSchema, Object annotations, String uri) {
    }

    /** One page of the search; {@code total} counts every match. */
    public record Page(int total, int offset, int limit, List<Detail> items) {
    }

    public record CallRequest(Map<String, Object> arguments) {
    }

    @GetMapping("/tools")
    public List<Entry> tools() {
        return catalog.tools().stream().map(t -> new Entry(t.definition().name(), t.definition().title(),
                t.definition().description(), t.tags(), t.source())).toList();
    }

    /**
     * Searches the catalogue a page at a time: {@code kind} tools, resources or prompts; {@code q} words that must
     * each occur in the name, title, description, tags or source; {@code select} endpoint patterns (comma-separated)
     * the feature must match, as an endpoint would select it.
     */
    @GetMapping("/catalog")
    public Page search(@RequestParam(defaultValue = "tools") String kind, @RequestParam(defaultValue = "") String q,
                       @RequestParam(required = false) String select, @RequestParam(defaultValue = "0") int offset,
                       @RequestParam(defaultValue = "50") int limit) {
        if (offset < 0 || limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("offset must be 0 or more and limit between 1 and " + MAX_LIMIT);
        }
        if (!List.of("tools", "resources", "prompts").contains(kind)) {
            throw ApiException.invalid("kind must be tools, resources or prompts");
        }
        List<Indexed> all = indexed.computeIfAbsent(kind, this::index);
        Predicate<Indexed> wanted = matching(q);
        if (select != null && !select.isBlank()) {
            List<String> patterns = Arrays.stream(select.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
            try {
                ToolSelector.check(patterns);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(e.getMessage());
            }
            ToolSelector selector = new ToolSelector(patterns);
            wanted = wanted.and(i -> selector.matches(i.detail().name(), i.detail().tags()));
        }
        List<Detail> found = all.stream().filter(wanted).map(Indexed::detail).toList();
        int from = Math.min(offset, found.size());
        return new Page(found.size(), offset, limit, found.subList(from, Math.min(found.size(), from + limit)));
    }

    /**
     * Runs a tool as the console's admin caller (the Try it form) and answers its result as a client would see it.
     * Each run is written to the audit log with the tool and outcome (not the arguments, which may hold secrets).
     */
    @PostMapping("/tools/{name}/call")
    public McpSchema.CallToolResult call(@PathVariable String name, @RequestBody(required = false) CallRequest body) {
        Catalog.Tool tool = tool(name);
        Map<String, Object> args = arguments(body);
        long started = System.nanoTime();
        McpSchema.CallToolResult result;
        try {
            result = tool.handler().apply(args, new CallContext(null, null, CONSOLE));
        } catch (RuntimeException e) {
            audit.warn("console ran tool {}: failed ({})", name, e.getClass().getSimpleName());
            throw ApiException.internal("The tool failed; the server log has the detail");
        }
        audit.info("console ran tool {}: {} in {} ms", name, Boolean.TRUE.equals(result.isError()) ? "error" : "ok",
                (System.nanoTime() - started) / 1_000_000);
        return result;
    }

    /**
     * The same run answered as server-sent events when the client asks for {@code text/event-stream} (the console's
     * Try it form): progress as the route reports it, then the result; closing the stream cancels the call.
     */
    @PostMapping(path = "/tools/{name}/call", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public SseEmitter callStreaming(@PathVariable String name, @RequestBody(required = false) CallRequest body) {
        return streams.start(name, tool(name), arguments(body));
    }

    @PreDestroy
    void stopStreams() {
        streams.close();
    }

    private Catalog.Tool tool(String name) {
        return catalog.tools().stream().filter(t -> t.definition().name().equals(name)).findFirst()
                .orElseThrow(() -> ApiException.notFound("No tool named '" + name + "' in the catalogue"));
    }

    private static Map<String, Object> arguments(CallRequest body) {
        return body == null || body.arguments() == null ? Map.of() : body.arguments();
    }

    private List<Indexed> index(String kind) {
        return switch (kind) {
            case "tools" -> catalog.tools().stream().map(t -> Indexed.of(detail(t))).toList();
            case "resources" -> catalog.resources().stream().map(r -> Indexed.of(detail(r))).toList();
            default -> catalog.prompts().stream().map(p -> Indexed.of(detail(p))).toList();
        };
    }

    private static Predicate<Indexed> matching(String q) {
        List<String> words = Arrays.stream(q.toLowerCase(Locale.ROOT).split("\\s+")).filter(w -> !w.isEmpty()).toList();
        if (words.isEmpty()) {
            return i -> true;
        }
        return i -> words.stream().allMatch(i.text()::contains);
    }

    private static Detail detail(Catalog.Tool t) {
        McpSchema.Tool d = t.definition();
        return new Detail("tool", d.name(), d.title(), d.description(), t.tags(), t.source(), d.inputSchema(),
                d.outputSchema(), d.annotations(), null);
    }

    private static Detail detail(Catalog.Resource r) {
        String description = r.resource() != null ? r.resource().description() : r.template().description();
        return new Detail("resource", r.name(), null, description, r.tags(), r.source(), null, null, null, r.key());
    }

    private static Detail detail(Catalog.Prompt p) {
        McpSchema.Prompt d = p.definition();
        return new Detail("prompt", d.name(), d.title(), d.description(), p.tags(), p.source(), d.arguments(), null,
                null, null);
    }

    @GetMapping("/resources")
    public List<Entry> resources() {
        return catalog.resources().stream().map(r -> new Entry(r.key(), r.name(),
                r.resource() != null ? r.resource().description() : r.template().description(), r.tags(), r.source()))
                .toList();
    }

    /** Features left out because an earlier source already uses their name. */
    @GetMapping("/collisions")
    public List<Catalog.Collision> collisions() {
        return catalog.collisions();
    }

    @GetMapping("/prompts")
    public List<Entry> prompts() {
        return catalog.prompts().stream().map(p -> new Entry(p.definition().name(), p.definition().title(),
                p.definition().description(), p.tags(), p.source())).toList();
    }
}
