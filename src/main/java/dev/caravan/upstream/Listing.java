package dev.caravan.upstream;

import io.modelcontextprotocol.spec.McpSchema;

import java.util.List;

/** What an upstream offers now, as it listed it: the catalogue re-exports these. */
record Listing(List<McpSchema.Tool> tools, List<McpSchema.Resource> resources,
               List<McpSchema.ResourceTemplate> templates, List<McpSchema.Prompt> prompts) {

    static final Listing EMPTY = new Listing(List.of(), List.of(), List.of(), List.of());

    Listing withTools(List<McpSchema.Tool> list) {
        return new Listing(copy(list), resources, templates, prompts);
    }

    Listing withResources(List<McpSchema.Resource> list, List<McpSchema.ResourceTemplate> templateList) {
        return new Listing(tools, copy(list), copy(templateList), prompts);
    }

    Listing withPrompts(List<McpSchema.Prompt> list) {
        return new Listing(tools, resources, templates, copy(list));
    }

    static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : List.copyOf(list);
    }
}
