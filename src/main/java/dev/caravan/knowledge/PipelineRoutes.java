package dev.caravan.knowledge;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteTemplateDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Runs each document through its base's own route: the base's {@code pipeline} route template (shipped:
 * {@code knowledge-ingest} in routes/knowledge/ingest.yaml) instantiated once per base as route
 * {@code knowledge-ingest-BASE} with the parameter {@code base}. When the template is loaded again (its file
 * changed) the base's route is made again from the new one. Without the shipped template the built-in steps run;
 * a base that names a template that is not loaded fails its documents with that reason (its steps, e.g. a redaction,
 * are never skipped silently).
 */
final class PipelineRoutes implements UnaryOperator<IngestJob> {
    private static final Logger log = LoggerFactory.getLogger(PipelineRoutes.class);
    static final String ROUTE_PREFIX = "knowledge-ingest-";

    private record Instance(RouteTemplateDefinition template, String routeId, Endpoint endpoint) {
    }

    private final Supplier<CamelContext> camel;
    private final KnowledgeService service;
    private final Map<String, Instance> instances = new ConcurrentHashMap<>();
    private volatile ProducerTemplate producer;

    PipelineRoutes(Supplier<CamelContext> camel, KnowledgeService service) {
        this.camel = camel;
        this.service = service;
    }

    @Override
    public IngestJob apply(IngestJob job) {
        KnowledgeBase kb = service.base(job.base()).map(KnowledgeService.Base::definition).orElse(null);
        if (kb == null) {
            return service.runBuiltIn(job); // its first step ends it: the base is gone
        }
        ModelCamelContext context = (ModelCamelContext) camel.get();
        RouteTemplateDefinition template = current(context, kb.pipeline());
        if (template == null) {
            if (kb.pipeline().equals(KnowledgeBase.DEFAULT_PIPELINE)) {
                return service.runBuiltIn(job);
            }
            throw new IllegalStateException("the base's pipeline route template '" + kb.pipeline() + "' is not "
                    + "loaded (add it to the routes directory, or leave pipeline out for the shipped one)");
        }
        Instance instance = instance(context, kb.name(), template);
        if (producer == null) {
            producer = context.createProducerTemplate();
        }
        producer.sendBody(instance.endpoint(), job);
        return job;
    }

    /**
     * The template last loaded under this id. Camel appends a template loaded again (its file changed) to its list
     * and finds the first by id, so the older versions are dropped here.
     */
    private static synchronized RouteTemplateDefinition current(ModelCamelContext context, String id) {
        List<RouteTemplateDefinition> same = context.getRouteTemplateDefinitions().stream()
                .filter(t -> id.equals(t.getId())).toList();
        if (same.isEmpty()) {
            return null;
        }
        for (RouteTemplateDefinition old : same.subList(0, same.size() - 1)) {
            try {
                context.removeRouteTemplateDefinition(old);
            } catch (Exception e) {
                log.warn("Could not drop an older version of route template {}: {}", id, e.getMessage());
            }
        }
        return same.get(same.size() - 1);
    }

    private synchronized Instance instance(ModelCamelContext context, String base, RouteTemplateDefinition template) {
        Instance known = instances.get(base);
        if (known != null && known.template() == template && context.getRoute(known.routeId()) != null) {
            return known;
        }
        String routeId = ROUTE_PREFIX + base;
        try {
            if (context.getRoute(routeId) != null) {
                context.getRouteController().stopRoute(routeId);
                context.removeRoute(routeId);
            }
            TemplatedRouteBuilder.builder(context, template.getId()).routeId(routeId).parameter("base", base).add();
        } catch (Exception e) {
            throw new IllegalStateException("the route template '" + template.getId() + "' cannot be made into a "
                    + "route for this base: " + e.getMessage(), e);
        }
        Route route = context.getRoute(routeId);
        Instance made = new Instance(template, routeId, route.getEndpoint());
        instances.put(base, made);
        log.info("Knowledge base {} ingests through route {} (template {})", base, routeId, template.getId());
        return made;
    }
}
