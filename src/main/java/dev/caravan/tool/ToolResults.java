package dev.caravan.tool;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Turns what a route produced into a tool result. Text by default; structured content when the tool has an
 * output schema; image or audio for binary bodies with such a MIME type; whatever {@code ai-result:} steps
 * collected, in order, for mixed content.
 */
public final class ToolResults {
    private ToolResults() {
    }

    static McpSchema.CallToolResult of(Exchange exchange, ToolSpec spec) {
        Object body = exchange.getMessage().getBody();
        ResultContent collected = exchange.getProperty(ResultContent.PROPERTY, ResultContent.class);
        if (collected != null) {
            return collected.toResult();
        }
        if (body instanceof McpSchema.CallToolResult result) {
            return result;
        }
        if (spec.outputSchema() != null) {
            Object structured = structured(exchange, body);
            return McpSchema.CallToolResult.builder().structuredContent(structured)
                    .addTextContent(json(structured)).isError(false).build();
        }
        return McpSchema.CallToolResult.builder().addContent(content(exchange, body)).isError(false).build();
    }

    public static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    /**
     * The body as one content item: a byte or stream body (an HTTP reply, a file) is text when its MIME type
     * ({@code CaravanMimeType}, else {@code Content-Type}) is textual, otherwise image, audio or an embedded blob;
     * JSON for maps and lists; text otherwise.
     */
    static McpSchema.Content content(Exchange exchange, Object body) {
        if (body instanceof McpSchema.Content c) {
            return c;
        }
        if (binary(body)) {
            String mime = mimeOf(exchange);
            byte[] raw = bytes(exchange, body);
            if (MediaTypes.textual(mime)) {
                return new McpSchema.TextContent(new String(raw, MediaTypes.charset(mime)));
            }
            String type = MediaTypes.base(mime);
            String data = Base64.getEncoder().encodeToString(raw);
            if (type != null && type.startsWith("image/")) {
                return new McpSchema.ImageContent(null, data, type);
            }
            if (type != null && type.startsWith("audio/")) {
                return new McpSchema.AudioContent(null, data, type);
            }
            return new McpSchema.EmbeddedResource(null, new McpSchema.BlobResourceContents(
                    "caravan://result/" + exchange.getExchangeId(), type == null ? "application/octet-stream" : type, data));
        }
        return new McpSchema.TextContent(text(body));
    }

    /** Bytes, a stream, or Camel's cached stream (what camel-http replies with). */
    static boolean binary(Object body) {
        return body instanceof byte[] || body instanceof InputStream || body instanceof StreamCache;
    }

    static String mimeOf(Exchange exchange) {
        String mime = exchange.getMessage().getHeader(Headers.MIME_TYPE, String.class);
        return mime != null ? mime : exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
    }

    static String text(Object body) {
        if (body == null) {
            return "";
        }
        if (body instanceof String s) {
            return s;
        }
        if (body instanceof Number || body instanceof Boolean || body instanceof CharSequence) {
            return body.toString();
        }
        if (body instanceof byte[] || body instanceof InputStream) {
            return new String(bytes(body), StandardCharsets.UTF_8);
        }
        return json(body);
    }

    static Object structured(Object body) {
        return structured(null, body);
    }

    static Object structured(Exchange exchange, Object body) {
        if (exchange != null && binary(body)) {
            body = new String(bytes(exchange, body), MediaTypes.charset(mimeOf(exchange)));
        }
        if (body instanceof String s) {
            try {
                return McpJsonDefaults.getMapper().readValue(s, Object.class);
            } catch (IOException e) {
                throw new IllegalStateException("The route's body is not JSON although the tool has an output schema", e);
            }
        }
        return McpJsonDefaults.getMapper().convertValue(body, new TypeRef<Object>() {
        });
    }

    static String json(Object value) {
        try {
            return McpJsonDefaults.getMapper().writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("Result is not serialisable as JSON", e);
        }
    }

    static byte[] bytes(Object body) {
        return bytes(null, body);
    }

    static byte[] bytes(Exchange exchange, Object body) {
        if (body instanceof byte[] b) {
            return b;
        }
        if (!(body instanceof InputStream) && exchange != null) {
            return exchange.getContext().getTypeConverter().convertTo(byte[].class, exchange, body);
        }
        try (InputStream in = (InputStream) body) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the route's body", e);
        }
    }

    @SuppressWarnings("unchecked")
    static McpSchema.Content contentFromMap(Map<String, Object> map) {
        return McpJsonDefaults.getMapper().convertValue(map, McpSchema.Content.class);
    }

    static List<McpSchema.Content> none() {
        return List.of();
    }
}
