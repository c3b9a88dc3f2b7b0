package dev.caravan.tool;

import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.Exchange;

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
        // An HTTP reply says what it is; bytes from elsewhere (a file) stay a blob as before.
        String reply = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        String mime = exchange.getMessage().getHeader(Headers.MIME_TYPE, declaredMime, String.class);
        if (mime == null) {
            mime = MediaTypes.base(reply);
        }
        McpSchema.ResourceContents contents;
        if (!ToolResults.binary(body)) {
            contents = new McpSchema.TextResourceContents(uri, mime, ToolResults.text(body));
        } else if (MediaTypes.textual(reply)) {
            contents = new McpSchema.TextResourceContents(uri, mime,
                    new String(ToolResults.bytes(exchange, body), MediaTypes.charset(reply)));
        } else {
            contents = new McpSchema.BlobResourceContents(uri, mime,
                    Base64.getEncoder().encodeToString(ToolResults.bytes(exchange, body)));
        }
        return new McpSchema.ReadResourceResult(List.of(contents));
    }
}
