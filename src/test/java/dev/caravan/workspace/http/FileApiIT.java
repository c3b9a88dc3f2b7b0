package dev.caravan.workspace.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.workspace.storage.WorkspacePath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP file API, /files/WORKSPACE/PATH, on the local and the S3 backend. */
class FileApiIT extends WorkspaceHttpIT {
    static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
            + "0123456789abcdefghijklmnopqrstuvwxyzAB"; // 100 bytes
    Published reader;
    Published writer;
    Published unrelated;

    @BeforeAll
    void endpoints() {
        reader = publish("reader", "read_text_file");
        writer = publish("writer", "workspace");
        unrelated = publish("unrelated", "list_workspaces");
    }

    HttpRequest.Builder as(String token, String rawPath) {
        return request(rawPath).header("Authorization", "Bearer " + token);
    }

    HttpRequest.Builder admin(String rawPath) {
        return as(ADMIN_TOKEN, rawPath);
    }

    HttpResponse<String> put(String rawPath, String body, String... headers) {
        HttpRequest.Builder b = admin(rawPath).PUT(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    HttpResponse<String> get(String rawPath, String... headers) {
        HttpRequest.Builder b = admin(rawPath).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    // ---- hostile input first

    @Test
    void requestsWithoutAValidTokenAre401AndSayHowToAuthenticate() {
        put("/files/default/auth/a.txt", "x");
        for (HttpRequest r : List.of(request("/files/default/auth/a.txt").GET().build(),
                request("/files/default/auth/a.txt").header("Authorization", "Bearer cvn_not-a-real-token").GET().build(),
                request("/files/default/auth/a.txt").header("Authorization", "Basic YWRtaW46" + "eA==").GET().build(),
                request("/files/default/auth/a.txt").header("Authorization", "Bearer " + "x".repeat(5000)).GET().build(),
                request("/files/default/auth/b.txt").PUT(HttpRequest.BodyPublishers.ofString("y")).build())) {
            HttpResponse<String> response = send(r);
            assertThat(response.statusCode()).as(r.toString()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(json(response.body()).path("detail").asText()).contains("Bearer");
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json(response.body()).path("type").asText()).isEqualTo("https://caravan.dev/problems/unauthorized");
            assertThat(json(response.body()).path("instance").asText()).startsWith("/files/default/auth/");
        }
        assertThat(get("/files/default/auth/b.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void anEndpointTokenMayDoOverHttpOnlyWhatItsToolsAllow() {
        put("/files/default/scoped/a.txt", "hello");
        assertThat(send(as(reader.token(), "/files/default/scoped/a.txt").GET().build()).body()).isEqualTo("hello");
        HttpResponse<String> denied = send(as(reader.token(), "/files/default/scoped/a.txt")
                .PUT(HttpRequest.BodyPublishers.ofString("changed")).build());
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(json(denied.body()).path("detail").asText()).contains("write_file");
        assertThat(send(as(reader.token(), "/files/default/scoped/a.txt").DELETE().build()).statusCode()).isEqualTo(403);
        assertThat(send(as(unrelated.token(), "/files/default/scoped/a.txt").GET().build()).statusCode()).isEqualTo(403);
        assertThat(send(as(writer.token(), "/files/default/scoped/a.txt")
                .PUT(HttpRequest.BodyPublishers.ofString("by writer")).build()).statusCode()).isEqualTo(200);
        assertThat(get("/files/default/scoped/a.txt").body()).isEqualTo("by writer");
        // A disabled endpoint's token opens nothing.
        assertThat(admin("PATCH", "/admin/api/endpoints/writer", "{\"enabled\": false}").statusCode()).isEqualTo(200);
        try {
            assertThat(send(as(writer.token(), "/files/default/scoped/a.txt").GET().build()).statusCode()).isEqualTo(403);
        } finally {
            admin("PATCH", "/admin/api/endpoints/writer", "{\"enabled\": true}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/files/default/../secret.txt", "/files/default/../../secret.txt",
            "/files/default/%2e%2e/secret.txt", "/files/default/%2E%2E/%2E%2E/secret.txt",
            "/files/default/..%2fsecret.txt", "/files/default/..%2F..%2Fsecret.txt", "/files/default/%2fetc%2fpasswd",
            "/files/default/a%00.txt", "/files/default/..%5c..%5csecret.txt", "/files/default/%252e%252e/secret.txt",
            "/files/default//../secret.txt", "/files/default/.caravan-versions", "/files/default/./../secret.txt",
            "/files/default/%c0%ae%c0%ae/secret.txt", "/files/s3/../default/secret.txt", "/files/..%2fdefault/x"})
    void pathsThatTryToLeaveTheWorkspaceAreRefusedAndRevealNothing(String rawPath) throws Exception {
        HttpResponse<String> read = get(rawPath);
        assertThat(read.statusCode()).as(rawPath + " -> " + read.body()).isIn(400, 404);
        assertThat(read.body()).doesNotContain(SECRET).doesNotContain(dataDir.toString()).doesNotContain("root:");
        HttpResponse<String> write = put(rawPath, "escaped");
        assertThat(write.statusCode()).as("PUT " + rawPath + " -> " + write.body()).isIn(400, 404);
        assertThat(write.body()).doesNotContain(dataDir.toString());
        HttpResponse<String> delete = send(admin(rawPath).DELETE().build());
        assertThat(delete.statusCode()).as("DELETE " + rawPath).isIn(400, 404);
        assertThat(Files.readString(dataDir.resolve("secret.txt"))).isEqualTo(SECRET);
        assertThat(Files.readString(dataDir.resolve("workspaces/secret.txt"))).isEqualTo(SECRET);
        try (var all = Files.walk(dataDir)) {
            assertThat(all.filter(Files::isRegularFile).filter(f -> f.toString().contains("escaped")).toList()).isEmpty();
        }
    }

    @Test
    void unknownWorkspacesAndFilesAre404AsJson() {
        HttpResponse<String> noWorkspace = get("/files/nope/a.txt");
        assertThat(noWorkspace.statusCode()).isEqualTo(404);
        assertThat(json(noWorkspace.body()).path("detail").asText()).contains("nope");
        HttpResponse<String> noFile = get("/files/default/missing/a.txt");
        assertThat(noFile.statusCode()).isEqualTo(404);
        assertThat(json(noFile.body()).path("detail").asText()).contains("missing/a.txt").doesNotContain(dataDir.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "s3"})
    void rangesIncludingSuffixOpenAndUnsatisfiableOnes(String ws) {
        String path = "/files/" + ws + "/range/abc.txt";
        assertThat(put(path, ALPHABET).statusCode()).isIn(200, 201);
        HttpResponse<String> first = get(path, "Range", "bytes=0-9");
        assertThat(first.statusCode()).isEqualTo(206);
        assertThat(first.body()).isEqualTo("0123456789");
        assertThat(first.headers().firstValue("Content-Range")).hasValue("bytes 0-9/100");
        assertThat(first.headers().firstValue("Content-Length")).hasValue("10");

        HttpResponse<String> suffix = get(path, "Range", "bytes=-6");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.body()).isEqualTo(ALPHABET.substring(94)).isEqualTo("wxyzAB");
        assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes 94-99/100");
        assertThat(get(path, "Range", "bytes=-500").body()).isEqualTo(ALPHABET);
        assertThat(get(path, "Range", "bytes=98-").body()).isEqualTo("AB");
        HttpResponse<String> cut = get(path, "Range", "bytes=95-1000");
        assertThat(cut.body()).isEqualTo("xyzAB");
        assertThat(cut.headers().firstValue("Content-Range")).hasValue("bytes 95-99/100");

        for (String unsatisfiable : List.of("bytes=100-", "bytes=100-200", "bytes=-0")) {
            HttpResponse<String> r = get(path, "Range", unsatisfiable);
            assertThat(r.statusCode()).as(unsatisfiable).isEqualTo(416);
            assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes */100");
            assertThat(json(r.body()).path("detail").asText()).contains("100 bytes");
        }
        // Malformed or multiple ranges: the whole file, as RFC 9110 allows.
        for (String ignored : List.of("bytes=5-1", "bytes=abc", "items=0-1", "bytes=0-1,5-6")) {
            HttpResponse<String> r = get(path, "Range", ignored);
            assertThat(r.statusCode()).as(ignored).isEqualTo(200);
            assertThat(r.body()).isEqualTo(ALPHABET);
        }
        String etag = get(path).headers().firstValue("ETag").orElseThrow();
        assertThat(get(path, "Range", "bytes=0-0", "If-Range", etag).body()).isEqualTo("0");
        HttpResponse<String> stale = get(path, "Range", "bytes=0-0", "If-Range", "\"stale\"");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo(ALPHABET);
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "s3"})
    void etagsGive304AndHeadHasTheHeadersWithoutABody(String ws) {
        String path = "/files/" + ws + "/etag/a.txt";
        put(path, "version 1");
        HttpResponse<String> full = get(path);
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).startsWith("\"").endsWith("\"");
        assertThat(full.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(full.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        HttpResponse<String> notModified = get(path, "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(get(path, "If-None-Match", "\"other\", " + etag).statusCode()).isEqualTo(304);
        assertThat(get(path, "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        HttpResponse<String> head = send(admin(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("9");
        assertThat(head.headers().firstValue("ETag")).hasValue(etag);
        assertThat(head.body()).isEmpty();
        put(path, "version 2");
        assertThat(get(path, "If-None-Match", etag).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "s3"})
    void ifMatchAndIfNoneMatchStarGuardWritesAndDeletesAndVersionsAreKept(String ws) {
        String path = "/files/" + ws + "/cas/a.txt";
        HttpResponse<String> created = put(path, "one", "If-None-Match", "*");
        assertThat(created.statusCode()).isEqualTo(201);
        String etag1 = created.headers().firstValue("ETag").orElseThrow();
        assertThat(json(created.body()).path("size").asLong()).isEqualTo(3);
        HttpResponse<String> again = put(path, "two", "If-None-Match", "*");
        assertThat(again.statusCode()).isEqualTo(412);
        assertThat(json(again.body()).path("detail").asText()).contains("already exists");

        HttpResponse<String> swapped = put(path, "two", "If-Match", etag1);
        assertThat(swapped.statusCode()).isEqualTo(200);
        String etag2 = swapped.headers().firstValue("ETag").orElseThrow();
        assertThat(etag2).isNotEqualTo(etag1);
        HttpResponse<String> lost = put(path, "three", "If-Match", etag1);
        assertThat(lost.statusCode()).isEqualTo(412);
        assertThat(get(path).body()).isEqualTo("two");
        assertThat(put("/files/" + ws + "/cas/none.txt", "x", "If-Match", "*").statusCode()).isEqualTo(412);
        assertThat(put(path, "x", "If-Match", "*", "If-None-Match", "*").statusCode()).isEqualTo(400);
        assertThat(put(path, "x", "If-None-Match", etag2).statusCode()).isEqualTo(400);

        assertThat(send(admin(path).header("If-Match", etag1).DELETE().build()).statusCode()).isEqualTo(412);
        assertThat(send(admin(path).header("If-Match", etag2).DELETE().build()).statusCode()).isEqualTo(204);
        assertThat(get(path).statusCode()).isEqualTo(404);
        assertThat(send(admin(path).DELETE().build()).statusCode()).isEqualTo(404);
        // "one" (overwritten) and "two" (deleted) are kept.
        assertThat(workspaces.get(ws).storage().versions(WorkspacePath.of("cas/a.txt"))).hasSize(2);
    }

    @Test
    void directoriesAreListedCreatedAndDeletedOnlyWhenEmpty() {
        put("/files/default/dir/b.txt", "bb");
        put("/files/default/dir/a.txt", "a");
        assertThat(put("/files/default/dir/sub/", "").statusCode()).isEqualTo(201);
        HttpResponse<String> listed = get("/files/default/dir");
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode body = json(listed.body());
        assertThat(body.path("path").asText()).isEqualTo("dir");
        assertThat(body.path("entries").findValuesAsText("name")).containsExactly("a.txt", "b.txt", "sub");
        assertThat(body.path("entries").get(1).path("size").asLong()).isEqualTo(2);
        assertThat(body.path("entries").get(2).path("type").asText()).isEqualTo("directory");
        assertThat(json(get("/files/default/").body()).path("entries").findValuesAsText("name")).contains("dir")
                .doesNotContain(".caravan-versions");
        assertThat(send(admin("/files/default/dir").DELETE().build()).statusCode()).isEqualTo(409);
        assertThat(put("/files/default/dir", "not a dir").statusCode()).isEqualTo(409);
        assertThat(put("/files/default/", "root").statusCode()).isEqualTo(400);
        assertThat(send(admin("/files/default/").DELETE().build()).statusCode()).isEqualTo(400);
    }

    @Test
    void filesOverTheWorkspaceLimitAre413WithOrWithoutContentLength() throws Exception {
        HttpResponse<String> known = put("/files/small/big.bin", "x".repeat(2048));
        assertThat(known.statusCode()).isEqualTo(413);
        assertThat(json(known.body()).path("detail").asText()).contains("1 KiB");
        HttpResponse<String> chunked = send(admin("/files/small/big.bin")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> content(4096, 1))).build());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(get("/files/small/big.bin").statusCode()).isEqualTo(404);
        assertThat(put("/files/small/ok.bin", "x".repeat(1024)).statusCode()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "s3"})
    void fiftyMegabytesRoundTripStreamedAndCheckedByDigest(String ws) throws Exception {
        long size = 50L << 20;
        String expected = sha256(content(size, 42));
        String path = "/files/" + ws + "/big/fifty.bin";
        // curl's default content type for --data-binary: the form filter must not read the body.
        HttpResponse<String> put = send(admin(path).header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> content(size, 42)),
                        size)).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(json(put.body()).path("size").asLong()).isEqualTo(size);
        HttpResponse<InputStream> got = HTTP.send(admin(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.headers().firstValueAsLong("Content-Length")).hasValue(size);
        try (InputStream in = got.body()) {
            assertThat(sha256(in)).isEqualTo(expected);
        }
        // A chunked upload (no Content-Length) arrives whole too.
        HttpResponse<String> chunked = send(admin("/files/" + ws + "/big/chunked.bin")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> content(3 << 20, 7))).build());
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(201);
        HttpResponse<InputStream> back = HTTP.send(admin("/files/" + ws + "/big/chunked.bin").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = back.body()) {
            assertThat(sha256(in)).isEqualTo(sha256(content(3 << 20, 7)));
        }
    }

    @Test
    void largeLocalFilesAreSentByTheKernelFromAPinnedVersionRangesIncluded() throws Exception {
        int size = 1 << 20;
        byte[] data = content(size, 11).readAllBytes();
        String path = "/files/default/pinned/large.bin";
        assertThat(send(admin(path).PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build()).statusCode()).isEqualTo(201);
        java.nio.file.Path pins = dataDir.resolve("workspaces/default/" + WorkspacePath.RESERVED_PREFIX + "pins");
        long since = System.currentTimeMillis();

        HttpResponse<byte[]> whole = HTTP.send(admin(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValueAsLong("Content-Length")).hasValue(size);
        assertThat(whole.body()).isEqualTo(data);
        HttpResponse<byte[]> part = HTTP.send(admin(path).header("Range", "bytes=300000-599999").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 300000-599999/" + size);
        assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(data, 300000, 600000));
        // Both went through sendfile: each pinned the version it sent, out of the listing's sight.
        assertThat(pinsMadeSince(pins, since)).isEqualTo(2);
        assertThat(get("/files/default/").body()).doesNotContain(WorkspacePath.RESERVED_PREFIX);

        // The connection stays usable after a sendfile response (keep-alive), and small files are streamed.
        assertThat(put("/files/default/pinned/small.txt", "small").statusCode()).isEqualTo(201);
        assertThat(get("/files/default/pinned/small.txt").body()).isEqualTo("small");
        assertThat(pinsMadeSince(pins, since)).isEqualTo(2);
    }

    /** Pins are named after the millisecond they were made; older ones may expire while a test runs. */
    static long pinsMadeSince(java.nio.file.Path dir, long millis) throws Exception {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> Long.parseLong(name.substring(0, name.indexOf('-'))) >= millis).count();
        }
    }

    @Test
    void namesWithSpacesAndUnicodeRoundTripPercentEncoded() {
        String raw = "/files/default/" + "r%C3%A9sum%C3%A9%20final.txt";
        assertThat(put(raw, "cv").statusCode()).isEqualTo(201);
        assertThat(workspaces.get("default").storage().find(WorkspacePath.of("résumé final.txt"))).isPresent();
        HttpResponse<String> got = get(raw);
        assertThat(got.body()).isEqualTo("cv");
        assertThat(got.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(new String(got.body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo("cv");
    }
}
