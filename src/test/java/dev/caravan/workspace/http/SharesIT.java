package dev.caravan.workspace.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.ToolCalls;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.caravan.support.ToolCalls.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Share links end to end: created with the MCP tools through a published endpoint, used over plain HTTP. */
class SharesIT extends WorkspaceHttpIT {
    static final Pattern LINK = Pattern.compile("(http://\\S+/s/([A-Za-z0-9_-]+))");
    static final Pattern ID = Pattern.compile("Created share (\\S+) ");

    @Autowired
    JdbcTemplate jdbc;
    McpSyncClient client;

    @BeforeAll
    void clientAndFiles() {
        client = initialized(streamableClient(publish("sharing", "workspace")));
        file("default", "docs/report.txt", "quarterly numbers");
        file("default", "shared/a.txt", "inside the shared folder");
        file("default", "shared/sub/b.txt", "deeper");
        file("default", "shared/<b onmouseover=x>.txt", "html name");
        file("default", "shared2/secret.txt", SECRET);
        file("default", "private.txt", SECRET);
        workspaces.get("default").storage().createDirectory(WorkspacePath.of("inbox"));
        file("default", "inbox/taken.txt", "first");
        file("s3", "docs/on-s3.txt", "from the bucket");
    }

    @AfterAll
    void close() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    void file(String ws, String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        workspaces.get(ws).storage().write(WorkspacePath.of(path), new ByteArrayInputStream(bytes),
                WriteOptions.overwrite());
    }

    McpSchema.CallToolResult call(String tool, Object... args) {
        return ToolCalls.call(client, tool, args);
    }


    record Link(String url, String token, String id) {
        String path() {
            return "/s/" + token;
        }
    }

    Link share(Object... args) {
        McpSchema.CallToolResult r = call("share_create", args);
        assertThat(r.isError()).as(text(r)).isFalse();
        Matcher link = LINK.matcher(text(r));
        Matcher id = ID.matcher(text(r));
        assertThat(link.find()).as(text(r)).isTrue();
        assertThat(id.find()).isTrue();
        return new Link(link.group(1), link.group(2), id.group(1));
    }

    HttpResponse<String> get(String rawPath, String... headers) {
        HttpRequest.Builder b = request(rawPath).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    HttpResponse<String> put(String rawPath, String body) {
        return send(request(rawPath).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    static String basic(String password) {
        return "Basic " + Base64.getEncoder().encodeToString(("anyone:" + password).getBytes(StandardCharsets.UTF_8));
    }

    // ---- hostile first

    @Test
    void unknownExpiredRevokedAndUsedUpLinksAre404Or410WithAClearMessage() {
        HttpResponse<String> unknown = get("/s/" + "A".repeat(43));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown.body()).path("detail").asText()).contains("no such share link");
        assertThat(get("/s/short").statusCode()).isEqualTo(404);

        Link expired = share("path", "docs/report.txt", "permission", "download");
        jdbc.update("update workspace_share set expires_at = ? where id = ?",
                java.sql.Timestamp.from(java.time.Instant.now().minusSeconds(1)), expired.id());
        HttpResponse<String> gone = get(expired.path());
        assertThat(gone.statusCode()).isEqualTo(410);
        assertThat(json(gone.body()).path("detail").asText()).contains("expired");
        assertThat(gone.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(gone.body()).path("type").asText()).isEqualTo("https://caravan.dev/problems/gone");
        // the link is a capability: the problem's instance names the path without it
        assertThat(json(gone.body()).path("instance").asText()).isEqualTo("/s/TOKEN")
                .doesNotContain(expired.token());

        Link revoked = share("path", "docs/report.txt", "permission", "download");
        assertThat(get(revoked.path()).statusCode()).isEqualTo(200);
        McpSchema.CallToolResult revoke = call("share_revoke", "shareId", revoked.id());
        assertThat(text(revoke)).contains("Revoked");
        HttpResponse<String> afterRevoke = get(revoked.path());
        assertThat(afterRevoke.statusCode()).isEqualTo(410);
        assertThat(json(afterRevoke.body()).path("detail").asText()).contains("revoked");
        assertThat(call("share_revoke", "shareId", revoked.id()).isError()).isTrue();
        assertThat(call("share_revoke", "workspace", "s3", "shareId", expired.id()).isError()).isTrue();

        Link twice = share("path", "docs/report.txt", "permission", "download", "maxUses", 2);
        assertThat(get(twice.path()).statusCode()).isEqualTo(200);
        String etag = get(twice.path()).headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> usedUp = get(twice.path());
        assertThat(usedUp.statusCode()).isEqualTo(410);
        assertThat(json(usedUp.body()).path("detail").asText()).contains("used as many times");
        assertThat(get(twice.path(), "If-None-Match", etag).statusCode()).isEqualTo(410);

        String list = text(call("share_list"));
        assertThat(list).contains(expired.id() + "  file 'docs/report.txt'  download  expired")
                .contains(revoked.id()).contains("revoked").contains(twice.id()).contains("used up").contains("uses 2/2")
                .contains("by sharing/default");
        assertThat(list).doesNotContain(expired.token()).doesNotContain(revoked.token()).doesNotContain(twice.token());
    }

    @Test
    void passwordsComeAsBasicAuthOrHeaderAndAWrongOneIs401() {
        Link locked = share("path", "docs/report.txt", "permission", "view", "password", "open sesame");
        HttpResponse<String> none = get(locked.path());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(none.body()).doesNotContain("quarterly");
        assertThat(get(locked.path(), "Authorization", basic("open says me")).statusCode()).isEqualTo(401);
        assertThat(get(locked.path(), "X-Share-Password", "OPEN SESAME").statusCode()).isEqualTo(401);
        assertThat(get(locked.path(), "Authorization", "Basic !!!not-base64").statusCode()).isEqualTo(401);
        // A password in the query string is not read (it would end up in logs).
        assertThat(get(locked.path() + "?password=open%20sesame").statusCode()).isEqualTo(401);
        assertThat(get(locked.path(), "Authorization", basic("open sesame")).body()).isEqualTo("quarterly numbers");
        assertThat(get(locked.path(), "X-Share-Password", "open sesame").body()).isEqualTo("quarterly numbers");
    }

    @Test
    void pathsThroughAFolderShareCannotLeaveIt() {
        Link folder = share("path", "shared", "permission", "download");
        for (String escape : new String[]{"/../shared2/secret.txt", "/..%2fshared2%2fsecret.txt", "/%2e%2e/private.txt",
                "/%2E%2E/%2E%2E/secret.txt", "/sub/../../private.txt", "/..%5cprivate.txt", "/a.txt%00.png",
                "/%252e%252e/private.txt", "/.caravan-versions", "//private.txt", "/..", "/%c0%ae%c0%ae/private.txt"}) {
            HttpResponse<String> r = get(folder.path() + escape);
            assertThat(r.statusCode()).as(escape + " -> " + r.body()).isIn(400, 404);
            assertThat(r.body()).as(escape).doesNotContain(SECRET).doesNotContain(dataDir.toString());
        }
        // A file share has nothing inside it.
        Link file = share("path", "shared/a.txt", "permission", "download");
        assertThat(get(file.path() + "/../shared2/secret.txt").statusCode()).isIn(400, 404);
        assertThat(get(file.path() + "/x").statusCode()).isEqualTo(404);
        // The shared name is matched by whole segments: shared2 is not inside shared.
        assertThat(get("/s/" + folder.token() + "2/secret.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void uploadSharesAddFilesButNeverReplaceOrShowAny() throws Exception {
        Link upload = share("path", "inbox", "permission", "upload", "expiresIn", "2h");
        HttpResponse<String> created = put(upload.path() + "/new.txt", "dropped");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(read("default", "inbox/new.txt")).isEqualTo("dropped");
        HttpResponse<String> taken = put(upload.path() + "/taken.txt", "overwrite attempt");
        assertThat(taken.statusCode()).isEqualTo(409);
        assertThat(json(taken.body()).path("detail").asText()).contains("exists already");
        assertThat(read("default", "inbox/taken.txt")).isEqualTo("first");
        assertThat(put(upload.path() + "/..%2f..%2fescaped.txt", "x").statusCode()).isEqualTo(400);
        assertThat(put(upload.path() + "/../escaped.txt", "x").statusCode()).isIn(400, 404);
        assertThat(workspaces.get("default").storage().find(WorkspacePath.of("escaped.txt"))).isEmpty();

        HttpResponse<String> top = get(upload.path());
        assertThat(top.statusCode()).isEqualTo(200);
        assertThat(json(top.body()).path("upload").asBoolean()).isTrue();
        assertThat(top.body()).doesNotContain("taken.txt");
        assertThat(get(upload.path(), "Accept", "text/html").body()).contains("<form method=\"post\"")
                .doesNotContain("taken.txt");
        assertThat(get(upload.path() + "/taken.txt").statusCode()).isEqualTo(403);

        String boundary = "----caravan" + System.nanoTime();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"C:\\\\Users\\\\me\\\\one.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nfirst upload\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored field\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"two.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nsecond\r\n--" + boundary + "--\r\n";
        HttpResponse<String> posted = send(request(upload.path()).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)).build());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        assertThat(json(posted.body()).path("uploaded").findValuesAsText("name")).containsExactly("one.txt", "two.bin");
        assertThat(read("default", "inbox/one.txt")).isEqualTo("first upload");
        assertThat(read("default", "inbox/two.bin")).isEqualTo("second");
        HttpResponse<String> again = send(request(upload.path()).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)).build());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(read("default", "inbox/one.txt")).isEqualTo("first upload");

        // Reading shares take no uploads.
        Link view = share("path", "inbox", "permission", "view");
        assertThat(put(view.path() + "/more.txt", "x").statusCode()).isEqualTo(403);
        assertThat(call("share_create", "path", "docs/report.txt", "permission", "upload").isError()).isTrue();
    }

    @Test
    void aMultipartFileNameWithNulIsRefusedCleanly() {
        Link upload = share("path", "inbox", "permission", "upload", "expiresIn", "2h");
        String boundary = "----caravan" + System.nanoTime();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\u0000.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nnul name\r\n--" + boundary + "--\r\n";
        HttpResponse<String> posted = send(request(upload.path()).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)).build());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(400);
        assertThat(json(posted.body()).path("detail").asText()).contains("NUL").doesNotContain("Exception");
    }

    @Test
    void multipartUploadsStreamPastSpringsMultipartLimits() throws Exception {
        // Spring Boot's default multipart limits are 1 MB per file and 10 MB per request; share uploads stream.
        Link upload = share("path", "inbox", "permission", "upload");
        int size = 12 << 20;
        String boundary = "----caravan-big" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> posted = send(request(upload.path())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(java.util.Collections
                        .enumeration(java.util.List.of(new ByteArrayInputStream(head), content(size, 9),
                                new ByteArrayInputStream(tail)))))).build());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        try (var stored = workspaces.get("default").storage().read(WorkspacePath.of("inbox/big.bin"),
                dev.caravan.workspace.storage.ByteRange.ALL)) {
            assertThat(sha256(stored.stream())).isEqualTo(sha256(content(size, 9)));
        }
    }

    @Test
    void uploadsCountAsUses() {
        Link once = share("path", "inbox", "permission", "upload", "maxUses", 1);
        assertThat(put(once.path() + "/once-a.txt", "a").statusCode()).isEqualTo(201);
        assertThat(put(once.path() + "/once-b.txt", "b").statusCode()).isEqualTo(410);
        assertThat(workspaces.get("default").storage().find(WorkspacePath.of("inbox/once-b.txt"))).isEmpty();
    }

    String read(String ws, String path) throws Exception {
        try (var content = workspaces.get(ws).storage().read(WorkspacePath.of(path),
                dev.caravan.workspace.storage.ByteRange.ALL)) {
            return new String(content.stream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void fileSharesServeRangesEtagsAndTheRightDisposition() {
        Link view = share("path", "docs/report.txt", "permission", "view");
        assertThat(view.url()).startsWith(baseUrl() + "/s/");
        HttpResponse<String> shown = get(view.path());
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(shown.body()).isEqualTo("quarterly numbers");
        assertThat(shown.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).startsWith("inline"));
        // Plain text is shown as is (nosniff); anything a browser could run as a page is sandboxed.
        assertThat(shown.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        file("default", "docs/page.html", "<script>alert(1)</script>");
        file("default", "docs/drawing.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
        for (String active : new String[]{"docs/page.html", "docs/drawing.svg"}) {
            HttpResponse<String> r = get(share("path", active, "permission", "view").path());
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(active).hasValue("sandbox");
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
        Link download = share("path", "docs/report.txt", "permission", "download");
        HttpResponse<String> downloaded = get(download.path());
        assertThat(downloaded.headers().firstValue("Content-Disposition")).hasValueSatisfying(v ->
                assertThat(v).startsWith("attachment").contains("report.txt"));
        HttpResponse<String> part = get(download.path(), "Range", "bytes=-7");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo("numbers");
        assertThat(get(download.path(), "Range", "bytes=500-").statusCode()).isEqualTo(416);
        String etag = downloaded.headers().firstValue("ETag").orElseThrow();
        assertThat(get(download.path(), "If-None-Match", etag).statusCode()).isEqualTo(304);
        HttpResponse<String> head = send(request(download.path()).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.headers().firstValue("Content-Length")).hasValue("17");

        Link s3 = share("workspace", "s3", "path", "docs/on-s3.txt", "permission", "download");
        assertThat(get(s3.path()).body()).isEqualTo("from the bucket");
        // The shared file deleted: the link finds nothing.
        file("default", "docs/temp.txt", "short-lived");
        Link temp = share("path", "docs/temp.txt", "permission", "download");
        workspaces.get("default").storage().delete(WorkspacePath.of("docs/temp.txt"),
                dev.caravan.workspace.storage.Precondition.none());
        assertThat(get(temp.path()).statusCode()).isEqualTo(404);
        // A directory in its place is not listed through a file share.
        workspaces.get("default").storage().createDirectory(WorkspacePath.of("docs/temp.txt"));
        assertThat(get(temp.path()).statusCode()).isEqualTo(404);
    }

    @Test
    void viewSharesShowTextAndDownloadsNameTheFileInPlainAscii() {
        file("default", "docs/notes.md", "# Notes");
        file("default", "docs/config.yaml", "a: 1");
        for (String text : new String[]{"docs/notes.md", "docs/config.yaml", "docs/report.txt"}) {
            HttpResponse<String> r = get(share("path", text, "permission", "view").path());
            assertThat(r.headers().firstValue("Content-Type")).as(text).hasValueSatisfying(v ->
                    assertThat(v.toLowerCase().replace(" ", "")).isEqualTo("text/plain;charset=utf-8"));
            assertThat(r.headers().firstValue("Content-Disposition")).as(text).hasValueSatisfying(v -> assertThat(v).startsWith("inline"));
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(text).hasValue("sandbox");
        }
        // A download keeps the file's own type.
        HttpResponse<String> md = get(share("path", "docs/notes.md", "permission", "download").path());
        assertThat(md.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/markdown"));

        // What curl -OJ saves: the plain filename parameter, which must be the name itself, not an RFC 2047 word.
        assertThat(get(share("path", "docs/report.txt", "permission", "download").path()).headers()
                .firstValue("Content-Disposition")).hasValue("attachment; filename=\"report.txt\"");
        file("default", "docs/Bericht Q3 übersicht.txt", "zahlen");
        assertThat(get(share("path", "docs/Bericht Q3 übersicht.txt", "permission", "download").path()).headers()
                .firstValue("Content-Disposition")).hasValue("attachment; filename=\"Bericht Q3 _bersicht.txt\"; "
                        + "filename*=UTF-8''Bericht%20Q3%20%C3%BCbersicht.txt");
    }

    @Test
    void folderSharesListAsJsonOrEscapedHtmlAndServeFilesInside() {
        Link folder = share("path", "shared", "permission", "view");
        HttpResponse<String> listed = get(folder.path());
        assertThat(listed.statusCode()).isEqualTo(200);
        JsonNode body = json(listed.body());
        assertThat(body.path("entries").findValuesAsText("name")).containsExactly("<b onmouseover=x>.txt", "a.txt", "sub");
        assertThat(body.toString()).doesNotContain("shared2");
        HttpResponse<String> html = get(folder.path() + "/", "Accept", "text/html");
        assertThat(html.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(html.body()).contains("&lt;b onmouseover=x&gt;.txt").doesNotContain("<b onmouseover")
                .contains("href=\"/s/" + folder.token() + "/sub/\"");
        assertThat(json(get(folder.path() + "/sub").body()).path("entries").findValuesAsText("name")).containsExactly("b.txt");
        assertThat(get(folder.path() + "/sub/b.txt").body()).isEqualTo("deeper");
        assertThat(get(folder.path() + "/%3Cb%20onmouseover=x%3E.txt").body()).isEqualTo("html name");
        assertThat(get(folder.path() + "/sub%2Fb.txt").statusCode()).isEqualTo(400);
        assertThat(get(folder.path() + "/missing.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void creationFailuresAreToolErrorsThatSayWhatToDo() {
        assertThat(text(call("share_create", "path", "nope.txt", "permission", "view"))).contains("does not exist");
        assertThat(text(call("share_create", "path", "../x", "permission", "view"))).contains("..");
        assertThat(text(call("share_create", "path", "docs/report.txt", "permission", "view", "expiresIn", "90d")))
                .contains("at most 30 days");
        McpSchema.CallToolResult created = call("share_create", "path", "docs/report.txt", "permission", "view",
                "password", "hunter22", "maxUses", 3, "expiresIn", "1h");
        assertThat(text(created)).contains("password protected").contains("at most 3 uses").contains("shown only now");
        assertThat(text(created)).doesNotContain("hunter22");
    }
}
