package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an {@code ai-resource:NAME} route declares: a fixed {@code uri} or a {@code uriTemplate} (RFC 6570 level 1,
 * whose variables become headers), plus {@code completion.VAR} value lists for argument completion.
 */
public record ResourceSpec(String name, String uri, String uriTemplate, String title, String description,
                           String mimeType, Set<String> tags, Map<String, List<String>> completions) {

    private static final Set<String> OPTIONS = Set.of("uri", "uriTemplate", "title", "description", "mimeType", "tags");
    private static final Pattern VARIABLE = Pattern.compile("\\{([^}]+)}");

    static ResourceSpec parse(String name, UriOptions options) {
        ToolSpec.checkName(name, options.uri());
        for (String key : options.keys()) {
            if (!OPTIONS.contains(key) && !key.startsWith("completion.")) {
                throw new RouteDefinitionException(options.uri() + ": unknown option '" + key
                        + "'. Known options: description, mimeType, tags, title, uri, uriTemplate, completion.VARIABLE");
            }
        }
        String uri = options.get("uri");
        String template = options.get("uriTemplate");
        if ((uri == null) == (template == null)) {
            throw new RouteDefinitionException(options.uri() + ": give exactly one of 'uri' or 'uriTemplate'");
        }
        Map<String, List<String>> completions = new LinkedHashMap<>();
        options.group("completion").forEach((variable, attrs) -> completions.put(variable, UriOptions.csv(attrs.get(""))));
        return new ResourceSpec(name, uri, template, options.get("title"), options.get("description"),
                options.get("mimeType"), options.list("tags"), completions);
    }

    public boolean isTemplate() {
        return uriTemplate != null;
    }

    /** Variables of the template bound from a concrete URI, or null when the URI does not match it. */
    public Map<String, String> match(String concreteUri) {
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder("^");
        Matcher m = VARIABLE.matcher(uriTemplate);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(uriTemplate.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(uriTemplate.substring(last))).append('$');
        Matcher concrete = Pattern.compile(regex.toString()).matcher(concreteUri);
        if (!concrete.matches()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            values.put(names.get(i), URLDecoder.decode(concrete.group(i + 1), StandardCharsets.UTF_8));
        }
        return values;
    }

    public McpSchema.Resource toMcpResource() {
        return McpSchema.Resource.builder().uri(uri).name(name).title(title).description(description)
                .mimeType(mimeType).build();
    }

    public McpSchema.ResourceTemplate toMcpTemplate() {
        return McpSchema.ResourceTemplate.builder().uriTemplate(uriTemplate).name(name).title(title)
                .description(description).mimeType(mimeType).build();
    }
}
