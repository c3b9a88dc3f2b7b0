package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tools, resources, prompts and completion over both transports with the SDK client: calls and argument errors,
 * failures (sanitised or verbatim), every kind of result content, talking back to the client (sampling,
 * elicitation, logging, progress), cancellation by the client and the per-tool timeout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolsIT extends CaravanIntegrationTest {
    /** Where slow routes record that their last step ran. */
    private static Path markers;

    @DynamicPropertySource
    static void timeouts(DynamicPropertyRegistry registry) throws IOException {
        markers = Files.createTempDirectory("caravan-it-markers");
        registry.add("caravan.tools.timeouts.slow_timeout", () -> "1s");
    }

    private Published ep;

    @BeforeAll
    void routesAndEndpoint() {
        writeRouteAndAwait("tools.yaml", """
                - route:
                    id: greet
                    from:
                      uri: ai-tool:greet
                      parameters:
                        tags: e2e
                        title: Greeter
                        description: Greets someone.
                        readOnlyHint: true
                        parameter.name: string
                        parameter.name.description: Who to greet
                        parameter.name.required: true
                        parameter.style: string
                        parameter.style.enum: formal,casual
                        parameter.times: integer
                      steps:
                        - setBody:
                            simple: "Hello ${header.name} style=${header.style} times=${header.times} extra=${header.extra} args=${header.CaravanArguments}"
                - route:
                    id: explode
                    from:
                      uri: ai-tool:explode
                      parameters:
                        tags: e2e
                        description: Fails inside.
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: "connection to jdbc:postgresql://db.internal/prod as admin with password hunter2 refused"
                - route:
                    id: refuse
                    from:
                      uri: ai-tool:refuse
                      parameters:
                        tags: e2e
                        description: Refuses with advice.
                      steps:
                        - throwException:
                            exceptionType: dev.caravan.tool.ToolFailure
                            message: "Order 42 is locked by another user; try again in 5 minutes."
                """);
        writeRouteAndAwait("results.yaml", """
                - route:
                    id: forecast
                    from:
                      uri: ai-tool:forecast
                      parameters:
                        tags: e2e
                        description: A structured forecast.
                        parameter.city: string
                        parameter.city.required: true
                        outputSchema: '{"type":"object","properties":{"city":{"type":"string"},"tempC":{"type":"number"}},"required":["city","tempC"]}'
                      steps:
                        - setBody:
                            simple: '{"city":"${header.city}","tempC":19.5}'
                - route:
                    id: picture
                    from:
                      uri: ai-tool:picture
                      parameters:
                        tags: e2e
                        description: A binary body with an image MIME type.
                      steps:
                        - setHeader:
                            name: CaravanMimeType
                            constant: image/png
                        - setBody:
                            constant: not really a png
                        - convertBodyTo:
                            type: "byte[]"
                - route:
                    id: mixed
                    from:
                      uri: ai-tool:mixed
                      parameters:
                        tags: e2e
                        description: Mixed content from ai-result steps.
                      steps:
                        - setBody:
                            constant: Here is the report.
                        - to: ai-result:text
                        - setBody:
                            constant: iVBORw0KGgo=
                        - to:
                            uri: ai-result:image
                            parameters:
                              mimeType: image/png
                              encoding: base64
                        - setBody:
                            constant: RIFF-audio
                        - to:
                            uri: ai-result:audio
                            parameters:
                              mimeType: audio/wav
                        - setBody:
                            constant: "a,b"
                        - to:
                            uri: ai-result:resource
                            parameters:
                              uri: memo://report.csv
                              mimeType: text/csv
                        - to:
                            uri: ai-result:resource_link
                            parameters:
                              uri: memo://archive
                              name: archive
                              mimeType: application/zip
                        - setBody:
                            constant: '{"rows":1}'
                        - to: ai-result:structured
                """);
        writeRouteAndAwait("client.yaml", """
                - route:
                    id: ask-model
                    from:
                      uri: ai-tool:ask_model
                      parameters:
                        tags: e2e
                        description: Asks the client's model.
                        parameter.question: string
                        parameter.question.required: true
                      steps:
                        - setBody:
                            simple: "${header.question}"
                        - to:
                            uri: ai-client:sampling
                            parameters:
                              maxTokens: 64
                              systemPrompt: Answer in one word.
                        - setBody:
                            simple: "${header.CaravanSamplingModel} says ${body}"
                - route:
                    id: ask-user
                    from:
                      uri: ai-tool:ask_user
                      parameters:
                        tags: e2e
                        description: Asks the user.
                      steps:
                        - setBody:
                            constant: What is your name?
                        - to:
                            uri: ai-client:elicitation
                            parameters:
                              requestedSchema: '{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}'
                        - setBody:
                            simple: "${header.CaravanElicitationAction}: ${body[name]}"
                - route:
                    id: ask-both
                    from:
                      uri: ai-tool:ask_both
                      parameters:
                        tags: e2e
                        description: Asks the user and the client's model in one step.
                      steps:
                        - to:
                            uri: ai-client:ask
                            parameters:
                              input.who: elicitation
                              input.who.message: Your name?
                              input.who.requestedSchema: '{"type":"object","properties":{"name":{"type":"string"}}}'
                              input.word: sampling
                              input.word.message: One word
                              input.word.maxTokens: 8
                        - setBody:
                            simple: "${body[word]} for ${body[who][name]} (${header.CaravanElicitationActions[who]})"
                - route:
                    id: chatty
                    from:
                      uri: ai-tool:chatty
                      parameters:
                        tags: e2e
                        description: Logs and reports progress.
                      steps:
                        - setBody:
                            constant: fine detail
                        - to:
                            uri: ai-client:log
                            parameters:
                              level: debug
                              logger: chatty
                        - setBody:
                            constant: working on it
                        - to:
                            uri: ai-client:log
                            parameters:
                              level: warning
                              logger: chatty
                        - to:
                            uri: ai-client:progress
                            parameters:
                              progress: 1
                              total: 2
                              message: half way
                        - to:
                            uri: ai-client:progress
                            parameters:
                              progress: 2
                              total: 2
                              message: done
                        - setBody:
                            constant: finished
                """);
        writeRouteAndAwait("features.yaml", """
                - route:
                    id: readme
                    from:
                      uri: ai-resource:readme
                      parameters:
                        tags: e2e
                        uri: memo://readme
                        mimeType: text/markdown
                        description: The readme.
                      steps:
                        - setBody:
                            constant: "# Readme"
                - route:
                    id: customer
                    from:
                      uri: ai-resource:customer
                      parameters:
                        tags: e2e
                        uriTemplate: "crm://customers/{id}"
                        mimeType: application/json
                        completion.id: C-100,C-101,D-200
                      steps:
                        - setBody:
                            simple: '{"id":"${header.id}"}'
                - route:
                    id: bump-readme
                    from:
                      uri: ai-tool:bump_readme
                      parameters:
                        tags: e2e
                        description: Announces that the readme changed.
                      steps:
                        - to:
                            uri: ai-resource:readme
                            parameters:
                              uri: memo://readme
                        - setBody:
                            constant: bumped
                - route:
                    id: greeting
                    from:
                      uri: ai-prompt:greeting
                      parameters:
                        tags: e2e
                        description: Drafts a greeting.
                        argument.name.description: Who to greet
                        argument.name.required: true
                        argument.name.completion: Alice,Albert,Bob
                        argument.tone.description: Tone of voice
                      steps:
                        - setBody:
                            simple: '[{"role":"user","text":"Write a ${header.tone} greeting for ${header.name}."},{"role":"assistant","text":"Dear ${header.name},"}]'
                """);
        writeRouteAndAwait("slow.yaml", """
                - route:
                    id: slow-write
                    from:
                      uri: ai-tool:slow_write
                      parameters:
                        tags: e2e
                        description: Waits, then records that it ran.
                        parameter.tag: string
                        parameter.tag.required: true
                      steps:
                        - setBody:
                            simple: "started ${header.tag}"
                        - to:
                            uri: ai-client:log
                            parameters:
                              logger: slow
                        - delay:
                            constant: "2000"
                        - setBody:
                            simple: "ran ${header.tag}"
                        - to:
                            uri: file:%1$s
                            parameters:
                              fileName: "${header.tag}.done"
                        - setBody:
                            constant: done
                - route:
                    id: slow-timeout
                    from:
                      uri: ai-tool:slow_timeout
                      parameters:
                        tags: e2e
                        description: Outlives its 1 s timeout.
                      steps:
                        - delay:
                            constant: "2000"
                        - setBody:
                            constant: ran
                        - to:
                            uri: file:%1$s
                            parameters:
                              fileName: timeout.done
                """.formatted(markers.toAbsolutePath()));
        // Published after the routes load: completion handlers are taken when the endpoint's servers are built.
        ep = publish("tools", "e2e");
    }

    // ---------------------------------------------------------------- tools and argument errors

    @ParameterizedTest
    @EnumSource(Transport.class)
    void listAndCallTools(Transport transport) {
        try (McpSyncClient client = initialized(client(transport, ep))) {
            List<McpSchema.Tool> tools = client.listTools().tools();
            assertThat(tools).extracting(McpSchema.Tool::name).contains("greet", "explode", "refuse", "forecast",
                    "picture", "mixed", "ask_model", "ask_user", "chatty", "bump_readme", "slow_write", "slow_timeout");
            McpSchema.Tool greet = tools.stream().filter(t -> t.name().equals("greet")).findFirst().orElseThrow();
            assertThat(greet.description()).isEqualTo("Greets someone.");
            assertThat(greet.title()).isEqualTo("Greeter");
            assertThat(greet.annotations().readOnlyHint()).isTrue();
            JsonNode schema = JSON.valueToTree(greet.inputSchema());
            assertThat(schema.get("required")).extracting(JsonNode::asText).containsExactly("name");
            assertThat(schema.get("properties").fieldNames()).toIterable().containsExactlyInAnyOrder("name", "style", "times");
            assertThat(schema.at("/properties/style/enum")).extracting(JsonNode::asText).containsExactly("formal", "casual");
            assertThat(schema.at("/properties/times/type").asText()).isEqualTo("integer");

            McpSchema.CallToolResult ok = client.callTool(new McpSchema.CallToolRequest("greet",
                    Map.of("name", "Ada", "style", "formal", "times", 3)));
            assertThat(ok.isError()).isFalse();
            assertThat(text(ok)).startsWith("Hello Ada style=formal times=3 extra=");

            // An undeclared argument is dropped: not a header, not among the arguments.
            McpSchema.CallToolResult sneaky = client.callTool(new McpSchema.CallToolRequest("greet",
                    Map.of("name", "Ada", "extra", "sneaky", "CamelFileName", "/etc/passwd")));
            assertThat(sneaky.isError()).isFalse();
            assertThat(text(sneaky)).contains("extra= ").doesNotContain("sneaky").doesNotContain("passwd")
                    .contains("args={name=Ada}");

            assertThatThrownBy(() -> client.callTool(new McpSchema.CallToolRequest("no_such_tool", Map.of())))
                    .isInstanceOf(McpError.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void argumentErrorsNameTheArgument(Transport transport) {
        try (McpSyncClient client = initialized(client(transport, ep))) {
            McpSchema.CallToolResult missing = client.callTool(new McpSchema.CallToolRequest("greet", Map.of("style", "casual")));
            assertThat(missing.isError()).isTrue();
            assertThat(text(missing)).contains("Missing required argument 'name'").contains("Who to greet");

            McpSchema.CallToolResult noArguments = client.callTool(new McpSchema.CallToolRequest("greet", null));
            assertThat(noArguments.isError()).isTrue();
            assertThat(text(noArguments)).contains("'name'");

            McpSchema.CallToolResult wrongType = client.callTool(new McpSchema.CallToolRequest("greet",
                    Map.of("name", "Ada", "times", "three")));
            assertThat(wrongType.isError()).isTrue();
            assertThat(text(wrongType)).contains("'times'").contains("integer").contains("three");

            McpSchema.CallToolResult notAString = client.callTool(new McpSchema.CallToolRequest("greet", Map.of("name", 42)));
            assertThat(notAString.isError()).isTrue();
            assertThat(text(notAString)).contains("'name'").contains("string");

            McpSchema.CallToolResult outsideEnum = client.callTool(new McpSchema.CallToolRequest("greet",
                    Map.of("name", "Ada", "style", "rude")));
            assertThat(outsideEnum.isError()).isTrue();
            assertThat(text(outsideEnum)).contains("'style'").contains("formal").contains("casual").contains("rude");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void failuresAreSanitisedOrPassedOnVerbatim(Transport transport) {
        try (McpSyncClient client = initialized(client(transport, ep))) {
            McpSchema.CallToolResult internal = client.callTool(new McpSchema.CallToolRequest("explode", Map.of()));
            assertThat(internal.isError()).isTrue();
            assertThat(internal.content()).hasSize(1);
            String message = text(internal);
            assertThat(message).containsPattern("\\(ref [0-9a-f]{8}\\)").contains("explode");
            assertThat(message).doesNotContain("hunter2", "postgresql", "IllegalStateException", "Exception",
                    "java.", "dev.caravan", "\tat ", ".java:");

            McpSchema.CallToolResult refused = client.callTool(new McpSchema.CallToolRequest("refuse", Map.of()));
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).isEqualTo("Order 42 is locked by another user; try again in 5 minutes.");
        }
    }

    // ---------------------------------------------------------------- result content

    @ParameterizedTest
    @EnumSource(Transport.class)
    void structuredImageAudioResourceAndMixedResults(Transport transport) {
        try (McpSyncClient client = initialized(client(transport, ep))) {
            McpSchema.Tool forecastTool = client.listTools().tools().stream().filter(t -> t.name().equals("forecast"))
                    .findFirst().orElseThrow();
            assertThat(forecastTool.outputSchema()).containsEntry("type", "object");

            McpSchema.CallToolResult forecast = client.callTool(new McpSchema.CallToolRequest("forecast", Map.of("city", "Lisbon")));
            assertThat(forecast.isError()).isFalse();
            assertThat(forecast.structuredContent()).isEqualTo(Map.of("city", "Lisbon", "tempC", 19.5));
            // The same object as text, for clients that do not read structured content.
            assertThat(json(text(forecast))).isEqualTo(JSON.valueToTree(Map.of("city", "Lisbon", "tempC", 19.5)));

            McpSchema.CallToolResult picture = client.callTool(new McpSchema.CallToolRequest("picture", Map.of()));
            assertThat(picture.content()).singleElement().isInstanceOfSatisfying(McpSchema.ImageContent.class, image -> {
                assertThat(image.mimeType()).isEqualTo("image/png");
                assertThat(new String(Base64.getDecoder().decode(image.data()))).isEqualTo("not really a png");
            });

            McpSchema.CallToolResult mixed = client.callTool(new McpSchema.CallToolRequest("mixed", Map.of()));
            assertThat(mixed.isError()).isFalse();
            List<McpSchema.Content> content = mixed.content();
            assertThat(content).hasSize(5);
            assertThat(content.get(0)).isInstanceOfSatisfying(McpSchema.TextContent.class,
                    t -> assertThat(t.text()).isEqualTo("Here is the report."));
            assertThat(content.get(1)).isInstanceOfSatisfying(McpSchema.ImageContent.class, i -> {
                assertThat(i.mimeType()).isEqualTo("image/png");
                assertThat(i.data()).isEqualTo("iVBORw0KGgo=");
            });
            assertThat(content.get(2)).isInstanceOfSatisfying(McpSchema.AudioContent.class, a -> {
                assertThat(a.mimeType()).isEqualTo("audio/wav");
                assertThat(new String(Base64.getDecoder().decode(a.data()))).isEqualTo("RIFF-audio");
            });
            assertThat(content.get(3)).isInstanceOfSatisfying(McpSchema.EmbeddedResource.class, r ->
                    assertThat(r.resource()).isInstanceOfSatisfying(McpSchema.TextResourceContents.class, t -> {
                        assertThat(t.uri()).isEqualTo("memo://report.csv");
                        assertThat(t.mimeType()).isEqualTo("text/csv");
                        assertThat(t.text()).isEqualTo("a,b");
                    }));
            assertThat(content.get(4)).isInstanceOfSatisfying(McpSchema.ResourceLink.class, l -> {
                assertThat(l.uri()).isEqualTo("memo://archive");
                assertThat(l.name()).isEqualTo("archive");
                assertThat(l.mimeType()).isEqualTo("application/zip");
            });
            assertThat(mixed.structuredContent()).isEqualTo(Map.of("rows", 1));
        }
    }

    // ---------------------------------------------------------------- talking back to the client

    @ParameterizedTest
    @EnumSource(Transport.class)
    void samplingAndElicitationRoundTrips(Transport transport) {
        List<McpSchema.CreateMessageRequest> samplings = new CopyOnWriteArrayList<>();
        AtomicReference<McpSchema.ElicitResult> answer = new AtomicReference<>(
                new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("name", "Grace")));
        List<McpSchema.ElicitFormRequest> elicitations = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(client(transport, ep)
                .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation().build())
                .sampling(req -> {
                    samplings.add(req);
                    return new McpSchema.CreateMessageResult(McpSchema.Role.ASSISTANT,
                            new McpSchema.TextContent("Paris"), "test-model", McpSchema.CreateMessageResult.StopReason.END_TURN);
                })
                .elicitation(req -> {
                    elicitations.add(req);
                    return answer.get();
                }))) {
            McpSchema.CallToolResult sampled = client.callTool(new McpSchema.CallToolRequest("ask_model",
                    Map.of("question", "Capital of France?")));
            assertThat(text(sampled)).isEqualTo("test-model says Paris");
            assertThat(samplings).singleElement().satisfies(req -> {
                assertThat(req.systemPrompt()).isEqualTo("Answer in one word.");
                assertThat(req.maxTokens()).isEqualTo(64);
                assertThat(((McpSchema.TextContent) req.messages().get(0).content()).text()).isEqualTo("Capital of France?");
            });

            McpSchema.CallToolResult accepted = client.callTool(new McpSchema.CallToolRequest("ask_user", Map.of()));
            assertThat(text(accepted)).isEqualTo("accept: Grace");
            assertThat(elicitations).singleElement().satisfies(req -> {
                assertThat(req.message()).isEqualTo("What is your name?");
                assertThat(req.requestedSchema()).containsKey("properties");
                assertThat(JSON.valueToTree(req.requestedSchema()).at("/properties/name/type").asText()).isEqualTo("string");
            });

            answer.set(new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null));
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("ask_user", Map.of())))).startsWith("decline:");
        }

        // A client that does not declare sampling gets an actionable error, not a hang.
        try (McpSyncClient plain = initialized(client(transport, ep))) {
            McpSchema.CallToolResult refused = plain.callTool(new McpSchema.CallToolRequest("ask_model", Map.of("question", "?")));
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).contains("sampling");
            McpSchema.CallToolResult refusedElicitation = plain.callTool(new McpSchema.CallToolRequest("ask_user", Map.of()));
            assertThat(refusedElicitation.isError()).isTrue();
            assertThat(text(refusedElicitation)).contains("elicitation");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAskStepAsksItsQuestionsOneAfterTheOtherOnASession(Transport transport) {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(client(transport, ep)
                .capabilities(McpSchema.ClientCapabilities.builder().sampling().elicitation().build())
                .sampling(req -> {
                    asked.add("sampling: " + ((McpSchema.TextContent) req.messages().get(0).content()).text());
                    return new McpSchema.CreateMessageResult(McpSchema.Role.ASSISTANT,
                            new McpSchema.TextContent("Hello"), "m", McpSchema.CreateMessageResult.StopReason.END_TURN);
                })
                .elicitation(req -> {
                    asked.add("elicitation: " + req.message());
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("name", "Ada"));
                }))) {
            McpSchema.CallToolResult done = client.callTool(new McpSchema.CallToolRequest("ask_both", Map.of()));
            assertThat(text(done)).isEqualTo("Hello for Ada (accept)");
            // In the order of their keys: who, then word.
            assertThat(asked).containsExactly("elicitation: Your name?", "sampling: One word");
        }
        try (McpSyncClient plain = initialized(client(transport, ep)
                .capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
                .elicitation(req -> {
                    asked.add("asked anyway");
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("name", "Ada"));
                }))) {
            McpSchema.CallToolResult refused = plain.callTool(new McpSchema.CallToolRequest("ask_both", Map.of()));
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).contains("sampling");
            assertThat(asked).doesNotContain("asked anyway");
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void loggingAndProgressReachTheClient(Transport transport) {
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        List<McpSchema.ProgressNotification> progress = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(client(transport, ep).loggingConsumer(logs::add).progressConsumer(progress::add))) {
            client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
            McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("chatty", Map.of(),
                    Map.of("progressToken", "tok-" + transport)));
            assertThat(text(result)).isEqualTo("finished");
            await(Duration.ofSeconds(15), "log and progress notifications", () -> !logs.isEmpty() && progress.size() == 2);
            // The debug message is below the level the client set; the warning is not.
            assertThat(logs).singleElement().satisfies(l -> {
                assertThat(l.level()).isEqualTo(McpSchema.LoggingLevel.WARNING);
                assertThat(l.logger()).isEqualTo("chatty");
                assertThat(l.data()).isEqualTo("working on it");
            });
            // The SDK's sync client hands each notification to its consumers on a pool thread of its own, so
            // the order in which they reach the consumer is not the order on the wire; each pairing is checked.
            assertThat(progress).extracting(p -> p.progress() + " " + p.message())
                    .containsExactlyInAnyOrder("1.0 half way", "2.0 done");
            assertThat(progress).extracting(McpSchema.ProgressNotification::total).containsOnly(2.0);
            assertThat(progress).extracting(p -> String.valueOf(p.progressToken())).containsOnly("tok-" + transport);

            // Lowering the level lets the debug message through; without a progress token there is no progress.
            logs.clear();
            progress.clear();
            client.setLoggingLevel(McpSchema.LoggingLevel.DEBUG);
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("chatty", Map.of())))).isEqualTo("finished");
            await(Duration.ofSeconds(15), "both log messages", () -> logs.size() == 2);
            assertThat(logs).extracting(l -> l.level() + " " + l.data())
                    .containsExactlyInAnyOrder("DEBUG fine detail", "WARNING working on it");
            assertThat(progress).isEmpty();
        }
    }

    // ---------------------------------------------------------------- resources, prompts, completion

    @ParameterizedTest
    @EnumSource(Transport.class)
    void resourcesPromptsAndCompletion(Transport transport) {
        List<List<McpSchema.ResourceContents>> updates = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = initialized(client(transport, ep).resourcesUpdateConsumer(updates::add))) {
            assertThat(client.listResources().resources()).extracting(McpSchema.Resource::uri).contains("memo://readme");
            assertThat(client.listResourceTemplates().resourceTemplates()).extracting(McpSchema.ResourceTemplate::uriTemplate)
                    .contains("crm://customers/{id}");

            McpSchema.ReadResourceResult readme = client.readResource(new McpSchema.ReadResourceRequest("memo://readme"));
            assertThat(readme.contents()).singleElement().isInstanceOfSatisfying(McpSchema.TextResourceContents.class, t -> {
                assertThat(t.text()).isEqualTo("# Readme");
                assertThat(t.mimeType()).isEqualTo("text/markdown");
                assertThat(t.uri()).isEqualTo("memo://readme");
            });
            McpSchema.ReadResourceResult customer = client.readResource(new McpSchema.ReadResourceRequest("crm://customers/C-101"));
            assertThat(customer.contents()).singleElement().isInstanceOfSatisfying(McpSchema.TextResourceContents.class, t -> {
                assertThat(json(t.text()).get("id").asText()).isEqualTo("C-101");
                assertThat(t.uri()).isEqualTo("crm://customers/C-101");
            });
            assertThatThrownBy(() -> client.readResource(new McpSchema.ReadResourceRequest("crm://nothing/here")))
                    .isInstanceOf(McpError.class);

            // Subscribed, the client hears when a route announces a change.
            client.subscribeResource(new McpSchema.SubscribeRequest("memo://readme"));
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("bump_readme", Map.of())))).isEqualTo("bumped");
            await(Duration.ofSeconds(15), "resources/updated for memo://readme", () -> !updates.isEmpty());
            assertThat(updates.get(0)).extracting(McpSchema.ResourceContents::uri).contains("memo://readme");

            McpSchema.Prompt greeting = client.listPrompts().prompts().stream().filter(p -> p.name().equals("greeting"))
                    .findFirst().orElseThrow();
            assertThat(greeting.arguments()).extracting(McpSchema.PromptArgument::name).containsExactlyInAnyOrder("name", "tone");
            McpSchema.GetPromptResult prompt = client.getPrompt(new McpSchema.GetPromptRequest("greeting",
                    Map.of("name", "Alice", "tone", "warm")));
            assertThat(prompt.description()).isEqualTo("Drafts a greeting.");
            assertThat(prompt.messages()).hasSize(2);
            assertThat(prompt.messages().get(0).role()).isEqualTo(McpSchema.Role.USER);
            assertThat(((McpSchema.TextContent) prompt.messages().get(0).content()).text()).isEqualTo("Write a warm greeting for Alice.");
            assertThat(prompt.messages().get(1).role()).isEqualTo(McpSchema.Role.ASSISTANT);
            assertThat(((McpSchema.TextContent) prompt.messages().get(1).content()).text()).isEqualTo("Dear Alice,");
            assertThatThrownBy(() -> client.getPrompt(new McpSchema.GetPromptRequest("greeting", Map.of("tone", "warm"))))
                    .isInstanceOf(McpError.class).hasMessageContaining("name");

            McpSchema.CompleteResult names = client.completeCompletion(new McpSchema.CompleteRequest(
                    new McpSchema.PromptReference("greeting"), new McpSchema.CompleteRequest.CompleteArgument("name", "Al")));
            assertThat(names.completion().values()).containsExactly("Alice", "Albert");
            McpSchema.CompleteResult ids = client.completeCompletion(new McpSchema.CompleteRequest(
                    new McpSchema.ResourceReference("crm://customers/{id}"), new McpSchema.CompleteRequest.CompleteArgument("id", "C-")));
            assertThat(ids.completion().values()).containsExactly("C-100", "C-101");
        }
    }

    // ---------------------------------------------------------------- cancellation and timeout

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aCancelledCallRunsNoFurtherSteps(Transport transport) throws Exception {
        String tag = "cancel-" + transport.name().toLowerCase();
        String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"slow_write\","
                + "\"arguments\":{\"tag\":\"" + tag + "\"}}}";
        String cancel = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7,"
                + "\"reason\":\"user pressed stop\"}}";
        try (RawClient raw = transport == Transport.STREAMABLE ? new StreamableRaw() : new SseRaw()) {
            raw.call(call);
            // The route has started (it logged), and is now in its delay.
            raw.next(m -> "notifications/message".equals(m.path("method").asText())
                    && m.at("/params/data").asText().equals("started " + tag));
            long cancelledAt = System.nanoTime();
            raw.post(cancel);
            JsonNode response = raw.next(m -> m.path("id").asInt(-1) == 7);
            assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofMillis(1500));
            assertThat(response.at("/result/isError").asBoolean()).isTrue();
            assertThat(response.at("/result/content/0/text").asText()).contains("cancelled");
        }
        // A call started after the cancelled one, with the same delay, finishing proves the other's step had its
        // turn: it must not have run.
        try (McpSyncClient client = initialized(client(transport, ep))) {
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("slow_write", Map.of("tag", tag + "-control")))))
                    .isEqualTo("done");
        }
        await(Duration.ofSeconds(15), "control marker", () -> Files.exists(markers.resolve(tag + "-control.done")));
        assertThat(markers.resolve(tag + ".done")).doesNotExist();
    }

    @Test
    void aToolOverItsTimeoutIsStoppedAndTheEndpointStaysResponsive() {
        try (McpSyncClient client = initialized(streamableClient(ep)); McpSyncClient other = initialized(sseClient(ep))) {
            long start = System.nanoTime();
            McpSchema.CallToolResult timedOut = client.callTool(new McpSchema.CallToolRequest("slow_timeout", Map.of()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(timedOut.isError()).isTrue();
            assertThat(text(timedOut)).contains("did not finish within 1 s").contains("caravan.tools.timeouts.slow_timeout");
            assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofMillis(1900));

            // Responsive at once, on both transports.
            long next = System.nanoTime();
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("greet", Map.of("name", "Ada"))))).startsWith("Hello Ada");
            assertThat(text(other.callTool(new McpSchema.CallToolRequest("greet", Map.of("name", "Bo"))))).startsWith("Hello Bo");
            assertThat(Duration.ofNanos(System.nanoTime() - next)).isLessThan(Duration.ofMillis(900));

            // The stopped route never reaches its last step (a later call with the same delay finishes after it would).
            assertThat(text(other.callTool(new McpSchema.CallToolRequest("slow_write", Map.of("tag", "after-timeout"))))).isEqualTo("done");
            await(Duration.ofSeconds(15), "after-timeout marker", () -> Files.exists(markers.resolve("after-timeout.done")));
            assertThat(markers.resolve("timeout.done")).doesNotExist();
        }
    }

    // ---------------------------------------------------------------- raw JSON-RPC clients for cancellation

    /** A client that speaks JSON-RPC over raw HTTP, collecting every message the server streams back. */
    private abstract class RawClient implements AutoCloseable {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final List<CompletableFuture<?>> inFlight = new CopyOnWriteArrayList<>();
        /**
         * Where held-open responses are read. Not the HTTP client's thread: a response that is already complete when
         * thenAccept is attached would run pump on the caller's thread and block it for good.
         */
        final java.util.concurrent.ExecutorService pumps = java.util.concurrent.Executors.newCachedThreadPool();

        /** Sends a request without waiting for its answer. */
        abstract void call(String message);

        /** Sends a notification and checks it was accepted. */
        abstract void post(String message);

        JsonNode next(Predicate<JsonNode> wanted) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < end) {
                JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && wanted.test(m)) {
                    return m;
                }
            }
            throw new AssertionError("no such message within 10 s");
        }

        final List<Stream<String>> streams = new CopyOnWriteArrayList<>();

        /** Reads a held-open response (on a {@link #pumps} thread) until it ends or this client is closed. */
        void pump(Stream<String> lines) {
            streams.add(lines);
            try {
                lines.filter(l -> l.startsWith("data:")).map(l -> l.substring(5).trim()).filter(l -> l.startsWith("{"))
                        .forEach(l -> received.add(json(l)));
            } catch (RuntimeException closed) {
                // the stream was closed under us
            }
        }

        @Override
        public void close() {
            inFlight.forEach(f -> f.cancel(true));
            streams.forEach(Stream::close);
            pumps.shutdownNow();
        }
    }

    private final class StreamableRaw extends RawClient {
        final String session = rawSession(ep);

        @Override
        void call(String message) {
            inFlight.add(HTTP.sendAsync(mcpPost(ep, session, message).build(), HttpResponse.BodyHandlers.ofLines())
                    .thenAcceptAsync(r -> pump(r.body()), pumps));
        }

        @Override
        void post(String message) {
            assertThat(send(mcpPost(ep, session, message).build()).statusCode()).isEqualTo(202);
        }

        @Override
        public void close() {
            send(mcpPost(ep, session, "").DELETE().build());
            super.close();
        }
    }

    private final class SseRaw extends RawClient {
        final AtomicReference<String> messagePath = new AtomicReference<>();

        SseRaw() throws InterruptedException {
            inFlight.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(baseUrl() + "/sse/" + ep.name()))
                            .header("Authorization", "Bearer " + ep.token()).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofLines()).thenAcceptAsync(r -> pump(r.body().peek(l -> {
                        if (l.startsWith("data:") && l.contains("/message?")) {
                            messagePath.set(l.substring(5).trim());
                        }
                    })), pumps));
            await(Duration.ofSeconds(10), "the endpoint event", () -> messagePath.get() != null);
            post(initializeRequest(0));
            next(m -> m.path("id").asInt(-1) == 0 && m.has("result"));
            post(INITIALIZED);
        }

        private HttpRequest request(String message) {
            return HttpRequest.newBuilder(URI.create(baseUrl() + messagePath.get()))
                    .header("Authorization", "Bearer " + ep.token()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(message)).build();
        }

        @Override
        void call(String message) {
            // The legacy transport answers on the stream; this POST returns once the call is done.
            inFlight.add(HTTP.sendAsync(request(message), HttpResponse.BodyHandlers.ofString()));
        }

        @Override
        void post(String message) {
            assertThat(send(request(message)).statusCode()).isBetween(200, 202);
        }
    }

    private static String text(McpSchema.CallToolResult result) {
        assertThat(result.content()).as("content of %s", result).isNotEmpty();
        assertThat(result.content().get(0)).as("first content of %s", result).isInstanceOf(McpSchema.TextContent.class);
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }
}
