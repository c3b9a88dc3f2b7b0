package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Exchange;

import java.io.InputStream;
import java.util.Base64;
import java.util.List;

/** A resource route's body as resource contents: text, or a base64 blob for binary bodies. */
final class ResourceResults {
    private ResourceResults() {
    }

    static McpSchema.ReadResourceResult of(Exchange exchange, String uri, String declaredMime) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof McpSchema.ReadResourceResult result) {
            return result;
        }
        String mime = exchange.getMessage().getHeader(Headers.MIME_TYPE, declaredMime, String.class);
        McpSchema.ResourceContents contents = body instanceof byte[] || body instanceof InputStream
                ? new McpSchema.BlobResourceContents(uri, mime, Base64.getEncoder().encodeToString(ToolResults.bytes(body)))
                : new McpSchema.TextResourceContents(uri, mime, ToolResults.text(body));
        return new McpSchema.ReadResourceResult(List.of(contents));
    }
}
