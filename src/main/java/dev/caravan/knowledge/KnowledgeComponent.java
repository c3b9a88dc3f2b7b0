package dev.caravan.knowledge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.caravan.core.CallContext;
import dev.caravan.tool.RouteDefinitionException;
import dev.caravan.tool.ToolFailure;
import dev.caravan.core.WorkspaceScopes;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code knowledge:NAME?operation=OP}. The pipeline steps {@code extract}, {@code chunk}, {@code embed},
 * {@code upsert} take and give an {@link IngestJob} body (after extract, a step in between may change the text with
 * {@code IngestJob.setText}); {@code delete} removes the document. The tool operations {@code search},
 * {@code status}, {@code reindex} read their arguments from headers ({@code query}, {@code knowledgeBase},
 * {@code k}, {@code workspace}, {@code pathPrefix}, {@code mimeType}, {@code documents}, {@code path}) and return
 * JSON text; NAME is the default base ({@code *} for all). Search shows only workspaces the caller may read.
 */
public class KnowledgeComponent extends DefaultComponent {
    public enum Operation {
        EXTRACT, CHUNK, EMBED, UPSERT, DELETE, SEARCH, STATUS, REINDEX
    }

    /** The exchange property that keeps the job while a step in between has the text as its body. */
    static final String JOB = "CaravanKnowledgeJob";

    private final KnowledgeService service;
    private final KnowledgeViews views;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public KnowledgeComponent(KnowledgeService service, KnowledgeViews views) {
        this.service = service;
        this.views = views;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        String name = getAndRemoveParameter(parameters, "operation", String.class);
        Operation op = RouteDefinitionException.operation(uri, name, Operation.class);
        String defaultBase = remaining == null || remaining.isBlank() || remaining.equals("*") ? null : remaining;
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) throws Exception {
                        run(op, defaultBase, exchange);
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new IllegalArgumentException(uri + " is a route step (to:), not a route start");
            }
        };
    }

    private void run(Operation op, String defaultBase, Exchange exchange) throws JsonProcessingException {
        switch (op) {
            case EXTRACT -> service.pipeline().extract(job(exchange));
            case CHUNK -> service.pipeline().chunk(job(exchange));
            case EMBED -> service.pipeline().embed(job(exchange));
            case UPSERT -> service.pipeline().upsert(job(exchange));
            case DELETE -> {
                IngestJob job = job(exchange);
                service.changed(job.workspace(), job.path(), null, true);
            }
            case SEARCH -> exchange.getMessage().setBody(search(defaultBase, exchange));
            case STATUS -> {
                try {
                    exchange.getMessage().setBody(json.writeValueAsString(Map.of("knowledgeBases", views.status(
                            header(exchange, "knowledgeBase", defaultBase),
                            Boolean.parseBoolean(header(exchange, "documents", "false"))))));
                } catch (KnowledgeBaseException e) {
                    throw new ToolFailure(e.getMessage() + "; knowledge_status without knowledgeBase lists them all");
                }
            }
            case REINDEX -> {
                String base = header(exchange, "knowledgeBase", header(exchange, "base", defaultBase));
                if (base == null) {
                    throw new ToolFailure("Name the knowledge base to reindex (base).");
                }
                try {
                    int n = service.reindex(base, blankToNull(header(exchange, "path", null)));
                    exchange.getMessage().setBody("Queued " + n + " document(s) of " + base + " for reindexing; "
                            + "knowledge_status shows progress.");
                } catch (KnowledgeBaseException e) {
                    throw new ToolFailure(e.getMessage());
                }
            }
        }
    }

    private String search(String defaultBase, Exchange exchange) throws JsonProcessingException {
        String query = header(exchange, "query", null);
        String base = blankToNull(header(exchange, "knowledgeBase", defaultBase));
        int k;
        try {
            k = Integer.parseInt(header(exchange, "k", "8"));
        } catch (NumberFormatException e) {
            throw new ToolFailure("k must be a whole number between 1 and 100.");
        }
        SearchFilters filters = new SearchFilters(blankToNull(header(exchange, "workspace", null)),
                blankToNull(header(exchange, "pathPrefix", null)), blankToNull(header(exchange, "mimeType", null)));
        Object filterArg = exchange.getMessage().getHeader("filters");
        if (filterArg instanceof Map<?, ?> f) {
            filters = new SearchFilters(str(f.get("workspace"), filters.workspace()),
                    str(f.get("pathPrefix"), filters.pathPrefix()), str(f.get("mimeType"), filters.mimeType()));
        }
        CallContext context = exchange.getProperty(CallContext.PROPERTY, CallContext.class);
        WorkspaceScopes scopes = context == null ? WorkspaceScopes.ALL : context.caller().scopes();
        List<SearchHit> hits;
        try {
            // Asked for more than k so that hits in workspaces the caller may not read can be left out.
            hits = service.search(query, base, Math.min(100, k * 3), filters, LuceneIndex.Mode.HYBRID).stream()
                    .filter(h -> scopes.allows(h.workspace(), WorkspaceScopes.Operation.READ)).limit(k).toList();
        } catch (KnowledgeBaseException e) {
            throw new ToolFailure(e.getMessage() + ".");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("query", query);
        out.put("results", hits.stream().map(views::hit).toList());
        if (hits.isEmpty()) {
            out.put("hint", "Nothing matched. Try other words, drop filters, or check knowledge_status: documents "
                    + "still queued are not searchable yet.");
        }
        return json.writeValueAsString(out);
    }

    /**
     * The document the route carries. A step between two may leave the body as it found it (the job, changed or not)
     * or replace it with text (a String, e.g. a {@code transform} that redacts {@code ${body.text()}}): that text
     * becomes the document's text and the job is the body again.
     */
    private static IngestJob job(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof IngestJob job) {
            exchange.setProperty(JOB, job);
            return job;
        }
        IngestJob held = exchange.getProperty(JOB, IngestJob.class);
        if (held != null && body instanceof CharSequence text) {
            held.setText(text.toString());
            exchange.getMessage().setBody(held);
            return held;
        }
        throw new IllegalArgumentException("knowledge pipeline steps need the IngestJob body the ingestion route "
                + "starts with, or (after extract) the document's text as a String; a step in between changed it to "
                + (body == null ? "nothing" : body.getClass().getSimpleName()));
    }

    private static String header(Exchange exchange, String name, String fallback) {
        Object v = exchange.getMessage().getHeader(name);
        return v == null ? fallback : String.valueOf(v);
    }

    private static String str(Object o, String fallback) {
        return o == null ? fallback : blankToNull(String.valueOf(o));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
