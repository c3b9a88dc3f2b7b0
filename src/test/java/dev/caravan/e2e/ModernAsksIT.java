package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a route may ask the client on 2026-07-28, over raw HTTP: roots as an input_required round, several
 * questions of one {@code ai-client:ask} step in one round, a prompt that asks, the client's declared capabilities as a header, and an ask the client did not declare the capability for
 * (-32021 with HTTP 400, which is why a quick, quiet call is one JSON answer and not an event stream).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModernAsksIT extends CaravanIntegrationTest {
    private Published endpoint;

    @BeforeAll
    void routes() {
        writeRouteAndAwait("asks.yaml", """
                - route:
                    id: a-roots
                    from:
                      uri: ai-tool:a_roots
                      parameters:
                        tags: asks
                        description: Names the client's roots.
                      steps:
                        - to: ai-client:roots?inputKey=client_roots
                        - setBody:
                            simple: "roots: ${body}"
                - route:
                    id: a-sample
                    from:
                      uri: ai-tool:a_sample
                      parameters:
                        tags: asks
                        description: Asks the client's model.
                      steps:
                        - setBody:
                            constant: Say a word
                        - to: ai-client:sampling?maxTokens=5
                - route:
                    id: a-capabilities
                    from:
                      uri: ai-tool:a_capabilities
                      parameters:
                        tags: asks
                        description: Names the client's declared capabilities.
                      steps:
                        - setBody:
                            simple: "${header.CaravanClientCapabilities}"
                - route:
                    id: a-chatty
                    from:
                      uri: ai-tool:a_chatty
                      parameters:
                        tags: asks
                        description: Reports progress, then answers.
                      steps:
                        - to: ai-client:progress?progress=1&total=2
                        - setBody:
                            constant: chatted
                - route:
                    id: a-together
                    from:
                      uri: ai-tool:a_together
                      parameters:
                        tags: asks
                        description: Asks three questions in one round, then uses the answers.
                      steps:
                        - to:
                            uri: ai-client:ask
                            parameters:
                              input.who: elicitation
                              input.who.message: Your name?
                              input.who.requestedSchema: '{"type":"object","properties":{"name":{"type":"string"}}}'
                              input.hello: sampling
                              input.hello.message: Say hello
                              input.hello.maxTokens: 5
                              input.where: roots
                        - setBody:
                            simple: "${body[hello]}, ${body[who][name]} (${header.CaravanElicitationActions[who]}) at ${body[where][0][uri]}"
                - route:
                    id: a-prompt
                    from:
                      uri: ai-prompt:a_prompt
                      parameters:
                        tags: asks
                        description: Asks for a topic, then writes the prompt.
                      steps:
                        - setBody:
                            constant: Which topic?
                        - to:
                            uri: ai-client:elicitation
                            parameters:
                              inputKey: topic
                              requestedSchema: '{"type":"object","properties":{"topic":{"type":"string"}},"required":["topic"]}'
                        - setBody:
                            simple: "Write about ${body[topic]}"
                """);
        endpoint = publish("asks", "asks");
    }

    @Test
    void anAskWithoutTheClientsCapabilityIsRefusedWith32021() {
        HttpResponse<String> r = post("tools/call", "a_sample", params("a_sample", "{}"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode error = message(r).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32021);
        assertThat(error.at("/data/requiredCapabilities").has("sampling")).isTrue();
    }

    @Test
    void rootsAreAnInputRoundAndTheRouteResumesWithThem() {
        ObjectNode first = params("a_roots", "{\"roots\":{}}");
        JsonNode asked = message(post("tools/call", "a_roots", first)).path("result");
        assertThat(asked.path("resultType").asText()).isEqualTo("input_required");
        assertThat(asked.at("/inputRequests/client_roots/method").asText()).isEqualTo("roots/list");
        ObjectNode retry = first.deepCopy();
        retry.put("requestState", asked.path("requestState").asText());
        retry.set("inputResponses", json("{\"client_roots\":{\"roots\":[{\"uri\":\"file:///work/site\",\"name\":\"site\"}]}}"));
        JsonNode done = message(post("tools/call", "a_roots", retry)).path("result");
        assertThat(done.at("/content/0/text").asText()).isEqualTo("roots: [{uri=file:///work/site, name=site}]");
    }

    @Test
    void aRootsAnswerThatIsNotAnObjectIsRefused() {
        ObjectNode first = params("a_roots", "{\"roots\":{}}");
        JsonNode asked = message(post("tools/call", "a_roots", first)).path("result");
        ObjectNode retry = first.deepCopy();
        retry.put("requestState", asked.path("requestState").asText());
        retry.set("inputResponses", json("{\"client_roots\":\"file:///etc\"}"));
        HttpResponse<String> r = post("tools/call", "a_roots", retry);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = message(r).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32602);
        assertThat(error.path("message").asText()).contains("client_roots").doesNotContain("Exception").doesNotContain("java.");
    }

    @Test
    void oneAskStepPutsAllItsQuestionsInOneRound() {
        ObjectNode first = params("a_together", "{\"elicitation\":{},\"sampling\":{},\"roots\":{}}");
        JsonNode asked = message(post("tools/call", "a_together", first)).path("result");
        assertThat(asked.path("resultType").asText()).isEqualTo("input_required");
        JsonNode requests = asked.path("inputRequests");
        assertThat(requests.size()).isEqualTo(3);
        assertThat(requests.at("/who/method").asText()).isEqualTo("elicitation/create");
        assertThat(requests.at("/who/params/message").asText()).isEqualTo("Your name?");
        assertThat(requests.at("/hello/method").asText()).isEqualTo("sampling/createMessage");
        assertThat(requests.at("/hello/params/maxTokens").asInt()).isEqualTo(5);
        assertThat(requests.at("/where/method").asText()).isEqualTo("roots/list");

        ObjectNode retry = first.deepCopy();
        retry.put("requestState", asked.path("requestState").asText());
        retry.set("inputResponses", json("""
                {"who":{"action":"accept","content":{"name":"Ada"}},
                 "hello":{"role":"assistant","content":{"type":"text","text":"Hi"},"model":"m"},
                 "where":{"roots":[{"uri":"file:///work/site"}]}}"""));
        JsonNode done = message(post("tools/call", "a_together", retry)).path("result");
        assertThat(done.path("resultType").asText("complete")).isEqualTo("complete");
        assertThat(done.at("/content/0/text").asText()).isEqualTo("Hi, Ada (accept) at file:///work/site");
    }

    @Test
    void aRetryMustAnswerEveryQuestionOfTheRound() {
        ObjectNode first = params("a_together", "{\"elicitation\":{},\"sampling\":{},\"roots\":{}}");
        JsonNode asked = message(post("tools/call", "a_together", first)).path("result");
        ObjectNode retry = first.deepCopy();
        retry.put("requestState", asked.path("requestState").asText());
        retry.set("inputResponses", json("""
                {"who":{"action":"accept","content":{"name":"Ada"}},"where":{"roots":[]}}"""));
        HttpResponse<String> r = post("tools/call", "a_together", retry);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = message(r).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32602);
        assertThat(error.path("message").asText()).contains("'hello'");
    }

    @Test
    void anAskStepNamesEveryCapabilityTheClientLacks() {
        HttpResponse<String> r = post("tools/call", "a_together", params("a_together", "{\"elicitation\":{}}"));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = message(r).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32021);
        assertThat(error.at("/data/requiredCapabilities").has("sampling")).isTrue();
        assertThat(error.at("/data/requiredCapabilities").has("roots")).isTrue();
        assertThat(error.at("/data/requiredCapabilities").has("elicitation")).isFalse();
    }

    @Test
    void aPromptAsksInARound() {
        ObjectNode first = json("{\"name\":\"a_prompt\",\"_meta\":" + meta("{\"elicitation\":{}}") + "}").deepCopy();
        JsonNode asked = message(post("prompts/get", "a_prompt", first)).path("result");
        assertThat(asked.path("resultType").asText()).isEqualTo("input_required");
        assertThat(asked.at("/inputRequests/topic/params/message").asText()).isEqualTo("Which topic?");
        ObjectNode retry = first.deepCopy();
        retry.put("requestState", asked.path("requestState").asText());
        retry.set("inputResponses", json("{\"topic\":{\"action\":\"accept\",\"content\":{\"topic\":\"tides\"}}}"));
        JsonNode done = message(post("prompts/get", "a_prompt", retry)).path("result");
        assertThat(done.at("/messages/0/content/text").asText()).isEqualTo("Write about tides");
    }

    @Test
    void routesSeeTheCapabilitiesTheClientDeclared() {
        JsonNode some = message(post("tools/call", "a_capabilities", params("a_capabilities",
                "{\"sampling\":{},\"roots\":{},\"extensions\":{\"x\":{}}}"))).path("result");
        assertThat(some.at("/content/0/text").asText()).isEqualTo("[\"roots\",\"sampling\"]");
        JsonNode none = message(post("tools/call", "a_capabilities", params("a_capabilities", "{}"))).path("result");
        assertThat(none.at("/content/0/text").asText()).isEqualTo("[]");
    }

    @Test
    void aQuietCallIsOneJsonAnswerAndAChattyOneAStream() {
        HttpResponse<String> quiet = post("tools/call", "a_capabilities", params("a_capabilities", "{}"));
        assertThat(quiet.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        ObjectNode chatty = params("a_chatty", "{}");
        ((ObjectNode) chatty.get("_meta")).put("progressToken", "p1");
        HttpResponse<String> streamed = post("tools/call", "a_chatty", chatty);
        assertThat(streamed.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(streamed.body()).contains("notifications/progress");
        assertThat(message(streamed).at("/result/content/0/text").asText()).isEqualTo("chatted");
    }

    private static String meta(String capabilities) {
        return "{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":" + capabilities + "}";
    }

    private static ObjectNode params(String tool, String capabilities) {
        return json("{\"name\":\"" + tool + "\",\"arguments\":{},\"_meta\":" + meta(capabilities) + "}").deepCopy();
    }

    private HttpResponse<String> post(String method, String name, JsonNode params) {
        String body = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", 7).put("method", method)
                .set("params", params).toString();
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/mcp/" + endpoint.name()))
                .header("Authorization", "Bearer " + endpoint.token()).header("Content-Type", "application/json")
                .header("Accept", ACCEPT_MCP).header("MCP-Protocol-Version", "2026-07-28")
                .header("Mcp-Method", method).header("Mcp-Name", name)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The JSON-RPC answer: the body, or the last data line of an event stream. */
    private static JsonNode message(HttpResponse<String> response) {
        if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            List<String> data = Arrays.stream(response.body().split("\n")).filter(l -> l.startsWith("data:"))
                    .map(l -> l.substring(5).trim()).toList();
            assertThat(data).as("events in " + response.body()).isNotEmpty();
            return json(data.get(data.size() - 1));
        }
        return json(response.body());
    }
}
