package dev.caravan.tool;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Exchange;

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
            Object structured = structured(body);
            return McpSchema.CallToolResult.builder().structuredContent(structured)
                    .addTextContent(json(structured)).isError(false).build();
        }
        return McpSchema.CallToolResult.builder().addContent(content(exchange, body)).isError(false).build();
    }

    public static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    /** The body as one content item: image/audio by MIME type, JSON for maps and lists, text otherwise. */
    static McpSchema.Content content(Exchange exchange, Object body) {
        String mime = exchange.getMessage().getHeader(Headers.MIME_TYPE, String.class);
        if (body instanceof McpSchema.Content c) {
            return c;
        }
        if (body instanceof byte[] || body instanceof InputStream) {
            String data = Base64.getEncoder().encodeToString(bytes(body));
            if (mime != null && mime.startsWith("image/")) {
                return new McpSchema.ImageContent(null, data, mime);
            }
            if (mime != null && mime.startsWith("audio/")) {
                return new McpSchema.AudioContent(null, data, mime);
            }
            return new McpSchema.EmbeddedResource(null, new McpSchema.BlobResourceContents(
                    "caravan://result/" + exchange.getExchangeId(), mime == null ? "application/octet-stream" : mime, data));
        }
        return new McpSchema.TextContent(text(body));
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
        if (body instanceof byte[] b) {
            return b;
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
