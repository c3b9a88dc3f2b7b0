package dev.caravan.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP API's one error shape (RFC 9457 problem details) on the real server: every problem kind, Spring's own
 * errors in our words, a 500 that hides its cause, and the admin API reading {@code curl -d} bodies as JSON.
 */
@Import(ApiProblemsIT.Failing.class)
@ExtendWith(OutputCaptureExtension.class)
class ApiProblemsIT extends CaravanIntegrationTest {

    /** Throws what it is asked to, to see each kind answered. */
    @RestController
    static class Failing {
        @GetMapping("/admin/api/test-problems/{kind}")
        String fail(@PathVariable String kind) {
            throw new ApiException(ApiProblem.valueOf(kind), "detail of " + kind);
        }

        @GetMapping("/admin/api/test-boom")
        String boom() {
            throw new IllegalStateException("secret at /var/lib/caravan/data/keys and a cvn_token");
        }

        @GetMapping("/admin/api/test-param")
        String param(@RequestParam int count) {
            return "ok " + count;
        }
    }

    private HttpResponse<String> raw(String method, String path, String contentType, String body, boolean token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (token) {
            b.header("Authorization", "Bearer " + ADMIN_TOKEN);
        }
        return send(b.build());
    }

    /** Asserts the common shape and returns the body. */
    private static JsonNode problem(HttpResponse<String> r, int status, String id, String path) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode body = json(r.body());
        assertThat(body.path("type").asText()).isEqualTo("https://caravan.dev/problems/" + id);
        assertThat(body.path("status").asInt()).isEqualTo(status);
        assertThat(body.path("title").asText()).isNotBlank();
        assertThat(body.path("instance").asText()).isEqualTo(path);
        assertThat(body.path("detail").asText()).isNotBlank()
                .doesNotContain("Exception", "java.", "com.fasterxml", "springframework", "\tat ");
        return body;
    }

    @Test
    void everyProblemKindHasItsStatusTypeAndTitle() {
        for (ApiProblem kind : ApiProblem.values()) {
            String path = "/admin/api/test-problems/" + kind.name();
            JsonNode body = problem(admin("GET", path, null), kind.status().value(), kind.id(), path);
            assertThat(body.path("title").asText()).isEqualTo(kind.title());
            assertThat(body.path("detail").asText()).isEqualTo("detail of " + kind.name());
        }
    }

    @Test
    void theQueryIsNeverEchoed() {
        JsonNode body = problem(admin("GET", "/admin/api/test-problems/NOT_FOUND?key=cvn_secret", null), 404,
                "not-found", "/admin/api/test-problems/NOT_FOUND");
        assertThat(body.toString()).doesNotContain("cvn_secret");
    }

    @Test
    void theAdminTokenIsAskedForAsAProblem() {
        HttpResponse<String> r = raw("GET", "/admin/api/endpoints", null, null, false);
        JsonNode body = problem(r, 401, "unauthorized", "/admin/api/endpoints");
        assertThat(body.path("detail").asText()).contains("Authorization: Bearer");
        assertThat(body.has("properties")).as(r.body()).isFalse();
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"caravan-admin\"");
    }

    @Test
    void callerErrorsOfTheAdminApiAreProblems() {
        problem(admin("POST", "/admin/api/endpoints", "{\"tools\":[\"x\"]}"), 400, "invalid-request",
                "/admin/api/endpoints");
        problem(admin("GET", "/admin/api/endpoints/nope", null), 404, "not-found", "/admin/api/endpoints/nope");
        publish("twice", "*");
        JsonNode conflict = problem(admin("POST", "/admin/api/endpoints", "{\"name\":\"twice\",\"tools\":[\"*\"]}"), 409, "conflict",
                "/admin/api/endpoints");
        assertThat(conflict.path("detail").asText()).contains("'twice' exists already");
        problem(admin("GET", "/admin/api/upstreams/nope", null), 404, "not-found", "/admin/api/upstreams/nope");
        problem(admin("PUT", "/admin/api/workspaces/nope/owner", "{\"owner\":\"a/b\"}"), 404, "not-found",
                "/admin/api/workspaces/nope/owner");
        problem(admin("GET", "/admin/api/audit?since=yesterday-ish", null), 400, "invalid-request", "/admin/api/audit");
    }

    @Test
    void springsOwnErrorsAreProblemsInPlainWords() {
        JsonNode broken = problem(admin("POST", "/admin/api/endpoints", "{\"name\": %"), 400, "invalid-request",
                "/admin/api/endpoints");
        assertThat(broken.path("detail").asText()).startsWith("The body is not valid JSON (line 1, column 10)")
                .contains("'%'");
        JsonNode wrongType = problem(admin("POST", "/admin/api/endpoints", "{\"name\":\"a\",\"tools\":\"crm\"}"), 400,
                "invalid-request", "/admin/api/endpoints");
        assertThat(wrongType.path("detail").asText()).isEqualTo("Field 'tools' must be an array.");
        JsonNode noBody = problem(admin("POST", "/admin/api/endpoints", null), 400, "invalid-request",
                "/admin/api/endpoints");
        assertThat(noBody.path("detail").asText()).isEqualTo("The request needs a JSON body.");
        JsonNode noParam = problem(admin("GET", "/admin/api/test-param", null), 400, "invalid-request",
                "/admin/api/test-param");
        assertThat(noParam.path("detail").asText()).isEqualTo("Give the query parameter 'count'.");
        JsonNode badParam = problem(admin("DELETE", "/admin/api/workspaces/default?purge=maybe", null), 400,
                "invalid-request", "/admin/api/workspaces/default");
        assertThat(badParam.path("detail").asText()).isEqualTo("'maybe' is not a valid value for 'purge'; expected true or false.");

        HttpResponse<String> method = admin("PUT", "/admin/api/endpoints", "{}");
        JsonNode wrongMethod = problem(method, 405, "method-not-allowed", "/admin/api/endpoints");
        assertThat(wrongMethod.path("detail").asText()).startsWith("PUT is not allowed here; use ");
        assertThat(method.headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("GET", "POST"));

        JsonNode media = problem(raw("POST", "/admin/api/endpoints", "text/plain", "{\"name\":\"t\"}", true), 415,
                "unsupported-media-type", "/admin/api/endpoints");
        assertThat(media.path("detail").asText()).contains("text/plain").contains("application/json");

        JsonNode unknown = problem(admin("GET", "/admin/api/no-such-thing", null), 404, "not-found",
                "/admin/api/no-such-thing");
        assertThat(unknown.path("detail").asText()).doesNotContain("static resource");
    }

    @Test
    void anUnexpectedFailureIsA500WithACorrelationIdAndNothingElse(CapturedOutput output) {
        JsonNode body = problem(admin("GET", "/admin/api/test-boom", null), 500, "internal-error", "/admin/api/test-boom");
        String id = body.path("correlationId").asText();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(body.path("detail").asText()).contains(id);
        assertThat(body.toString()).doesNotContain("secret", "/var/lib", "cvn_", "IllegalState");
        assertThat(output.getAll()).contains(id).contains("secret at /var/lib/caravan/data/keys");
    }

    @Test
    void readmeStyleCurlBodiesWithoutJsonContentTypeAreReadAsJson() {
        // curl -d sends application/x-www-form-urlencoded; the servlet container would decode it as a form
        String body = "{\"name\":\"curl-form\",\"tools\":[\"crm\",\"report_*\"]}";
        assertThat(raw("POST", "/admin/api/endpoints", "application/x-www-form-urlencoded", body, true).statusCode())
                .isEqualTo(201);
        assertThat(raw("POST", "/admin/api/endpoints", null, body.replace("curl-form", "curl-none"), true).statusCode())
                .isEqualTo(201);
        assertThat(raw("POST", "/admin/api/endpoints", "application/x-www-form-urlencoded; charset=UTF-8",
                body.replace("curl-form", "curl-charset"), true).statusCode()).isEqualTo(201);
        // PATCH too (Spring would otherwise parse a form PATCH body itself)
        HttpResponse<String> patched = raw("PATCH", "/admin/api/endpoints/curl-form",
                "application/x-www-form-urlencoded", "{\"enabled\":false}", true);
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched.body()).path("enabled").asBoolean(true)).isFalse();
        // a String-bodied controller: the upstream declaration arrives as sent, not re-encoded
        HttpResponse<String> upstream = raw("POST", "/admin/api/upstreams", "application/x-www-form-urlencoded",
                "{\"name\":\"docs\",\"transport\":\"streamable-http\",\"url\":\"http://127.0.0.1:9/mcp\",\"enabled\":false}", true);
        assertThat(upstream.statusCode()).as(upstream.body()).isEqualTo(201);
        // a form body that is not JSON gets the JSON parser's answer, not a decoding error
        JsonNode form = problem(raw("POST", "/admin/api/endpoints", "application/x-www-form-urlencoded", "name=x", true),
                400, "invalid-request", "/admin/api/endpoints");
        assertThat(form.path("detail").asText()).startsWith("The body is not valid JSON");
    }
}
