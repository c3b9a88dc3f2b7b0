package dev.caravan.e2e;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.caravan.support.CaravanIntegrationTest;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routes that call an HTTP service, as a new user writes them: the README's example verbatim against a local
 * server standing in for Open-Meteo, and the variants around it. The server records what reached it, so the
 * tests see the method, the body and every header that left Caravan.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpRoutesIT extends CaravanIntegrationTest {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
    static final byte[] BIN = {0, 1, 2, 3, (byte) 0xff};
    static final String FORECAST = "{\"current\":{\"temperature_2m\":19.4,\"wind_speed_10m\":11.2}}";

    /** What reached the service; uri with its query decoded. */
    record Request(String method, String uri, Headers headers, byte[] body) {
    }

    static HttpServer server;
    static final List<Request> requests = new CopyOnWriteArrayList<>();

    @DynamicPropertySource
    static void service(DynamicPropertyRegistry registry) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String query = exchange.getRequestURI().getQuery();
            requests.add(new Request(exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath() + (query == null ? "" : "?" + query),
                    exchange.getRequestHeaders(), body));
            String path = exchange.getRequestURI().getPath();
            String type;
            byte[] reply;
            if (path.equals("/v1/forecast")) {
                type = "application/json; charset=utf-8";
                reply = FORECAST.getBytes(StandardCharsets.UTF_8);
                // A hostile or careless service must not be able to set Caravan's state.
                exchange.getResponseHeaders().add("CaravanMimeType", "image/png");
            } else if (path.startsWith("/city/")) {
                type = "application/json";
                reply = ("{\"city\":\"" + path.substring(6) + "\",\"tempC\":19.5}").getBytes(StandardCharsets.UTF_8);
            } else if (path.equals("/map.png")) {
                type = "image/png";
                reply = PNG;
            } else if (path.equals("/data.bin")) {
                type = "application/octet-stream";
                reply = BIN;
            } else if (path.equals("/latin")) {
                type = "text/plain; charset=ISO-8859-1";
                reply = "Café à Lisboa".getBytes(StandardCharsets.ISO_8859_1);
            } else if (path.equals("/feed")) {
                type = "application/atom+xml";
                reply = "<feed><title>news</title></feed>".getBytes(StandardCharsets.UTF_8);
            } else {
                type = "text/plain";
                reply = ("got " + exchange.getRequestMethod() + " " + new String(body, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        registry.add("weather.api", () -> "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterAll
    void stopServer() {
        server.stop(0);
    }

    private Published ep;

    @BeforeAll
    void routesAndEndpoint() throws IOException {
        writeRouteAndAwait("weather.yaml", Files.readString(Path.of("routes/weather.yaml")));
        writeRouteAndAwait("http.yaml", """
                - route:
                    id: city-weather
                    from:
                      uri: ai-tool:city_weather
                      parameters:
                        tags: http
                        description: The issue's route, a path built from an argument.
                        parameter.city: string
                        parameter.city.required: true
                      steps:
                        - setHeader:
                            name: X-City
                            simple: "${header.city}"
                        - toD: "{{weather.api}}/city/${header.city}"
                - route:
                    id: city-structured
                    from:
                      uri: ai-tool:city_structured
                      parameters:
                        tags: http
                        description: The same with an output schema.
                        parameter.city: string
                        parameter.city.required: true
                        outputSchema: '{"type":"object","properties":{"city":{"type":"string"},"tempC":{"type":"number"}},"required":["city","tempC"]}'
                      steps:
                        - toD: "{{weather.api}}/city/${header.city}"
                - route:
                    id: fetch-path
                    from:
                      uri: ai-tool:fetch_path
                      parameters:
                        tags: http
                        description: Fetches a path of the service as it is.
                        parameter.path: string
                        parameter.path.required: true
                      steps:
                        - toD: "{{weather.api}}/${header.path}"
                - route:
                    id: city-resource
                    from:
                      uri: ai-resource:city
                      parameters:
                        uriTemplate: "city://{name}"
                        mimeType: application/json
                        tags: http
                        description: A city's weather as a resource, read from the service.
                      steps:
                        - toD: "{{weather.api}}/city/${header.name}"
                - route:
                    id: post-note
                    from:
                      uri: ai-tool:post_note
                      parameters:
                        tags: http
                        description: A route that chose a body, so the call is a POST as in Camel.
                        parameter.note: string
                        parameter.note.required: true
                      steps:
                        - setBody:
                            simple: "note=${header.note}"
                        - to: "{{weather.api}}/notes"
                - route:
                    id: put-args
                    from:
                      uri: ai-tool:put_args
                      parameters:
                        tags: http
                        description: A route that asks for a method keeps it, with the argument map as JSON.
                        parameter.note: string
                      steps:
                        - setHeader:
                            name: CamelHttpMethod
                            constant: PUT
                        - marshal:
                            json: {}
                        - to: "{{weather.api}}/notes"
                """);
        ep = publish("weather", "demo", "http");
    }

    @BeforeEach
    void clear() {
        requests.clear();
    }

    @Test
    void readmeExampleIsTheShippedRouteFile() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String file = Files.readString(Path.of("routes/weather.yaml"));
        assertThat(readme).contains("```yaml\n" + file + "```\n");
    }

    @Test
    void readmeExampleGetsTheServiceAndAnswersWithItsJsonAsText() {
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("weather_now",
                    Map.of("latitude", 38.72, "longitude", -9.14)));
            assertThat(r.isError()).as("%s", r).isFalse();
            // Text, although the service also replied with a CaravanMimeType header claiming a PNG.
            assertThat(text(r)).isEqualTo(FORECAST);
        }
        Request sent = only();
        assertThat(sent.method()).isEqualTo("GET");
        assertThat(sent.uri()).isEqualTo("/v1/forecast?latitude=38.72&longitude=-9.14&current=temperature_2m,wind_speed_10m");
        assertThat(sent.body()).isEmpty();
        assertNothingInternal(sent, "latitude", "longitude");
    }

    @Test
    void issueRouteIsAGetWithoutBodyAndSendsOnlyWhatTheRouteSet() {
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("city_weather", Map.of("city", "lisbon")));
            assertThat(r.isError()).as("%s", r).isFalse();
            assertThat(text(r)).isEqualTo("{\"city\":\"lisbon\",\"tempC\":19.5}");
        }
        Request sent = only();
        assertThat(sent.method()).isEqualTo("GET");
        assertThat(sent.uri()).isEqualTo("/city/lisbon");
        assertThat(sent.body()).isEmpty();
        assertNothingInternal(sent, "city");
        // Set by the route on purpose: it goes out, carrying the argument's value.
        assertThat(sent.headers().getFirst("X-City")).isEqualTo("lisbon");
    }

    @Test
    void outputSchemaMakesTheJsonReplyStructuredContent() {
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("city_structured", Map.of("city", "porto")));
            assertThat(r.isError()).as("%s", r).isFalse();
            assertThat(r.structuredContent()).isEqualTo(Map.of("city", "porto", "tempC", 19.5));
        }
        assertThat(only().method()).isEqualTo("GET");
    }

    @Test
    void textualRepliesAreTextInTheirCharsetAndBinaryStaysBinary() {
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            assertThat(text(fetch(client, "latin"))).isEqualTo("Café à Lisboa");
            assertThat(text(fetch(client, "feed"))).isEqualTo("<feed><title>news</title></feed>");

            McpSchema.Content image = fetch(client, "map.png").content().get(0);
            assertThat(image).isInstanceOf(McpSchema.ImageContent.class);
            assertThat(((McpSchema.ImageContent) image).mimeType()).isEqualTo("image/png");
            assertThat(Base64.getDecoder().decode(((McpSchema.ImageContent) image).data())).isEqualTo(PNG);

            McpSchema.Content blob = fetch(client, "data.bin").content().get(0);
            assertThat(blob).isInstanceOf(McpSchema.EmbeddedResource.class);
            McpSchema.ResourceContents contents = ((McpSchema.EmbeddedResource) blob).resource();
            assertThat(contents).isInstanceOf(McpSchema.BlobResourceContents.class);
            assertThat(contents.mimeType()).isEqualTo("application/octet-stream");
            assertThat(Base64.getDecoder().decode(((McpSchema.BlobResourceContents) contents).blob())).isEqualTo(BIN);
        }
    }

    @Test
    void aResourceReadFromTheServiceIsTextToo() {
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.ReadResourceResult r = client.readResource(new McpSchema.ReadResourceRequest("city://faro"));
            assertThat(r.contents()).singleElement().isInstanceOf(McpSchema.TextResourceContents.class);
            McpSchema.TextResourceContents text = (McpSchema.TextResourceContents) r.contents().get(0);
            assertThat(text.text()).isEqualTo("{\"city\":\"faro\",\"tempC\":19.5}");
            assertThat(text.mimeType()).isEqualTo("application/json");
        }
        Request sent = only();
        assertThat(sent.method()).isEqualTo("GET");
        assertNothingInternal(sent, "name");
    }

    @Test
    void aBodyTheRouteSetIsPostedAsInCamel() {
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("post_note", Map.of("note", "hi")))))
                    .isEqualTo("got POST note=hi");
        }
        Request sent = only();
        assertThat(sent.method()).isEqualTo("POST");
        assertNothingInternal(sent, "note");
    }

    @Test
    void aMethodTheRouteSetIsKept() {
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            assertThat(text(client.callTool(new McpSchema.CallToolRequest("put_args", Map.of("note", "hi")))))
                    .isEqualTo("got PUT {\"note\":\"hi\"}");
        }
        Request sent = only();
        assertThat(sent.method()).isEqualTo("PUT");
        assertNothingInternal(sent, "note");
    }

    private static McpSchema.CallToolResult fetch(McpSyncClient client, String path) {
        McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("fetch_path", Map.of("path", path)));
        assertThat(r.isError()).as("%s", r).isFalse();
        assertThat(r.content()).hasSize(1);
        return r;
    }

    private static Request only() {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    /** No Caravan header, no caller identity, no argument as a header of its own, no endpoint token. */
    private void assertNothingInternal(Request sent, String... arguments) {
        for (Map.Entry<String, List<String>> h : sent.headers().entrySet()) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            assertThat(name).as("header %s", h).doesNotStartWith("caravan").doesNotStartWith("camel");
            for (String value : h.getValue()) {
                assertThat(value).as("header %s", h).doesNotContain("weather/default").doesNotContain(ep.token());
            }
        }
        assertThat(sent.headers().containsKey("Authorization")).isFalse();
        for (String argument : arguments) {
            assertThat(sent.headers().containsKey(argument)).as("argument %s as a header", argument).isFalse();
        }
    }

    private static String text(McpSchema.CallToolResult result) {
        assertThat(result.content()).as("content of %s", result).isNotEmpty();
        assertThat(result.content().get(0)).as("first content of %s", result).isInstanceOf(McpSchema.TextContent.class);
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }
}
