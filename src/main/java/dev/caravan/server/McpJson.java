package dev.caravan.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpError;

import java.io.IOException;

/**
 * The JSON mapper the SDK uses. The SDK's servlet transports answer transport errors (an unknown session, a bad
 * Accept header) by serialising the {@link McpError} exception itself, which with a plain mapper writes its whole
 * stack trace to the client. Here an McpError is written as the JSON-RPC error response it stands for.
 */
public final class McpJson {
    private McpJson() {
    }

    public static McpJsonMapper mapper() {
        SimpleModule errors = new SimpleModule("caravan-mcp-errors");
        errors.addSerializer(McpError.class, new StdSerializer<>(McpError.class) {
            @Override
            public void serialize(McpError error, JsonGenerator json, SerializerProvider provider) throws IOException {
                json.writeStartObject();
                json.writeStringField("jsonrpc", "2.0");
                json.writeNullField("id");
                json.writeObjectFieldStart("error");
                var rpc = error.getJsonRpcError();
                json.writeNumberField("code", rpc == null || rpc.code() == null ? -32603 : rpc.code());
                json.writeStringField("message", rpc == null ? "Internal error" : rpc.message());
                json.writeEndObject();
                json.writeEndObject();
            }
        });
        return new JacksonMcpJsonMapper(new ObjectMapper().registerModule(errors));
    }
}
