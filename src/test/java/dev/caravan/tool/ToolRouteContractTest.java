package dev.caravan.tool;

import dev.caravan.core.CallContext;
import io.modelcontextprotocol.spec.McpSchema;
import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ai-tool route contract on a plain Camel context: options, argument binding, results, timeouts. */
class ToolRouteContractTest {
    private CamelContext camel;
    private FeatureRegistry registry;
    private RouteInvoker invoker;

    @BeforeEach
    void start() throws Exception {
        registry = new FeatureRegistry();
        camel = new DefaultCamelContext();
        camel.addComponent("ai-tool", new AiComponent(AiComponent.Kind.TOOL, registry));
        camel.addComponent("ai-result", new AiResultComponent());
        camel.start();
        invoker = new RouteInvoker(Duration.ofSeconds(5), Map.of("slow", Duration.ofMillis(300)));
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    private void route(String uri, String simpleBody) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri).setBody(simple(simpleBody));
            }
        });
    }

    private RouteTool tool(String name) {
        return registry.tools().stream().filter(t -> t.key().equals(name)).findFirst().orElseThrow();
    }

    private static String text(McpSchema.CallToolResult r) {
        return ((McpSchema.TextContent) r.content().get(0)).text();
    }

    @Test
    void parametersBecomeASchemaAndHeaders() throws Exception {
        route("ai-tool:greet?description=Greets&tags=a,b&parameter.name=string&parameter.name.required=true"
                + "&parameter.times=integer&parameter.mood=string&parameter.mood.enum=happy,sad&readOnlyHint=true",
                "${header.name} x${header.times} ${header.mood}");
        ToolSpec spec = tool("greet").spec();
        assertThat(spec.tags()).containsExactly("a", "b");
        assertThat(spec.inputSchema()).containsEntry("required", List.of("name"));
        assertThat(spec.toMcpTool().annotations().readOnlyHint()).isTrue();

        McpSchema.CallToolResult ok = invoker.callTool(tool("greet"),
                Map.of("name", "Ada", "times", 2, "mood", "happy", "camelFileName", "/etc/passwd"), CallContext.none());
        assertThat(ok.isError()).isFalse();
        assertThat(text(ok)).isEqualTo("Ada x2 happy");
    }

    @Test
    void argumentErrorsNameTheArgument() throws Exception {
        route("ai-tool:greet?description=Greets&parameter.name=string&parameter.name.required=true"
                + "&parameter.times=integer&parameter.mood=string&parameter.mood.enum=happy,sad", "x");
        assertThat(text(invoker.callTool(tool("greet"), Map.of(), CallContext.none())))
                .contains("Missing required argument 'name'");
        assertThat(text(invoker.callTool(tool("greet"), Map.of("name", "A", "times", "two"), CallContext.none())))
                .contains("Argument 'times' must be an integer, got string \"two\"");
        assertThat(text(invoker.callTool(tool("greet"), Map.of("name", "A", "times", 2.5), CallContext.none())))
                .contains("'times' must be an integer");
        assertThat(text(invoker.callTool(tool("greet"), Map.of("name", "A", "mood", "angry"), CallContext.none())))
                .contains("'mood' must be one of [happy, sad]");
        assertThat(invoker.callTool(tool("greet"), Map.of("name", "A", "times", 2.0), CallContext.none()).isError())
                .isFalse();
    }

    @Test
    void badOptionsFailTheRouteAndNameTheOption() {
        assertThatThrownBy(() -> route("ai-tool:t?parameter.x=notatype", "x"))
                .isInstanceOf(FailedToCreateRouteException.class).rootCause()
                .hasMessageContaining("parameter 'x' has unknown type 'notatype'");
        assertThatThrownBy(() -> route("ai-tool:t?descripton=typo", "x"))
                .rootCause().hasMessageContaining("unknown option 'descripton'");
        assertThatThrownBy(() -> route("ai-tool:t?parameter.camelFileName=string", "x"))
                .rootCause().hasMessageContaining("reserved for Camel headers");
        assertThatThrownBy(() -> route("ai-tool:bad name", "x")).rootCause().hasMessageContaining("must be 1-64 characters");
        assertThatThrownBy(() -> route("ai-tool:t?argSchema={\"type\":\"object\",\"properties\":{\"a\":{\"type\":12}}}", "x"))
                .rootCause().hasMessageContaining("argSchema is not a valid JSON Schema");
    }

    @Test
    void sameToolNameTwiceIsRefusedNamingBothRoutes() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ai-tool:dup?description=first").routeId("first").setBody(constant("1"));
            }
        });
        assertThatThrownBy(() -> camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ai-tool:dup?description=second").routeId("second").setBody(constant("2"));
            }
        })).hasStackTraceContaining("route second").hasStackTraceContaining("route first");
        assertThat(text(invoker.callTool(tool("dup"), Map.of(), CallContext.none()))).isEqualTo("1");
    }

    @Test
    void argSchemaIsValidatedWhole() throws Exception {
        route("ai-tool:s?description=d&argSchema={\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"n\"]}",
                "${header.n}");
        assertThat(text(invoker.callTool(tool("s"), Map.of("n", 3), CallContext.none()))).isEqualTo("3");
        McpSchema.CallToolResult r = invoker.callTool(tool("s"), Map.of("n", 0), CallContext.none());
        assertThat(r.isError()).isTrue();
        assertThat(text(r)).contains("do not match its schema");
    }

    @Test
    void outputSchemaGivesStructuredContent() throws Exception {
        route("ai-tool:o?description=d&outputSchema={\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}",
                "{\"n\": 7}");
        McpSchema.CallToolResult r = invoker.callTool(tool("o"), Map.of(), CallContext.none());
        assertThat(r.structuredContent()).isEqualTo(Map.of("n", 7));
        assertThat(text(r)).isEqualTo("{\"n\":7}");
    }

    @Test
    void failuresAreSanitisedUnlessMeantForTheAgent() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ai-tool:boom?description=d").throwException(new IllegalStateException("jdbc:secret@db.internal"));
                from("ai-tool:refuse?description=d").throwException(new ToolFailure("Quota used up; try tomorrow."));
            }
        });
        String boom = text(invoker.callTool(tool("boom"), Map.of(), CallContext.none()));
        assertThat(boom).contains("internal error (ref ").doesNotContain("secret").doesNotContain("IllegalState");
        assertThat(text(invoker.callTool(tool("refuse"), Map.of(), CallContext.none()))).isEqualTo("Quota used up; try tomorrow.");
    }

    @Test
    void aSlowToolIsStoppedAtItsTimeoutAndRunsNoFurtherSteps() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean after = new java.util.concurrent.atomic.AtomicBoolean();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ai-tool:slow?description=d").delay(1000).process(e -> after.set(true));
            }
        });
        long start = System.nanoTime();
        McpSchema.CallToolResult r = invoker.callTool(tool("slow"), Map.of(), CallContext.none());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.isError()).isTrue();
        assertThat(text(r)).contains("did not finish within").contains("caravan.tools.timeouts.slow");
        assertThat(ms).isBetween(250L, 900L);
        Thread.sleep(1200);
        assertThat(after).isFalse();
    }

    @Test
    void cancellationStopsTheExchange() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean after = new java.util.concurrent.atomic.AtomicBoolean();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ai-tool:cancellable?description=d").delay(800).process(e -> after.set(true));
            }
        });
        CallContext call = CallContext.none();
        java.util.concurrent.CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(call::cancel);
        McpSchema.CallToolResult r = invoker.callTool(tool("cancellable"), Map.of(), call);
        assertThat(text(r)).contains("cancelled by the client");
        Thread.sleep(1000);
        assertThat(after).isFalse();
    }

    @Test
    void aiResultStepsBuildMixedContent() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ai-tool:mixed?description=d")
                        .setBody(constant("Here it is")).to("ai-result:text")
                        .setBody(constant("iVBORw0KGgo=")).to("ai-result:image?mimeType=image/png&encoding=base64")
                        .setBody(constant("{\"a\":1}")).to("ai-result:resource?uri=test://r&mimeType=application/json");
            }
        });
        McpSchema.CallToolResult r = invoker.callTool(tool("mixed"), Map.of(), CallContext.none());
        assertThat(r.content()).hasSize(3);
        assertThat(r.content().get(1)).isEqualTo(new McpSchema.ImageContent(null, "iVBORw0KGgo=", "image/png"));
        assertThat(((McpSchema.EmbeddedResource) r.content().get(2)).resource())
                .isEqualTo(new McpSchema.TextResourceContents("test://r", "application/json", "{\"a\":1}"));
    }
}
