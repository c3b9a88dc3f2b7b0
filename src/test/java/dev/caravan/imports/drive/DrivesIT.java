package dev.caravan.imports.drive;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.support.ToolCalls;
import io.modelcontextprotocol.client.McpSyncClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The four drives end to end: the shipped tools (routes/workspace/imports.yaml) called with the SDK client, each
 * drive's API a WireMock stub shaped like its documentation (paths, query parameters, headers such as
 * {@code Dropbox-API-Arg} and {@code BoxApi}, JSON field names, error bodies, 302 hops to a download host). The
 * connection is made the real way: drive_connect, then the callback with a code the stub token endpoint exchanges
 * (PKCE verifier checked). Every test has its own endpoint, so its own principal and connections. The stubs run on
 * 127.0.0.1, reachable only through the allow-list; the download host is a second server (another origin).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class DrivesIT extends CaravanIntegrationTest {
    static final WireMockServer API = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    static final WireMockServer CDN = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    static final AtomicInteger ENDPOINTS = new AtomicInteger();
    static final String GOOGLE_API_KEY = "AIzaSy-operator-key";
    final List<McpSyncClient> clients = new ArrayList<>();

    @Autowired
    JdbcTemplate jdbc;

    static {
        API.start();
        CDN.start();
    }

    @DynamicPropertySource
    static void drives(DynamicPropertyRegistry r) {
        String api = "http://127.0.0.1:" + API.port();
        r.add("caravan.import.allowed-hosts", () -> "127.0.0.1");
        r.add("caravan.import.poll-interval", () -> "200ms");
        r.add("caravan.import.folder-max-files", () -> "3");
        for (String p : List.of("gdrive", "onedrive", "dropbox", "box")) {
            r.add("caravan.import.drives." + p + ".client-id", () -> p + "-client");
            r.add("caravan.import.drives." + p + ".client-secret", () -> p + "-secret");
            r.add("caravan.import.drives." + p + ".authorize-url", () -> api + "/" + p + "/authorize");
            r.add("caravan.import.drives." + p + ".token-url", () -> api + "/" + p + "/token");
            r.add("caravan.import.drives." + p + ".api-url", () -> api + "/" + p + "/api");
        }
        r.add("caravan.import.drives.dropbox.content-url", () -> api + "/dropbox/content");
        r.add("caravan.import.drives.gdrive.api-key", () -> GOOGLE_API_KEY);
        r.add("caravan.import.folder-max-depth", () -> "2");
        try {
            Path connectors = Files.createTempDirectory("caravan-drives-connectors");
            Files.writeString(connectors.resolve("workspaces.yaml"), """
                    workspaces:
                      - name: default
                        backend: local
                      - name: small
                        backend: local
                        max-file-size: 1KB
                    """);
            r.add("caravan.connectors-dir", connectors::toString);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @BeforeAll
    void routes() {
        installRoutes("workspace");
    }

    @AfterEach
    void reset() {
        API.resetAll();
        CDN.resetAll();
    }

    @AfterAll
    void stop() {
        clients.forEach(McpSyncClient::closeGracefully);
        API.stop();
        CDN.stop();
    }

    /** A client on an endpoint of its own: a principal with no drive connected yet. */
    McpSyncClient principal() {
        return client(publish("drives" + ENDPOINTS.incrementAndGet(), "workspace"));
    }

    McpSyncClient client(Published endpoint) {
        McpSyncClient c = initialized(streamableClient(endpoint));
        clients.add(c);
        return c;
    }

    /** drive_connect, then the browser's return to the callback; the stub token endpoint answers the code. */
    void connect(McpSyncClient client, String provider, String access, String refresh) throws Exception {
        JsonNode started = json(ToolCalls.ok(client, "drive_connect", "provider", provider));
        URI url = URI.create(started.path("authorizationUrl").asText());
        Map<String, String> q = query(url);
        assertThat(url.getPath()).isEqualTo("/" + provider + "/authorize");
        assertThat(q).containsEntry("client_id", provider + "-client").containsEntry("code_challenge_method", "S256")
                .containsKey("code_challenge").containsEntry("redirect_uri", baseUrl() + "/oauth/drives/callback");
        String code = "code-" + access;
        API.stubFor(post(urlPathEqualTo("/" + provider + "/token"))
                .withRequestBody(containing("grant_type=authorization_code"))
                .withRequestBody(containing("code=" + code)).withRequestBody(containing("code_verifier="))
                .willReturn(okJson(token(access, refresh, 3600))));
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/oauth/drives/callback?state="
                + q.get("state") + "&code=" + code)).GET().build());
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body()).doesNotContain(code).doesNotContain(access);
        assertThat(json(ToolCalls.ok(client, "drive_connections")).path("connections").path(provider).asBoolean())
                .isTrue();
    }

    static String token(String access, String refresh, int expiresIn) {
        return "{\"access_token\":\"" + access + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn
                + (refresh == null ? "" : ",\"refresh_token\":\"" + refresh + "\"") + "}";
    }

    static Map<String, String> query(URI url) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** import_url waiting for the end: the finished job (the call must succeed). */
    JsonNode imported(McpSyncClient client, Object... args) {
        return json(ToolCalls.ok(client, "import_url", waiting(args)));
    }

    /** import_url waiting for the end: the tool error's text (the call must fail). */
    String failed(McpSyncClient client, Object... args) {
        return ToolCalls.error(client, "import_url", waiting(args));
    }

    private static Object[] waiting(Object... args) {
        Object[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "wait";
        all[args.length + 1] = 30;
        return all;
    }

    Path file(String path) {
        return dataDir.resolve("workspaces/default").resolve(path);
    }

    /** An API's JSON error answer, as each provider documents its error bodies. */
    static ResponseDefinitionBuilder apiError(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** A file body as a download endpoint sends it. */
    static ResponseDefinitionBuilder bytes(String contentType, String body) {
        return aResponse().withHeader("Content-Type", contentType).withBody(body);
    }

    static String dropboxError(String tag) {
        return "{\"error_summary\":\"" + tag + "/..\",\"error\":{\".tag\":\"" + tag + "\"}}";
    }

    static String boxError(int status, String code, String message) {
        return "{\"type\":\"error\",\"status\":" + status + ",\"code\":\"" + code + "\",\"message\":\""
                + message + "\"}";
    }

    static MappingBuilder bearer(MappingBuilder b, String token) {
        return b.withHeader("Authorization", equalTo("Bearer " + token));
    }

    static String googleError(int code, String reason, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"errors\":[{\"domain\":\"usageLimits\","
                + "\"reason\":\"" + reason + "\",\"message\":\"" + message + "\"}]}}";
    }

    /** Drive's files.list of one folder's children, as the folder walk asks for it. */
    static MappingBuilder googleChildren(String folderId) {
        return get(urlPathEqualTo("/gdrive/api/files")).withQueryParam("q", equalTo("'" + folderId
                + "' in parents and trashed = false")).withQueryParam("supportsAllDrives", equalTo("true"));
    }

    void googleFile(String id, String token, String name, String mime, long size) {
        API.stubFor(bearer(get(urlPathEqualTo("/gdrive/api/files/" + id)), token)
                .withQueryParam("supportsAllDrives", equalTo("true")).withQueryParam("alt", absent())
                .willReturn(okJson("{\"kind\":\"drive#file\",\"id\":\"" + id + "\",\"name\":\"" + name
                        + "\",\"mimeType\":\"" + mime + "\"" + (size < 0 ? "" : ",\"size\":\"" + size + "\"") + "}")));
    }

    // ---- hostile cases first

    @Test
    void boxAndOneDriveWithoutAConnectionEndAuthRequiredWithTheUrlThatConnectsIt() {
        McpSyncClient c = principal();
        String box = failed(c, "url", "https://app.box.com/s/n0c0nnecti0n");
        assertThat(box).contains("auth_required").contains("http://127.0.0.1:" + API.port() + "/box/authorize?")
                .contains("code_challenge=").contains("drive_connect");
        String onedrive = failed(c, "url", "https://1drv.ms/t/s!N0Connection");
        assertThat(onedrive).contains("auth_required").contains("/onedrive/authorize?");
        assertThat(API.findAll(getRequestedFor(urlPathMatching("/(box|onedrive)/api/.*")))).isEmpty();
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndTheRequestRetried() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-old", "g-refresh");
        API.stubFor(bearer(get(urlPathEqualTo("/gdrive/api/files/1ExpiredToken01")), "g-old")
                .willReturn(apiError(401, googleError(401, "authError", "Invalid Credentials"))));
        API.stubFor(post(urlPathEqualTo("/gdrive/token")).withRequestBody(containing("grant_type=refresh_token"))
                .withRequestBody(containing("refresh_token=g-refresh")).willReturn(okJson(token("g-new", null, 3600))));
        googleFile("1ExpiredToken01", "g-new", "report.pdf", "application/pdf", 9);
        API.stubFor(bearer(get(urlPathEqualTo("/gdrive/api/files/1ExpiredToken01")), "g-new")
                .withQueryParam("alt", equalTo("media")).withQueryParam("supportsAllDrives", equalTo("true"))
                .willReturn(bytes("application/pdf", "%PDF-1.7\n")));
        JsonNode job = imported(c, "url", "https://drive.google.com/file/d/1ExpiredToken01/view", "path", "g/");
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(job.path("file").path("path").asText()).isEqualTo("g/report.pdf");
        assertThat(Files.readString(file("g/report.pdf"))).isEqualTo("%PDF-1.7\n");
        API.verify(1, postRequestedFor(urlPathEqualTo("/gdrive/token")).withRequestBody(containing("grant_type=refresh_token")));
    }

    @Test
    void aRevokedGrantEndsAuthRequiredAndForgetsTheConnection() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-revoked", "g-dead-refresh");
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1RevokedGrant01")).willReturn(apiError(401, googleError(401, "authError", "Invalid Credentials"))));
        API.stubFor(post(urlPathEqualTo("/gdrive/token")).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(apiError(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}")));
        String message = failed(c, "url", "https://drive.google.com/open?id=1RevokedGrant01");
        assertThat(message).contains("auth_required").contains("/gdrive/authorize?").doesNotContain("g-revoked")
                .doesNotContain("g-dead-refresh");
        assertThat(json(ToolCalls.ok(c, "drive_connections")).path("connections").path("gdrive").asBoolean()).isFalse();
    }

    @Test
    void aTokenExpiringMidDownloadIsRefreshedAndTheRetryKeepsTheApiArgHeader() throws Exception {
        McpSyncClient c = principal();
        connect(c, "dropbox", "d-old", "d-old-r");
        String link = "https://www.dropbox.com/s/exp1red/report.csv?dl=0";
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata"))
                .willReturn(okJson("{\".tag\":\"file\",\"name\":\"report.csv\",\"id\":\"id:r\",\"size\":4}")));
        API.stubFor(bearer(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file")), "d-old")
                .willReturn(apiError(401, "{\"error_summary\":\"expired_access_token/.\",\"error\":{\".tag\":\"expired_access_token\"}}")));
        API.stubFor(post(urlPathEqualTo("/dropbox/token")).withRequestBody(containing("refresh_token=d-old-r"))
                .willReturn(okJson(token("d-new", null, 14400))));
        API.stubFor(bearer(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file")), "d-new")
                .withHeader("Dropbox-API-Arg", equalToJson("{\"url\":\"" + link + "\"}"))
                .willReturn(bytes("text/csv", "a,b\n")));
        JsonNode job = imported(c, "url", link, "path", "exp/");
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(Files.readString(file("exp/report.csv"))).isEqualTo("a,b\n");
    }

    @Test
    void a429StormBacksOffThenEndsRateLimited() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-storm", "g-storm-r");
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1StormStorm001")).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "0").withHeader("Content-Type", "application/json")
                .withBody(googleError(429, "rateLimitExceeded", "Rate Limit Exceeded"))));
        String message = failed(c, "url", "https://drive.google.com/uc?id=1StormStorm001&export=download");
        assertThat(message).contains("rate_limited");
        // the first try and five retries, each after the server's Retry-After
        API.verify(6, getRequestedFor(urlPathEqualTo("/gdrive/api/files/1StormStorm001")));
    }

    @Test
    void googles403RateLimitExceededIsBackedOffAndRetried() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-403", "g-403-r");
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1Limited403xx")).inScenario("limit")
                .whenScenarioStateIs("Started").willSetStateTo("open").willReturn(apiError(403, googleError(403, "userRateLimitExceeded", "User Rate Limit Exceeded"))));
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1Limited403xx")).inScenario("limit")
                .whenScenarioStateIs("open").withQueryParam("alt", absent())
                .willReturn(okJson("{\"id\":\"1Limited403xx\",\"name\":\"a.txt\",\"mimeType\":\"text/plain\",\"size\":\"2\"}")));
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1Limited403xx")).withQueryParam("alt", equalTo("media"))
                .willReturn(bytes("text/plain", "ok")));
        JsonNode job = imported(c, "url", "https://drive.google.com/file/d/1Limited403xx", "path", "limited/");
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(Files.readString(file("limited/a.txt"))).isEqualTo("ok");
    }

    @Test
    void drivesVirusScanInterstitialIsNotStoredAsTheFile() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-html", "g-html-r");
        googleFile("1Interstitial1", "g-html", "setup.zip", "application/zip", 120_000_000);
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1Interstitial1")).withQueryParam("alt", equalTo("media"))
                .willReturn(aResponse().withHeader("Content-Type", "text/html; charset=utf-8")
                        .withBody("<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning</title></head>"
                                + "<body><form id=\"download-form\" action=\"https://drive.usercontent.google.com/download\">"
                                + "Google Drive can't scan this file for viruses.</form></body></html>")));
        String message = failed(c, "url", "https://drive.google.com/file/d/1Interstitial1/view", "path", "scan/");
        assertThat(message).contains("html_interstitial");
        assertThat(file("scan/setup.zip")).doesNotExist();
    }

    @Test
    void aFileOverTheCapIsRefusedFromItsMetadataBeforeAnyByteIsFetched() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-big", "g-big-r");
        googleFile("1HugeFileHuge1", "g-big", "huge.iso", "application/octet-stream", 10L << 40);
        String message = failed(c, "url", "https://drive.google.com/file/d/1HugeFileHuge1/view");
        assertThat(message).contains("too_large");
        API.verify(0, getRequestedFor(urlPathEqualTo("/gdrive/api/files/1HugeFileHuge1")).withQueryParam("alt", equalTo("media")));
    }

    @Test
    void aDownloadUrlRedirectingToAPrivateAddressIsBlocked() throws Exception {
        McpSyncClient c = principal();
        connect(c, "onedrive", "m-ssrf", "m-ssrf-r");
        String link = "https://contoso-my.sharepoint.com/:u:/g/personal/meg/EbJ2m4aBcD?e=4dR1";
        String share = OneDriveSource.shareId(link);
        API.stubFor(get(urlPathEqualTo("/onedrive/api/shares/" + share + "/driveItem"))
                .willReturn(okJson("{\"id\":\"01ABC\",\"name\":\"notes.txt\",\"size\":5,\"file\":{\"mimeType\":\"text/plain\"},"
                        + "\"parentReference\":{\"driveId\":\"b!xyz\"}}")));
        API.stubFor(get(urlPathEqualTo("/onedrive/api/shares/" + share + "/driveItem/content"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "http://169.254.169.254/latest/meta-data/")));
        String message = failed(c, "url", link);
        assertThat(message).contains("blocked_address");
    }

    @Test
    void aSharedFolderWithMoreFilesThanTheCapIsRefusedBeforeAnyDownload() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-many", "g-many-r");
        googleFile("1ManyFilesDir1", "g-many", "Many", "application/vnd.google-apps.folder", -1);
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            files.append(i == 0 ? "" : ",").append("{\"id\":\"1Child0000000").append(i).append("\",\"name\":\"f")
                    .append(i).append(".txt\",\"mimeType\":\"text/plain\",\"size\":\"1\"}");
        }
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files")).withQueryParam("q", equalTo("'1ManyFilesDir1' in parents and trashed = false"))
                .willReturn(okJson("{\"files\":[" + files + "]}")));
        String message = failed(c, "url", "https://drive.google.com/drive/folders/1ManyFilesDir1", "path", "many/");
        assertThat(message).contains("too_large").contains("more than 3 files").contains("folder-max-files");
        API.verify(0, getRequestedFor(urlPathMatching("/gdrive/api/files/1Child.*")));
        assertThat(file("many")).doesNotExist();
    }

    @Test
    void aFolderImportSanitisesHostileNamesAndReportsPerFile() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-dir", "g-dir-r");
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1SharedFolder1")).withHeader("X-Goog-Drive-Resource-Keys",
                equalTo("1SharedFolder1/0-abcKEY")).willReturn(okJson("{\"id\":\"1SharedFolder1\",\"name\":\"../Team\","
                + "\"mimeType\":\"application/vnd.google-apps.folder\"}")));
        API.stubFor(googleChildren("1SharedFolder1").withQueryParam("includeItemsFromAllDrives", equalTo("true"))
                .withHeader("X-Goog-Drive-Resource-Keys", equalTo("1SharedFolder1/0-abcKEY"))
                .willReturn(okJson("{\"files\":["
                        + "{\"id\":\"1DocDocDoc0001\",\"name\":\"Plan\",\"mimeType\":\"application/vnd.google-apps.document\"},"
                        + "{\"id\":\"1EvilEvilEvil1\",\"name\":\"../../etc/\\u0001passwd\",\"mimeType\":\"text/plain\",\"size\":\"4\"},"
                        + "{\"id\":\"1SubFolder0001\",\"name\":\"s/ub\",\"mimeType\":\"application/vnd.google-apps.folder\"}]}")));
        API.stubFor(googleChildren("1SubFolder0001").willReturn(okJson("{\"files\":[{\"id\":\"1DeepFile00001\","
                + "\"name\":\"deep.txt\",\"mimeType\":\"text/plain\",\"size\":\"4\"}]}")));
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1DeepFile00001")).withQueryParam("alt", equalTo("media"))
                .willReturn(bytes("text/plain", "deep")));
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1DocDocDoc0001/export")).withQueryParam("mimeType",
                equalTo("application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
                .willReturn(aResponse().withHeader("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
                        .withBody("PK\u0003\u0004docx")));
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1EvilEvilEvil1")).withQueryParam("alt", equalTo("media"))
                .willReturn(bytes("text/plain", "root")));
        JsonNode job = imported(c, "url", "https://drive.google.com/drive/folders/1SharedFolder1?resourcekey=0-abcKEY",
                "path", "shared/");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(job.path("folder").asText()).isEqualTo("shared/_Team/");
        assertThat(Files.readString(file("shared/_Team/Plan.docx"))).startsWith("PK");
        assertThat(Files.readString(file("shared/_Team/_.._etc__passwd"))).isEqualTo("root");
        List<String> states = new ArrayList<>();
        job.path("files").forEach(f -> states.add(f.path("name").asText() + "=" + f.path("state").asText()));
        assertThat(states).contains("Plan.docx=done", "../../etc/\u0001passwd=done", "s/ub/deep.txt=done");
        assertThat(Files.readString(file("shared/_Team/s_ub/deep.txt"))).isEqualTo("deep"); // one segment per folder
        assertThat(dataDir.resolve("workspaces/etc")).doesNotExist();
    }

    @Test
    void aGoogleDocOverTheExportLimitEndsExportTooLarge() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-exp", "g-exp-r");
        googleFile("1BigSheetSheet", "g-exp", "Budget", "application/vnd.google-apps.spreadsheet", -1);
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1BigSheetSheet/export")).willReturn(apiError(403, "{\"error\":{\"code\":403,\"message\":\"This file is "
                        + "too large to be exported.\",\"errors\":[{\"domain\":\"global\",\"reason\":\"exportSizeLimitExceeded\","
                        + "\"message\":\"This file is too large to be exported.\"}]}}")));
        String message = failed(c, "url", "https://docs.google.com/spreadsheets/d/1BigSheetSheet/edit#gid=0");
        assertThat(message).contains("export_too_large");
    }

    // ---- each provider's happy path, shaped like its documentation

    @Test
    void oneDriveContentRedirectReachesTheDownloadHostWithoutTheToken() throws Exception {
        McpSyncClient c = principal();
        connect(c, "onedrive", "m-token", "m-refresh");
        String link = "https://1drv.ms/t/s!AkLm3nOpQrStUvWx";
        String share = OneDriveSource.shareId(link);
        API.stubFor(bearer(get(urlPathEqualTo("/onedrive/api/shares/" + share + "/driveItem")), "m-token")
                .withHeader("Prefer", equalTo("redeemSharingLinkIfNecessary"))
                .willReturn(okJson("{\"id\":\"01BYE5RZ\",\"name\":\"minutes.txt\",\"size\":7,\"file\":{\"mimeType\":\"text/plain\"},"
                        + "\"parentReference\":{\"driveId\":\"b!abc\"}}")));
        API.stubFor(bearer(get(urlPathEqualTo("/onedrive/api/shares/" + share + "/driveItem/content")), "m-token")
                .willReturn(aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:" + CDN.port()
                        + "/personal/meg/_layouts/15/download.aspx?UniqueId=1&tempauth=v1.eyJhbGci")));
        CDN.stubFor(get(urlPathEqualTo("/personal/meg/_layouts/15/download.aspx"))
                .willReturn(bytes("text/plain", "minutes")));
        JsonNode job = imported(c, "url", link, "path", "od/");
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(Files.readString(file("od/minutes.txt"))).isEqualTo("minutes");
        List<LoggedRequest> hops = CDN.findAll(getRequestedFor(urlPathEqualTo("/personal/meg/_layouts/15/download.aspx")));
        assertThat(hops).hasSize(1);
        assertThat(hops.get(0).containsHeader("Authorization")).isFalse();
    }

    @Test
    void dropboxSharedLinkUsesTheApiArgHeaderAndMaps409Errors() throws Exception {
        McpSyncClient c = principal();
        connect(c, "dropbox", "d-token", "d-refresh");
        String link = "https://www.dropbox.com/scl/fi/abc123/notes.md?rlkey=k3y&dl=0";
        API.stubFor(bearer(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata")), "d-token")
                .withHeader("Content-Type", containing("application/json")).withRequestBody(equalToJson("{\"url\":\"" + link + "\"}"))
                .willReturn(okJson("{\".tag\":\"file\",\"url\":\"" + link + "\",\"id\":\"id:a4ayc_80_OEAAAAAAAAAXw\","
                        + "\"name\":\"..\\\\notes\\u0007.md\",\"size\":5,\"path_lower\":\"/notes.md\"}")));
        API.stubFor(bearer(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file")), "d-token")
                .withHeader("Dropbox-API-Arg", equalToJson("{\"url\":\"" + link + "\"}"))
                .willReturn(aResponse().withHeader("Content-Type", "application/octet-stream")
                        .withHeader("Dropbox-API-Result", "{\"name\":\"notes.md\",\"size\":5}").withBody("# hi\n")));
        JsonNode job = imported(c, "url", link, "path", "db/");
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(job.path("file").path("path").asText()).isEqualTo("db/_notes_.md");
        assertThat(Files.readString(file("db/_notes_.md"))).isEqualTo("# hi\n");

        String gone = "https://www.dropbox.com/s/gone000/x.pdf?dl=0";
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata")).withRequestBody(containing("gone000"))
                .willReturn(apiError(409, dropboxError("shared_link_not_found"))));
        assertThat(failed(c, "url", gone)).contains("not_found");
        String denied = "https://www.dropbox.com/s/denied0/x.pdf?dl=0";
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata")).withRequestBody(containing("denied0"))
                .willReturn(apiError(409, dropboxError("shared_link_access_denied"))));
        assertThat(failed(c, "url", denied)).contains("password_required").contains("shared_link_access_denied");
    }

    @Test
    void boxSharedLinkWaitsOutRetryAfterAndFollowsTheDownloadRedirectWithoutTheToken() throws Exception {
        McpSyncClient c = principal();
        connect(c, "box", "b-token", "b-refresh");
        String link = "https://app.box.com/s/p7ul4ch2qnlq8i6ahaxq0p6lhpk5wmqw";
        API.stubFor(bearer(get(urlPathEqualTo("/box/api/shared_items")), "b-token")
                .withHeader("BoxApi", equalTo("shared_link=" + link))
                .willReturn(okJson("{\"type\":\"file\",\"id\":\"12345\",\"name\":\"Contract.pdf\",\"size\":9,\"etag\":\"1\"}")));
        API.stubFor(get(urlPathEqualTo("/box/api/files/12345/content")).inScenario("ready").whenScenarioStateIs("Started")
                .willSetStateTo("ready").willReturn(aResponse().withStatus(202).withHeader("Retry-After", "0")));
        API.stubFor(bearer(get(urlPathEqualTo("/box/api/files/12345/content")), "b-token").inScenario("ready")
                .whenScenarioStateIs("ready").withHeader("BoxApi", equalTo("shared_link=" + link))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:" + CDN.port()
                        + "/d/1/b1!long-random-string/download")));
        CDN.stubFor(get(urlPathEqualTo("/d/1/b1!long-random-string/download"))
                .willReturn(bytes("application/pdf", "%PDF-1.4\n")));
        JsonNode job = imported(c, "url", link, "path", "box/");
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(Files.readString(file("box/Contract.pdf"))).isEqualTo("%PDF-1.4\n");
        assertThat(CDN.findAll(getRequestedFor(urlPathMatching("/d/1/.*"))).get(0).containsHeader("Authorization")).isFalse();
        API.verify(2, getRequestedFor(urlPathEqualTo("/box/api/files/12345/content")));
    }

    @Test
    void boxsRotatingRefreshTokenIsSavedAndTheNextRefreshUsesIt() throws Exception {
        McpSyncClient c = principal();
        connect(c, "box", "b-rot-1", "b-rot-r1");
        API.stubFor(post(urlPathEqualTo("/box/token")).withRequestBody(containing("refresh_token=b-rot-r1"))
                .willReturn(okJson(token("b-rot-2", "b-rot-r2", 3600))));
        API.stubFor(post(urlPathEqualTo("/box/token")).withRequestBody(containing("refresh_token=b-rot-r2"))
                .willReturn(okJson(token("b-rot-3", "b-rot-r3", 3600))));
        boxFileRefusing("777", "b-rot-1", "b-rot-2");
        assertThat(imported(c, "url", "777", "provider", "box", "path", "rot/").path("state").asText()).isEqualTo("done");
        boxFileRefusing("778", "b-rot-2", "b-rot-3");
        assertThat(imported(c, "url", "778", "provider", "box", "path", "rot/").path("state").asText()).isEqualTo("done");
        API.verify(1, postRequestedFor(urlPathEqualTo("/box/token")).withRequestBody(containing("refresh_token=b-rot-r1")));
        API.verify(1, postRequestedFor(urlPathEqualTo("/box/token")).withRequestBody(containing("refresh_token=b-rot-r2")));
        assertThat(Files.readString(file("rot/r778.txt"))).isEqualTo("ok");
    }

    /** Box's file {id}: 401 for the {@code refused} token, the file for the {@code accepted} one. */
    static void boxFileRefusing(String id, String refused, String accepted) {
        API.stubFor(bearer(get(urlPathMatching("/box/api/files/" + id + "(/content)?")), refused)
                .willReturn(apiError(401, boxError(401, "unauthorized", "Unauthorized"))));
        API.stubFor(bearer(get(urlPathEqualTo("/box/api/files/" + id)), accepted).withQueryParam("fields", containing("name"))
                .willReturn(okJson("{\"type\":\"file\",\"id\":\"" + id + "\",\"name\":\"r" + id + ".txt\",\"size\":2}")));
        API.stubFor(bearer(get(urlPathEqualTo("/box/api/files/" + id + "/content")), accepted)
                .willReturn(bytes("text/plain", "ok")));
    }

    @Test
    void tokensAreSealedAtRestAndTheAdminApiSeesConnections() throws Exception {
        McpSyncClient c = principal();
        connect(c, "dropbox", "d-secret-access", "d-secret-refresh");
        HttpResponse<String> none = admin("GET", "/admin/api/drives", null);
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(json(none.body()).path("connections").path("dropbox").asBoolean()).isFalse(); // admin's, not c's
        List<String> sealed = jdbc.queryForList("select sealed from upstream_token where upstream like 'drive:dropbox:%'",
                String.class);
        assertThat(sealed).isNotEmpty().allSatisfy(v -> assertThat(v).doesNotContain("d-secret-access")
                .doesNotContain("d-secret-refresh"));
        HttpResponse<String> refused = admin("POST", "/admin/api/drives/nosuch/connect", "");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("Unknown drive");
    }

    // ---- shared folders of the other drives

    @Test
    void aDropboxFolderLinkIsListedAndEachFileFetchedByItsPathInTheLink() throws Exception {
        McpSyncClient c = principal();
        connect(c, "dropbox", "d-dir", "d-dir-r");
        String link = "https://www.dropbox.com/scl/fo/f0ld3r/AAB?rlkey=xyz&dl=0";
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata"))
                .willReturn(okJson("{\".tag\":\"folder\",\"url\":\"" + link + "\",\"id\":\"id:f\",\"name\":\"Photos\"}")));
        API.stubFor(bearer(post(urlPathEqualTo("/dropbox/api/files/list_folder")), "d-dir")
                .withRequestBody(equalToJson("{\"path\":\"\",\"shared_link\":{\"url\":\"" + link + "\"}}"))
                .willReturn(okJson("{\"entries\":[{\".tag\":\"file\",\"name\":\"a.jpg\",\"id\":\"id:a\",\"size\":3},"
                        + "{\".tag\":\"folder\",\"name\":\"old\",\"id\":\"id:o\"}],\"cursor\":\"c1\",\"has_more\":true}")));
        API.stubFor(post(urlPathEqualTo("/dropbox/api/files/list_folder/continue")).withRequestBody(equalToJson("{\"cursor\":\"c1\"}"))
                .willReturn(okJson("{\"entries\":[{\".tag\":\"file\",\"name\":\"b.jpg\",\"id\":\"id:b\",\"size\":3}],"
                        + "\"cursor\":\"c2\",\"has_more\":false}")));
        // listing a link is not recursive: each sub-folder is listed by its path inside the link
        API.stubFor(post(urlPathEqualTo("/dropbox/api/files/list_folder"))
                .withRequestBody(equalToJson("{\"path\":\"/old\",\"shared_link\":{\"url\":\"" + link + "\"}}"))
                .willReturn(okJson("{\"entries\":[{\".tag\":\"file\",\"name\":\"a.jpg\",\"id\":\"id:oa\",\"size\":3},"
                        + "{\".tag\":\"folder\",\"name\":\"older\",\"id\":\"id:oo\"}],\"cursor\":\"c3\",\"has_more\":false}")));
        API.stubFor(post(urlPathEqualTo("/dropbox/api/files/list_folder"))
                .withRequestBody(equalToJson("{\"path\":\"/old/older\",\"shared_link\":{\"url\":\"" + link + "\"}}"))
                .willReturn(okJson("{\"entries\":[{\".tag\":\"folder\",\"name\":\"oldest\",\"id\":\"id:ox\"}],"
                        + "\"cursor\":\"c4\",\"has_more\":false}")));
        for (String path : List.of("/a.jpg", "/b.jpg", "/old/a.jpg")) {
            API.stubFor(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file"))
                    .withHeader("Dropbox-API-Arg", equalToJson("{\"url\":\"" + link + "\",\"path\":\"" + path + "\"}"))
                    .willReturn(bytes("application/octet-stream", path.substring(1, 2) + "!!")));
        }
        Files.createDirectories(file("dbx/Photos/old"));
        Files.writeString(file("dbx/Photos/old/a.jpg"), "kept"); // onConflict rename (the default) keeps it
        JsonNode job = imported(c, "url", link, "path", "dbx/");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(Files.readString(file("dbx/Photos/a.jpg"))).isEqualTo("a!!");
        assertThat(Files.readString(file("dbx/Photos/b.jpg"))).isEqualTo("b!!");
        assertThat(Files.readString(file("dbx/Photos/old/a.jpg"))).isEqualTo("kept");
        assertThat(Files.readString(file("dbx/Photos/old/a (1).jpg"))).isEqualTo("o!!");
        Map<String, String> paths = new LinkedHashMap<>();
        job.path("files").forEach(f -> paths.put(f.path("name").asText(), f.path("path").asText(f.path("state").asText())));
        assertThat(paths).containsEntry("old/a.jpg", "dbx/Photos/old/a (1).jpg")
                .containsEntry("old/older/oldest/ (deeper than caravan.import.folder-max-depth, 2)", "skipped");
        assertThat(file("dbx/Photos/old/older")).doesNotExist(); // an empty folder brings nothing
        assertThat(job.path("bytes").asLong()).isEqualTo(9);
    }

    @Test
    void aBoxFolderAndAOneDriveFolderImportTheirFilesReportingTheOneThatFailed() throws Exception {
        McpSyncClient c = principal();
        connect(c, "box", "b-dir", "b-dir-r");
        String box = "https://app.box.com/s/f0lderlink";
        API.stubFor(get(urlPathEqualTo("/box/api/shared_items")).withHeader("BoxApi", equalTo("shared_link=" + box))
                .willReturn(okJson("{\"type\":\"folder\",\"id\":\"11446498\",\"name\":\"Pictures\"}")));
        API.stubFor(get(urlPathEqualTo("/box/api/folders/11446498/items")).withHeader("BoxApi", equalTo("shared_link=" + box))
                .willReturn(okJson("{\"total_count\":2,\"entries\":[{\"type\":\"file\",\"id\":\"1\",\"name\":\"ok.txt\",\"size\":2},"
                        + "{\"type\":\"folder\",\"id\":\"11446499\",\"name\":\"2024\"}],\"offset\":0,\"limit\":1000}")));
        API.stubFor(get(urlPathEqualTo("/box/api/folders/11446499/items")).withHeader("BoxApi", equalTo("shared_link=" + box))
                .willReturn(okJson("{\"total_count\":1,\"entries\":[{\"type\":\"file\",\"id\":\"2\",\"name\":\"gone.txt\","
                        + "\"size\":2}],\"offset\":0,\"limit\":1000}")));
        API.stubFor(get(urlPathEqualTo("/box/api/files/1/content")).willReturn(aResponse().withBody("ok")));
        API.stubFor(get(urlPathEqualTo("/box/api/files/2/content")).willReturn(apiError(404, boxError(404, "not_found", "Not Found"))));
        String message = failed(c, "url", box, "path", "boxdir/");
        assertThat(message).contains("1 of 2 files were imported").contains("not_found");
        JsonNode boxJob = json(ToolCalls.ok(c, "import_list")).path("jobs").path(0);
        assertThat(boxJob.path("files").toString()).contains("\"name\":\"2024/gone.txt\",\"state\":\"failed\"");
        assertThat(Files.readString(file("boxdir/Pictures/ok.txt"))).isEqualTo("ok");

        connect(c, "onedrive", "m-dir", "m-dir-r");
        String od = "https://onedrive.live.com/redir?resid=ABC!123&authkey=!xyz";
        String share = OneDriveSource.shareId(od);
        API.stubFor(get(urlPathEqualTo("/onedrive/api/shares/" + share + "/driveItem"))
                .willReturn(okJson("{\"id\":\"ABC!123\",\"name\":\"Docs\",\"folder\":{\"childCount\":1},"
                        + "\"parentReference\":{\"driveId\":\"abc\"}}")));
        API.stubFor(bearer(get(urlPathEqualTo("/onedrive/api/drives/abc/items/ABC!123/children")), "m-dir")
                .willReturn(okJson("{\"value\":[{\"id\":\"ABC!200\",\"name\":\"r.txt\",\"size\":3,\"file\":{},"
                        + "\"@microsoft.graph.downloadUrl\":\"http://127.0.0.1:" + CDN.port() + "/pre-auth/r.txt?tempauth=1\"},"
                        + "{\"id\":\"ABC!300\",\"name\":\"Minutes\",\"folder\":{\"childCount\":1},"
                        + "\"parentReference\":{\"driveId\":\"abc\"}}]}")));
        API.stubFor(bearer(get(urlPathEqualTo("/onedrive/api/drives/abc/items/ABC!300/children")), "m-dir")
                .willReturn(okJson("{\"value\":[{\"id\":\"ABC!301\",\"name\":\"m.txt\",\"size\":3,\"file\":{}}]}")));
        API.stubFor(bearer(get(urlPathEqualTo("/onedrive/api/drives/abc/items/ABC!301/content")), "m-dir")
                .willReturn(bytes("text/plain", "m!!")));
        CDN.stubFor(get(urlPathEqualTo("/pre-auth/r.txt")).willReturn(aResponse().withBody("r!!")));
        JsonNode job = imported(c, "url", od, "path", "oddir/");
        assertThat(job.path("state").asText()).isEqualTo("done");
        assertThat(Files.readString(file("oddir/Docs/r.txt"))).isEqualTo("r!!");
        assertThat(Files.readString(file("oddir/Docs/Minutes/m.txt"))).isEqualTo("m!!");
        assertThat(CDN.findAll(getRequestedFor(urlPathEqualTo("/pre-auth/r.txt"))).get(0).containsHeader("Authorization"))
                .isFalse();
    }

    // ---- link passwords: to the drive's API only, never shown, logged, audited or kept in clear

    @Test
    void aDropboxLinkPasswordGoesInTheApiArgsOnlyAndAWrongOneEndsPasswordRequired(CapturedOutput output) throws Exception {
        McpSyncClient c = principal();
        connect(c, "dropbox", "d-pw", "d-pw-r");
        String link = "https://www.dropbox.com/scl/fi/pr0t3ct3d/minutes.txt?rlkey=k&dl=0";
        String password = "Corr3ct-H0rse \u00e9";
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata")).willReturn(apiError(409,
                dropboxError("shared_link_access_denied"))));
        API.stubFor(bearer(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata")), "d-pw")
                .withRequestBody(equalToJson("{\"url\":\"" + link + "\",\"link_password\":\"" + password + "\"}"))
                .willReturn(okJson("{\".tag\":\"file\",\"name\":\"minutes.txt\",\"id\":\"id:m\",\"size\":2}")
                        .withFixedDelay(1500))); // slow, so the row is read while the job is still on
        API.stubFor(bearer(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file")), "d-pw")
                .withHeader("Dropbox-API-Arg", equalToJson("{\"url\":\"" + link + "\",\"link_password\":\"" + password + "\"}"))
                .willReturn(bytes("text/plain", "ok")));
        String id = json(ToolCalls.ok(c, "import_url", "url", link, "path", "pw/", "password", password)).path("job").asText();
        String sealed = jdbc.queryForObject("select link_password from import_job where id = ?", String.class, id);
        assertThat(sealed).startsWith("v1:").doesNotContain(password).doesNotContain("Corr3ct");
        JsonNode[] ended = new JsonNode[1];
        await(java.time.Duration.ofSeconds(30), "the import ends", () -> {
            ended[0] = json(ToolCalls.ok(c, "import_status", "job", id));
            return Set.of("done", "failed").contains(ended[0].path("state").asText());
        });
        JsonNode job = ended[0];
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(Files.readString(file("pw/minutes.txt"))).isEqualTo("ok");
        // the header carries it as ASCII JSON (\\u00e9), as HTTP headers must
        assertThat(API.findAll(postRequestedFor(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file"))).get(0)
                .getHeader("Dropbox-API-Arg")).contains("\\u00E9").doesNotContain("\u00e9");

        assertThat(failed(c, "url", link, "path", "pw/", "password", "wrong-password-42"))
                .contains("password_required").doesNotContain("wrong-password-42");
        assertThat(failed(c, "url", link, "path", "pw/")).contains("password_required");

        String everything = ToolCalls.ok(c, "import_list") + ToolCalls.ok(c, "import_status", "job", job.path("job").asText())
                + jdbc.queryForList("select * from import_job").toString()
                + jdbc.queryForList("select * from workspace_audit").toString() + output.getAll();
        assertThat(everything).doesNotContain(password).doesNotContain("Corr3ct-H0rse").doesNotContain("wrong-password-42");
        assertThat(jdbc.queryForList("select link_password from import_job where link_password is not null", String.class))
                .isEmpty(); // sealed while queued or running, cleared at the end
    }

    @Test
    void aBoxLinkPasswordTravelsInTheBoxApiHeaderAndNeverToTheDownloadHost() throws Exception {
        McpSyncClient c = principal();
        connect(c, "box", "b-pw", "b-pw-r");
        String link = "https://app.box.com/s/passw0rdlink";
        String header = "shared_link=" + link + "&shared_link_password=Open-Sesame_7";
        API.stubFor(get(urlPathMatching("/box/api/(shared_items|files/.*)")).willReturn(apiError(403,
                boxError(403, "incorrect_shared_item_password", "Incorrect Shared Item Password"))));
        API.stubFor(bearer(get(urlPathEqualTo("/box/api/shared_items")), "b-pw").withHeader("BoxApi", equalTo(header))
                .willReturn(okJson("{\"type\":\"file\",\"id\":\"555\",\"name\":\"Plan.pdf\",\"size\":9}")));
        API.stubFor(bearer(get(urlPathEqualTo("/box/api/files/555/content")), "b-pw").withHeader("BoxApi", equalTo(header))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "http://127.0.0.1:" + CDN.port() + "/d/555")));
        CDN.stubFor(get(urlPathEqualTo("/d/555")).willReturn(bytes("application/pdf", "%PDF-1.4\n")));
        JsonNode job = imported(c, "url", link, "path", "boxpw/", "password", "Open-Sesame_7");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(Files.readString(file("boxpw/Plan.pdf"))).isEqualTo("%PDF-1.4\n");
        LoggedRequest download = CDN.findAll(getRequestedFor(urlPathEqualTo("/d/555"))).get(0);
        assertThat(download.containsHeader("BoxApi")).isFalse();
        assertThat(download.containsHeader("Authorization")).isFalse();
        assertThat(download.getUrl()).doesNotContain("Sesame");

        String wrong = failed(c, "url", link, "path", "boxpw/", "password", "Guess-1");
        assertThat(wrong).contains("password_required").contains("incorrect_shared_item_password").doesNotContain("Guess-1");
    }

    @Test
    void aPasswordOrAFormatAProviderCannotUseIsRefusedBeforeAnythingIsQueued() {
        McpSyncClient c = principal();
        String google = ToolCalls.error(c, "import_url", "url", "https://drive.google.com/file/d/1NoPasswords01/view",
                "password", "hunter2");
        assertThat(google).contains("password is for Dropbox and Box links").contains("Nothing was queued")
                .doesNotContain("hunter2");
        assertThat(ToolCalls.error(c, "import_url", "url", "https://www.dropbox.com/s/x0/a.txt", "format", "pdf"))
                .contains("'format' is for Google Docs").contains("Nothing was queued");
        assertThat(ToolCalls.error(c, "import_url", "url", "https://docs.google.com/document/d/1NoSuchFormat1/edit",
                "format", "exe")).contains("no format 'exe'").contains("docx, odt, rtf, pdf, txt, html, zip, epub, md");
        assertThat(json(ToolCalls.ok(c, "import_list")).path("jobs")).isEmpty();
        API.verify(0, getRequestedFor(urlPathMatching("/gdrive/api/.*")));
    }

    // ---- export formats

    @Test
    void aGoogleDocExportsInTheFormatAskedForAndAFormatItLacksNamesTheAllowedOnes() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-fmt", "g-fmt-r");
        googleFile("1MarkdownDoc01", "g-fmt", "Notes", "application/vnd.google-apps.document", -1);
        API.stubFor(bearer(get(urlPathEqualTo("/gdrive/api/files/1MarkdownDoc01/export")), "g-fmt")
                .withQueryParam("mimeType", equalTo("text/markdown")).willReturn(bytes("text/markdown", "# Notes\n")));
        JsonNode job = imported(c, "url", "https://docs.google.com/document/d/1MarkdownDoc01/edit", "path", "fmt/",
                "format", "md");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(job.path("format").asText()).isEqualTo("md");
        assertThat(Files.readString(file("fmt/Notes.md"))).isEqualTo("# Notes\n");

        googleFile("1CsvSheetSht01", "g-fmt", "Budget", "application/vnd.google-apps.spreadsheet", -1);
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1CsvSheetSht01/export")).withQueryParam("mimeType",
                equalTo("text/csv")).willReturn(bytes("text/csv", "a,b\n")));
        assertThat(imported(c, "url", "https://docs.google.com/spreadsheets/d/1CsvSheetSht01/edit", "path", "fmt/",
                "format", "text/csv").path("state").asText()).isEqualTo("done"); // the MIME type is taken too
        assertThat(Files.readString(file("fmt/Budget.csv"))).isEqualTo("a,b\n");

        String lacking = failed(c, "url", "https://docs.google.com/spreadsheets/d/1CsvSheetSht01/edit", "format", "md");
        assertThat(lacking).contains("invalid_request").contains("A Google Sheet does not export as md")
                .contains("xlsx, ods, pdf, zip, csv, tsv");
        API.verify(0, getRequestedFor(urlPathEqualTo("/gdrive/api/files/1CsvSheetSht01/export"))
                .withQueryParam("mimeType", equalTo("text/markdown")));
    }

    // ---- sub-folders

    @Test
    void aGoogleFolderTreeCountsItsCapsOverEveryLevelAndSkipsWhatIsTooDeep() throws Exception {
        McpSyncClient c = principal();
        connect(c, "gdrive", "g-tree", "g-tree-r");
        googleFile("1TreeRootDir01", "g-tree", "Tree", "application/vnd.google-apps.folder", -1);
        API.stubFor(googleChildren("1TreeRootDir01").willReturn(okJson(googleFiles("1TreeFileA0001:a.txt",
                "1TreeLevel1001:l1/"))));
        API.stubFor(googleChildren("1TreeLevel1001").willReturn(okJson(googleFiles("1TreeFileB0001:b.txt",
                "1TreeLevel2001:l2/"))));
        API.stubFor(googleChildren("1TreeLevel2001").willReturn(okJson(googleFiles("1TreeFileC0001:c.txt",
                "1TreeLevel3001:l3/"))));
        API.stubFor(get(urlPathMatching("/gdrive/api/files/1TreeFile.*")).withQueryParam("alt", equalTo("media"))
                .willReturn(bytes("text/plain", "x")));
        JsonNode job = imported(c, "url", "https://drive.google.com/drive/folders/1TreeRootDir01", "path", "tree/");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(file("tree/Tree/a.txt")).exists();
        assertThat(file("tree/Tree/l1/b.txt")).exists();
        assertThat(file("tree/Tree/l1/l2/c.txt")).exists();
        assertThat(job.path("files").toString()).contains("l1/l2/l3/ (deeper than caravan.import.folder-max-depth, 2)");
        API.verify(0, getRequestedFor(urlPathEqualTo("/gdrive/api/files")).withQueryParam("q", containing("1TreeLevel3001")));
        assertThat(job.path("bytes").asLong()).isEqualTo(3);

        // one more file anywhere in the tree is over folder-max-files (3): refused before any download
        googleFile("1TreeRootDir02", "g-tree", "Tree2", "application/vnd.google-apps.folder", -1);
        API.stubFor(googleChildren("1TreeRootDir02").willReturn(okJson(googleFiles("1TreeFileD0001:d.txt",
                "1TreeFileE0001:e.txt", "1TreeLevel1002:sub/"))));
        API.stubFor(googleChildren("1TreeLevel1002").willReturn(okJson(googleFiles("1TreeFileF0001:f.txt",
                "1TreeFileG0001:g.txt"))));
        String refused = failed(c, "url", "https://drive.google.com/drive/folders/1TreeRootDir02", "path", "tree/");
        assertThat(refused).contains("too_large").contains("sub-folders counted");
        API.verify(0, getRequestedFor(urlPathMatching("/gdrive/api/files/1TreeFile[DEFG].*")));
        assertThat(file("tree/Tree2")).doesNotExist();
    }

    /** A files.list answer: "ID:name" entries, a name ending in / being a folder. */
    static String googleFiles(String... entries) {
        StringBuilder out = new StringBuilder("{\"files\":[");
        for (int i = 0; i < entries.length; i++) {
            String[] e = entries[i].split(":", 2);
            boolean folder = e[1].endsWith("/");
            out.append(i == 0 ? "" : ",").append("{\"id\":\"").append(e[0]).append("\",\"name\":\"")
                    .append(folder ? e[1].substring(0, e[1].length() - 1) : e[1]).append("\",\"mimeType\":\"")
                    .append(folder ? GoogleDriveSource.FOLDER : "text/plain\",\"size\":\"1").append("\"}");
        }
        return out.append("]}").toString();
    }

    // ---- public links without a connection

    @Test
    void aPublicGoogleFileIsReadWithTheOperatorsApiKeyAndAPrivateOneAsksToConnect() throws Exception {
        McpSyncClient c = principal();
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1PublicFile001")).withQueryParam("key", equalTo(GOOGLE_API_KEY))
                .withQueryParam("alt", absent()).withHeader("Authorization", absent())
                .willReturn(okJson("{\"id\":\"1PublicFile001\",\"name\":\"open.txt\",\"mimeType\":\"text/plain\",\"size\":\"4\"}")));
        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1PublicFile001")).withQueryParam("key", equalTo(GOOGLE_API_KEY))
                .withQueryParam("alt", equalTo("media")).withHeader("Authorization", absent())
                .willReturn(bytes("text/plain", "open")));
        JsonNode job = imported(c, "url", "https://drive.google.com/file/d/1PublicFile001/view?usp=sharing", "path", "pub/");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(Files.readString(file("pub/open.txt"))).isEqualTo("open");
        assertThat(job.toString()).doesNotContain(GOOGLE_API_KEY);

        API.stubFor(get(urlPathEqualTo("/gdrive/api/files/1PrivateFile01")).willReturn(apiError(404,
                googleError(404, "notFound", "File not found: 1PrivateFile01."))));
        String closed = failed(c, "url", "https://drive.google.com/file/d/1PrivateFile01/view");
        assertThat(closed).contains("auth_required").contains("/gdrive/authorize?").contains("not open to anyone")
                .doesNotContain(GOOGLE_API_KEY);
    }

    @Test
    void aPublicDropboxLinkIsReadWithTheOperatorsAppKeyThroughAppAuthentication() throws Exception {
        McpSyncClient c = principal();
        String link = "https://www.dropbox.com/s/publ1c/open.csv?dl=0";
        String basic = "Basic " + Base64.getEncoder().encodeToString("dropbox-client:dropbox-secret"
                .getBytes(StandardCharsets.UTF_8));
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata")).withHeader("Authorization",
                equalTo(basic)).withRequestBody(equalToJson("{\"url\":\"" + link + "\"}"))
                .willReturn(okJson("{\".tag\":\"file\",\"name\":\"open.csv\",\"id\":\"id:o\",\"size\":4}")));
        API.stubFor(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file")).withHeader("Authorization",
                equalTo(basic)).withHeader("Dropbox-API-Arg", equalToJson("{\"url\":\"" + link + "\"}"))
                .willReturn(bytes("text/csv", "x,y\n")));
        JsonNode job = imported(c, "url", link, "path", "pubdb/");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("done");
        assertThat(Files.readString(file("pubdb/open.csv"))).isEqualTo("x,y\n");
        API.verify(0, postRequestedFor(urlPathEqualTo("/dropbox/token")));
    }

    @Test
    void theAdminAndFileApisTakeAPasswordAndAFormatAndNeverEchoThePassword() throws Exception {
        String link = "https://www.dropbox.com/scl/fi/adm1n/board.txt?rlkey=r&dl=0";
        String password = "Admin-Link-Pw-9";
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata")).withHeader("Authorization",
                containing("Basic ")).withRequestBody(equalToJson("{\"url\":\"" + link + "\",\"link_password\":\""
                + password + "\"}")).willReturn(okJson("{\".tag\":\"file\",\"name\":\"board.txt\",\"id\":\"id:b\",\"size\":5}")));
        API.stubFor(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file")).withHeader("Dropbox-API-Arg",
                equalToJson("{\"url\":\"" + link + "\",\"link_password\":\"" + password + "\"}"))
                .willReturn(bytes("text/plain", "board")));
        HttpResponse<String> started = admin("POST", "/admin/api/imports", JSON.createObjectNode().put("workspace",
                "default").put("url", link).put("path", "adm/").put("password", password).toString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(started.body()).doesNotContain(password);
        String id = json(started.body()).path("job").asText();
        JsonNode[] last = new JsonNode[1];
        await(java.time.Duration.ofSeconds(30), "admin import ends", () -> {
            last[0] = json(admin("GET", "/admin/api/imports/" + id, null).body());
            return Set.of("done", "failed").contains(last[0].path("state").asText());
        });
        assertThat(last[0].path("state").asText()).as(last[0].toString()).isEqualTo("done");
        assertThat(Files.readString(file("adm/board.txt"))).isEqualTo("board");
        assertThat(admin("GET", "/admin/api/imports", null).body()).doesNotContain(password);

        Published endpoint = publish("drives" + ENDPOINTS.incrementAndGet(), "workspace");
        HttpResponse<String> deckStarted = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/imports"))
                .header("Authorization", "Bearer " + endpoint.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("workspace", "default")
                        .put("url", "https://docs.google.com/presentation/d/1SlidesDeck001/edit").put("format", "docx")
                        .toString())).build());
        assertThat(deckStarted.statusCode()).isEqualTo(202); // docx is a format Drive has; the deck's type is known later
        JsonNode deck = waitForEnd(endpoint, json(deckStarted.body()).path("job").asText());
        assertThat(deck.path("reason").asText()).isEqualTo("auth_required"); // not public, no connection
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/imports"))
                .header("Authorization", "Bearer " + endpoint.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("workspace", "default")
                        .put("url", "https://app.box.com/s/abc").put("password", "x\ny").toString())).build());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("without control characters");
    }

    // ---- the HTTP file API's users

    @Test
    void theFileApiStartsAnImportAndAStreamOverTheCapEndsTooLarge() throws Exception {
        Published endpoint = publish("drives" + ENDPOINTS.incrementAndGet(), "workspace");
        McpSyncClient c = client(endpoint);
        connect(c, "dropbox", "d-api", "d-api-r");
        String link = "https://www.dropbox.com/s/big0000/big.bin?dl=0";
        API.stubFor(post(urlPathEqualTo("/dropbox/api/sharing/get_shared_link_metadata"))
                .willReturn(okJson("{\".tag\":\"file\",\"name\":\"big.bin\",\"id\":\"id:big\"}"))); // no size
        API.stubFor(post(urlPathEqualTo("/dropbox/content/sharing/get_shared_link_file"))
                .willReturn(aResponse().withHeader("Content-Type", "application/octet-stream").withBody(new byte[4000])
                        .withChunkedDribbleDelay(4, 200)));
        JsonNode tooLarge = waitForEnd(endpoint, startByFileApi(endpoint, "small", link, "in/"));
        assertThat(tooLarge.path("state").asText()).isEqualTo("failed");
        assertThat(tooLarge.path("reason").asText()).isEqualTo("too_large");
        assertThat(dataDir.resolve("workspaces/small/in/big.bin")).doesNotExist();

        JsonNode done = waitForEnd(endpoint, startByFileApi(endpoint, "default", link, "api/"));
        assertThat(done.path("state").asText()).isEqualTo("done");
        assertThat(Files.size(file("api/big.bin"))).isEqualTo(4000);

        Published other = publish("drives" + ENDPOINTS.incrementAndGet(), "workspace");
        HttpResponse<String> foreign = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/imports/" + done.path("job").asText()))
                .header("Authorization", "Bearer " + other.token()).GET().build());
        assertThat(foreign.statusCode()).isEqualTo(404);
        HttpResponse<String> anonymous = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/imports")).GET().build());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    String startByFileApi(Published endpoint, String workspace, String url, String path) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/imports"))
                .header("Authorization", "Bearer " + endpoint.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("workspace", workspace)
                        .put("url", url).put("path", path).toString())).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.headers().firstValue("Location")).hasValue("/imports/" + json(r.body()).path("job").asText());
        return json(r.body()).path("job").asText();
    }

    JsonNode waitForEnd(Published endpoint, String job) {
        JsonNode[] last = new JsonNode[1];
        await(java.time.Duration.ofSeconds(30), "import " + job + " ends", () -> {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/imports/" + job))
                    .header("Authorization", "Bearer " + endpoint.token()).GET().build());
            last[0] = json(r.body());
            return Set.of("done", "failed").contains(last[0].path("state").asText());
        });
        return last[0];
    }
}
