package dev.caravan.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Try it call as server-sent events over raw HTTP: progress events as the route reports them, then the result;
 * the JSON answer unchanged for clients that do not ask for a stream; closing the stream cancels the route.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TryItStreamIT extends CaravanIntegrationTest {
    private Path markers;

    private record Event(String name, JsonNode data, long atMillis) {
    }

    @BeforeAll
    void routes() throws IOException {
        markers = Files.createTempDirectory("try-it-markers");
        writeRouteAndAwait("streamed.yaml", """
                - route:
                    from:
                      uri: ai-tool:tryit_two_steps
                      parameters:
                        description: Reports two steps with a pause between.
                      steps:
                        - to: ai-client:progress?progress=1&total=2&message=first half
                        - delay:
                            constant: 1500
                        - to: ai-client:progress?progress=2&total=2&message=second half
                        - setBody:
                            constant: all done
                - route:
                    from:
                      uri: ai-tool:tryit_slow_marker
                      parameters:
                        description: Reports a step, waits, then leaves a marker file.
                        parameter.tag: string
                        parameter.tag.required: true
                      steps:
                        - to: ai-client:progress?progress=1&total=2&message=started
                        - delay:
                            constant: 3000
                        - setBody:
                            constant: finished
                        - toD: "file:MARKERS?fileName=${header.tag}.done"
                """.replace("MARKERS", markers.toString()));
    }

    private HttpRequest.Builder call(String tool, String body) {
        return HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/tools/" + tool + "/call"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<InputStream> open(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Reads events until {@code stopAfter} has been seen (or the stream ends); comments are skipped. */
    private static List<Event> read(InputStream in, String stopAfter) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<Event> events = new ArrayList<>();
        String name = null;
        StringBuilder data = new StringBuilder();
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            } else if (line.isEmpty() && name != null) {
                events.add(new Event(name, json(data.toString()), System.currentTimeMillis()));
                if (name.equals(stopAfter)) {
                    break;
                }
                name = null;
                data.setLength(0);
            }
        }
        return events;
    }

    @Test
    void progressArrivesAsTheRouteReportsItThenTheResult() throws Exception {
        HttpResponse<InputStream> r = open(call("tryit_two_steps", "{\"arguments\":{}}")
                .header("Accept", "text/event-stream").build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Event> events;
        try (InputStream in = r.body()) {
            events = read(in, "result");
        }
        assertThat(events).extracting(Event::name).containsExactly("progress", "progress", "result");
        assertThat(events.get(0).data().get("progress").asDouble()).isEqualTo(1.0);
        assertThat(events.get(0).data().get("total").asDouble()).isEqualTo(2.0);
        assertThat(events.get(0).data().get("message").asText()).isEqualTo("first half");
        assertThat(events.get(1).data().get("message").asText()).isEqualTo("second half");
        assertThat(events.get(2).data().at("/content/0/text").asText()).isEqualTo("all done");
        // The first step came out before the route's pause, not buffered with the result.
        assertThat(events.get(2).atMillis() - events.get(0).atMillis()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void withoutAskingForAStreamTheAnswerStaysOneJsonResult() {
        for (String accept : new String[]{null, "*/*", "application/json"}) {
            HttpRequest.Builder b = call("tryit_two_steps", "{\"arguments\":{}}");
            if (accept != null) {
                b.header("Accept", accept);
            }
            HttpResponse<String> r = send(b.build());
            assertThat(r.statusCode()).as(accept).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(accept).startsWith("application/json");
            assertThat(json(r.body()).at("/content/0/text").asText()).isEqualTo("all done");
        }
    }

    @Test
    void closingTheStreamCancelsTheRoute() throws Exception {
        HttpResponse<InputStream> r = open(call("tryit_slow_marker", "{\"arguments\":{\"tag\":\"closed\"}}")
                .header("Accept", "text/event-stream").build());
        try (InputStream in = r.body()) {
            assertThat(read(in, "progress")).extracting(Event::name).containsExactly("progress");
        }
        Thread.sleep(5000); // the route's 3 s pause and more
        assertThat(markers.resolve("closed.done")).doesNotExist();
        // and the same route left alone does write its marker: the check above could fail
        HttpResponse<String> done = send(call("tryit_slow_marker", "{\"arguments\":{\"tag\":\"kept\"}}").build());
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(markers.resolve("kept.done")).exists();
    }

    @Test
    void anUnknownToolOrBadArgumentsGetAClearAnswerWithoutAStackTrace() throws Exception {
        HttpResponse<String> unknown = send(call("no_such_tool", "{\"arguments\":{}}")
                .header("Accept", "text/event-stream").build());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(unknown.body()).get("detail").asText()).contains("no_such_tool");

        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(baseUrl()
                        + "/admin/api/tools/tryit_two_steps/call")).header("Accept", "text/event-stream")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(anonymous.statusCode()).as("a stream without the admin token").isEqualTo(401);
        assertThat(anonymous.body()).doesNotContain("progress");

        HttpResponse<String> junk = send(call("tryit_two_steps", "{not json").header("Accept", "text/event-stream").build());
        assertThat(junk.statusCode()).isEqualTo(400);
        assertThat(junk.body()).doesNotContain("Exception", "at dev.caravan");

        HttpResponse<InputStream> missing = open(call("tryit_slow_marker", "{\"arguments\":{\"tag\":42,\"x\":[1]}}")
                .header("Accept", "text/event-stream").build());
        List<Event> events;
        try (InputStream in = missing.body()) {
            events = read(in, "result");
        }
        Event last = events.get(events.size() - 1);
        String text = last.data().toString();
        assertThat(text).doesNotContain("Exception", "at dev.caravan", markers.toString());
        // a wrong argument is the tool's error answer, as an MCP client would get it, not a broken stream
        assertThat(last.name()).isEqualTo("result");
        assertThat(last.data().get("isError").asBoolean()).as(text).isTrue();
        assertThat(last.data().at("/content/0/text").asText()).contains("tag");
    }
}
