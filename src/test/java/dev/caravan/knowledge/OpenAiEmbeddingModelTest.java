package dev.caravan.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenAI-compatible model against a stub of OpenAI's documented embeddings API: the request's shape, batching,
 * vectors put back in order by index, 429 and 503 with Retry-After (seconds and HTTP date) retried until the
 * deadline, and refusals (400, 401, 404, a missing variable) that say what to do without the key. The clock moves
 * only when the model waits, so no test sleeps.
 */
class OpenAiEmbeddingModelTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final OpenAiStub stub = new OpenAiStub();
    final List<Duration> waits = new ArrayList<>();
    Instant now = Instant.parse("2026-12-04T12:00:00Z");
    final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @AfterEach
    void stop() {
        stub.close();
    }

    OpenAiEmbeddingModel model(Map<String, Object> extra) {
        Map<String, Object> declared = new java.util.HashMap<>(Map.of("type", "openai", "model", OpenAiStub.MODEL,
                "baseUrl", stub.baseUrl(), "apiKey", "${TEST_OPENAI_KEY}", "dimensions", OpenAiStub.DIMENSIONS,
                "batchSize", 2));
        declared.putAll(extra);
        EmbeddingSpec spec = EmbeddingSpec.parse(declared, "kb", BgeSmallModel.ID);
        return new OpenAiEmbeddingModel(spec, Map.of("TEST_OPENAI_KEY", OpenAiStub.KEY)::get, clock, d -> {
            waits.add(d);
            now = now.plus(d);
        });
    }

    @Test
    void sendsOpenAisRequestInBatchesAndPutsVectorsBackByIndex() throws Exception {
        OpenAiEmbeddingModel m = model(Map.of());
        List<String> texts = List.of("hotel limit in London", "bicycle door code", "probation period", "laptop",
                "monitor and headset");
        List<float[]> vectors = m.embedAll(texts);
        assertThat(vectors).hasSize(5);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(vectors.get(i)).as(texts.get(i)).containsExactly(OpenAiStub.vector(texts.get(i), 64));
        }
        List<LoggedRequest> sent = stub.server.findAll(postRequestedFor(urlEqualTo("/v1/embeddings")));
        assertThat(sent).as("batches of batchSize 2").hasSize(3);
        JsonNode first = JSON.readTree(sent.get(0).getBodyAsString());
        assertThat(first.path("model").asText()).isEqualTo(OpenAiStub.MODEL);
        assertThat(first.path("input").isArray()).isTrue();
        assertThat(first.path("input").get(0).asText()).isEqualTo("hotel limit in London");
        assertThat(first.path("encoding_format").asText()).isEqualTo("float");
        assertThat(first.path("dimensions").asInt()).isEqualTo(64);
        assertThat(sent.get(0).getHeader("Authorization")).isEqualTo("Bearer " + OpenAiStub.KEY);
        assertThat(m.id()).isEqualTo("text-embedding-3-small@64");
        assertThat(waits).isEmpty();
    }

    @Test
    void rateLimitedRequestsWaitAsRetryAfterSaysAndThenSucceed() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(now.plusSeconds(7),
                ZoneOffset.UTC));
        stub.server.stubFor(post(urlEqualTo("/v1/embeddings")).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3").withBody("""
                        {"error":{"message":"Rate limit reached for text-embedding-3-small on requests per min \
                        (RPM): Limit 3000, Used 3000.","type":"requests","param":null,"code":"rate_limit_exceeded"}}"""))
                .willSetStateTo("overloaded"));
        stub.server.stubFor(post(urlEqualTo("/v1/embeddings")).inScenario("busy").whenScenarioStateIs("overloaded")
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", date).withBody("""
                        {"error":{"message":"The server is overloaded.","type":"server_error","param":null,\
                        "code":null}}""")).willSetStateTo("fine"));
        float[] v = model(Map.of()).embedAll(List.of("probation period")).get(0);
        assertThat(v).containsExactly(OpenAiStub.vector("probation period", 64));
        assertThat(waits).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(4));
        assertThat(stub.requests()).isEqualTo(3);
    }

    @Test
    void aRateLimitPastTheDeadlineFailsWithAReason() {
        stub.server.stubFor(post(urlEqualTo("/v1/embeddings")).atPriority(1).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "20").withBody("""
                        {"error":{"message":"Rate limit reached for text-embedding-3-small.","type":"requests",\
                        "param":null,"code":"rate_limit_exceeded"}}""")));
        OpenAiEmbeddingModel m = model(Map.of("retryDeadline", "45s"));
        assertThatThrownBy(() -> m.embedAll(List.of("laptop"))).isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("429 rate limited requests: Rate limit reached")
                .hasMessageContaining("retry deadline (embedding.retryDeadline, 45s)")
                .hasMessageContaining("reindex to try again").message().doesNotContain(OpenAiStub.KEY);
        assertThat(waits).containsExactly(Duration.ofSeconds(20), Duration.ofSeconds(20));
        assertThat(stub.requests()).isEqualTo(3);
    }

    @Test
    void refusalsSayWhatToCheckAndNeverShowTheKey() {
        // 401: OpenAI's body quotes part of the key; the reason names the variable instead.
        OpenAiEmbeddingModel wrongKey = new OpenAiEmbeddingModel(EmbeddingSpec.parse(Map.of("type", "openai",
                "model", OpenAiStub.MODEL, "baseUrl", stub.baseUrl(), "apiKey", "${TEST_OPENAI_KEY}",
                "dimensions", 64), "kb", BgeSmallModel.ID), Map.of("TEST_OPENAI_KEY", "sk-wrong-key")::get);
        assertThatThrownBy(() -> wrongKey.embedAll(List.of("laptop"))).hasMessageContaining("401")
                .hasMessageContaining("invalid_api_key").hasMessageContaining("${TEST_OPENAI_KEY}")
                .message().doesNotContain("sk-wr").doesNotContain("sk-wrong-key");

        stub.server.stubFor(post(urlEqualTo("/v1/embeddings")).atPriority(1).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens (key "
                        + OpenAiStub.KEY + ")\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}")));
        assertThatThrownBy(() -> model(Map.of()).embedAll(List.of("laptop"))).isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("400 invalid_request_error: This model's maximum context length is 8192")
                .message().doesNotContain(OpenAiStub.KEY);

        stub.server.stubFor(post(urlEqualTo("/v1/embeddings")).atPriority(1).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\":{\"message\":\"The model `text-embedding-9` does not exist\",\"type\":"
                        + "\"invalid_request_error\",\"param\":null,\"code\":\"model_not_found\"}}")));
        assertThatThrownBy(() -> model(Map.of()).embedAll(List.of("laptop"))).hasMessageContaining("404")
                .hasMessageContaining("check embedding.model");

        OpenAiEmbeddingModel unset = new OpenAiEmbeddingModel(EmbeddingSpec.parse(Map.of("type", "openai",
                "model", OpenAiStub.MODEL, "baseUrl", stub.baseUrl(), "apiKey", "${UNSET_KEY_VARIABLE}",
                "dimensions", 64), "kb", BgeSmallModel.ID), Map.<String, String>of()::get);
        assertThatThrownBy(() -> unset.embedAll(List.of("laptop")))
                .hasMessage("embedding.apiKey: the environment variable UNSET_KEY_VARIABLE is not set on this node");
        assertThat(waits).as("refusals are not retried").isEmpty();
    }

    @Test
    void aDeclarationRefusesALiteralKeyAndCountsTokensConservatively() {
        assertThatThrownBy(() -> EmbeddingSpec.parse(Map.of("type", "openai", "model", "m", "dimensions", 8,
                "apiKey", "sk-live-123"), "kb", BgeSmallModel.ID)).isInstanceOf(KnowledgeBaseException.class)
                .hasMessageContaining("reference to an environment variable").message().doesNotContain("sk-live");
        assertThatThrownBy(() -> EmbeddingSpec.parse(Map.of("type", "openai", "model", "m"), "kb", BgeSmallModel.ID))
                .hasMessageContaining("embedding.dimensions");
        OpenAiEmbeddingModel m = model(Map.of("maxInputTokens", 512));
        assertThat(m.maxTokens()).isEqualTo(512);
        // UTF-8 bytes (no tokenizer's token is shorter than a byte) and two special tokens.
        assertThat(m.countTokens("hotel")).isEqualTo(7);
        assertThat(m.countTokens("Zürich €5 \uD83D\uDE00")).isEqualTo(1 + 2 + 4 + 1 + 3 + 1 + 1 + 4 + 2);
        assertThat(m.retryAfter("Fri, 04 Dec 2026 12:00:30 GMT")).isEqualTo(Duration.ofSeconds(30));
    }
}
