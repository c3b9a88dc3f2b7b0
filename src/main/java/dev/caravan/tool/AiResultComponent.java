package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * {@code ai-result:KIND} appends the current body to the tool's result, so one route can return mixed content:
 * {@code text}, {@code image} / {@code audio} ({@code mimeType}; body as bytes, or base64 text with
 * {@code encoding=base64}), {@code resource} (embedded; {@code uri}, {@code mimeType}; text, or bytes as a blob),
 * {@code resource_link} ({@code uri}, {@code name}, {@code mimeType}), {@code structured} (body becomes
 * structuredContent), {@code error} (body is the message; the result is marked isError).
 */
public class AiResultComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        UriOptions options = new UriOptions(getCamelContext(), uri, parameters);
        Kind kind;
        try {
            kind = Kind.valueOf(remaining.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new RouteDefinitionException(uri + ": unknown result kind '" + remaining
                    + "' (use text, image, audio, resource, resource_link, structured or error)");
        }
        if ((kind == Kind.IMAGE || kind == Kind.AUDIO) && options.get("mimeType") == null) {
            throw new RouteDefinitionException(uri + ": " + remaining + " results need a mimeType option");
        }
        if ((kind == Kind.RESOURCE || kind == Kind.RESOURCE_LINK) && options.get("uri") == null) {
            throw new RouteDefinitionException(uri + ": " + remaining + " results need a uri option");
        }
        Step step = new Step(kind, options.get("mimeType"), options.get("uri"), options.get("name"),
                "base64".equalsIgnoreCase(options.get("encoding")));
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) {
                        step.apply(exchange);
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new IllegalArgumentException(uri + " is a route step (to:), not a route start");
            }

            @Override
            public boolean isLenientProperties() {
                return true;
            }
        };
    }

    enum Kind { TEXT, IMAGE, AUDIO, RESOURCE, RESOURCE_LINK, STRUCTURED, ERROR }

    record Step(Kind kind, String mimeType, String uri, String name, boolean base64) {
        void apply(Exchange exchange) {
            ResultContent result = exchange.getProperty(ResultContent.PROPERTY, ResultContent.class);
            if (result == null) {
                result = new ResultContent();
                exchange.setProperty(ResultContent.PROPERTY, result);
            }
            Object body = exchange.getMessage().getBody();
            switch (kind) {
                case TEXT -> result.add(new McpSchema.TextContent(ToolResults.text(body)));
                case IMAGE -> result.add(new McpSchema.ImageContent(null, data(body), mimeType));
                case AUDIO -> result.add(new McpSchema.AudioContent(null, data(body), mimeType));
                case RESOURCE -> result.add(new McpSchema.EmbeddedResource(null,
                        body instanceof byte[] || base64
                                ? new McpSchema.BlobResourceContents(uri, mimeType, data(body))
                                : new McpSchema.TextResourceContents(uri, mimeType, ToolResults.text(body))));
                case RESOURCE_LINK -> result.add(McpSchema.ResourceLink.builder().uri(uri)
                        .name(name == null ? uri : name).mimeType(mimeType).build());
                case STRUCTURED -> result.structured(ToolResults.structured(body));
                case ERROR -> {
                    result.add(new McpSchema.TextContent(ToolResults.text(body)));
                    result.error();
                }
            }
        }

        private String data(Object body) {
            if (base64) {
                return ToolResults.text(body).trim();
            }
            byte[] bytes = body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : ToolResults.bytes(body);
            return Base64.getEncoder().encodeToString(bytes);
        }
    }
}
