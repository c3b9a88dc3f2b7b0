package dev.caravan.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * OpenAI's {@code POST /v1/embeddings} as documented (api-reference/embeddings/create): a request with
 * {@code model}, an {@code input} array, {@code encoding_format} and {@code dimensions}, answered with
 * {@code {"object":"list","data":[{"object":"embedding","index":i,"embedding":[...]}],"model",...,"usage":{...}}};
 * a wrong key gets OpenAI's 401 body {@code {"error":{"message","type","code"}}}. The vectors are a hashed bag of
 * words, so texts sharing words are near: enough for search to find the right document. It answers the items in
 * reverse order, so a client that ignores {@code index} gets the wrong vectors.
 */
final class OpenAiStub implements AutoCloseable {
    static final String KEY = "sk-test-0123456789abcdef";
    static final String MODEL = "text-embedding-3-small";
    static final int DIMENSIONS = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    final WireMockServer server;
    /** Texts embedded (every input of every successful request). */
    final AtomicInteger texts = new AtomicInteger();

    OpenAiStub() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").extensions(new Embeddings()));
        server.start();
        // A wrong or missing key: OpenAI's answer, which quotes part of the key it got.
        server.stubFor(post(urlEqualTo("/v1/embeddings")).atPriority(10).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"error":{"message":"Incorrect API key provided: sk-wr***ey. You can find your API key at \
                        https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,\
                        "code":"invalid_api_key"}}""")));
        server.stubFor(post(urlEqualTo("/v1/embeddings")).atPriority(5)
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(matchingJsonPath("$.model", equalTo(MODEL)))
                .withRequestBody(matchingJsonPath("$.encoding_format", equalTo("float")))
                .withRequestBody(matchingJsonPath("$.input[0]"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withTransformers("openai-embeddings")));
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    int requests() {
        return server.getAllServeEvents().size();
    }

    /** The hashed bag of words of a text, unit length. */
    static float[] vector(String text, int dimensions) {
        float[] v = new float[dimensions];
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.length() < 3) {
                continue;
            }
            int h = word.hashCode();
            v[Math.floorMod(h, dimensions)] += (h & 0x10000) == 0 ? 1 : -1;
        }
        double sum = 0;
        for (float f : v) {
            sum += f * f;
        }
        if (sum == 0) {
            v[0] = 1;
            return v;
        }
        for (int i = 0; i < v.length; i++) {
            v[i] /= (float) Math.sqrt(sum);
        }
        return v;
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Embeddings implements ResponseTransformerV2 {
        @Override
        public Response transform(Response response, ServeEvent event) {
            try {
                JsonNode request = JSON.readTree(event.getRequest().getBodyAsString());
                int dimensions = request.path("dimensions").asInt(DIMENSIONS);
                ObjectNode out = JSON.createObjectNode();
                out.put("object", "list");
                ArrayNode data = out.putArray("data");
                JsonNode input = request.path("input");
                int tokens = 0;
                for (int i = input.size() - 1; i >= 0; i--) {
                    ObjectNode item = data.addObject();
                    item.put("object", "embedding");
                    item.put("index", i);
                    ArrayNode embedding = item.putArray("embedding");
                    for (float f : vector(input.get(i).asText(), dimensions)) {
                        embedding.add(f);
                    }
                    tokens += input.get(i).asText().split("\\s+").length;
                }
                texts.addAndGet(input.size());
                out.put("model", request.path("model").asText());
                out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
                return Response.Builder.like(response).but().body(JSON.writeValueAsString(out)
                        .getBytes(StandardCharsets.UTF_8)).build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String getName() {
            return "openai-embeddings";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }
}
