package dev.caravan.upstream;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Lists what a freshly initialised upstream offers, each list only when the upstream declares the capability.
 * The tools must list (a failure fails the connection); resources, templates and prompts are extras: an
 * upstream that declares them but cannot list them still serves its tools, and the failure is logged.
 */
final class UpstreamLister {
    private static final Logger log = LoggerFactory.getLogger(UpstreamLister.class);

    private final String upstream;
    private final Duration timeout;
    private final Secrets secrets;

    UpstreamLister(String upstream, Duration timeout, Secrets secrets) {
        this.upstream = upstream;
        this.timeout = timeout;
        this.secrets = secrets;
    }

    Listing list(McpAsyncClient c) {
        McpSchema.ServerCapabilities caps = c.getServerCapabilities();
        List<McpSchema.Tool> tools = caps == null || caps.tools() == null ? List.of()
                : c.listTools().timeout(timeout).block().tools();
        Listing resources = resources(c);
        List<McpSchema.Prompt> prompts = caps == null || caps.prompts() == null ? List.of()
                : optional("prompts/list", () -> c.listPrompts().timeout(timeout).block().prompts());
        return Listing.EMPTY.withTools(tools).withResources(resources.resources(), resources.templates())
                .withPrompts(prompts);
    }

    /** Resources and templates only (the SDK re-lists resources on list_changed, but not templates). */
    Listing resources(McpAsyncClient c) {
        McpSchema.ServerCapabilities caps = c.getServerCapabilities();
        if (caps == null || caps.resources() == null) {
            return Listing.EMPTY;
        }
        return Listing.EMPTY.withResources(
                optional("resources/list", () -> c.listResources().timeout(timeout).block().resources()),
                optional("resources/templates/list",
                        () -> c.listResourceTemplates().timeout(timeout).block().resourceTemplates()));
    }

    private <T> List<T> optional(String what, Supplier<List<T>> list) {
        try {
            return Listing.copy(list.get());
        } catch (RuntimeException e) {
            log.warn("Upstream {}: {} failed, leaving them out: {}", upstream, what, FailureReasons.describe(e, secrets));
            return List.of();
        }
    }
}
