package dev.caravan.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.workspace.audit.AuditTrail;
import io.modelcontextprotocol.client.McpSyncClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.caravan.support.ToolCalls.error;
import static dev.caravan.support.ToolCalls.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Locks and the audit trail through the shipped tools (routes/workspace/*.yaml) on two endpoints, so two principals:
 * alpha and beta, both on the workspace "default" (H2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkspaceLocksIT extends CaravanIntegrationTest {
    static final Pattern TOKEN = Pattern.compile("lockToken: (lck_[A-Za-z0-9_-]+)");

    @Autowired
    AuditTrail audit;

    McpSyncClient alpha;
    McpSyncClient beta;
    String alphaToken;

    @BeforeAll
    void routesAndClients() throws IOException {
        installRoutes("workspace");
        Published alphaEndpoint = publish("alpha", "workspace");
        alphaToken = alphaEndpoint.token();
        alpha = initialized(streamableClient(alphaEndpoint));
        beta = initialized(streamableClient(publish("beta", "workspace")));
    }

    @AfterAll
    void close() {
        for (McpSyncClient c : new McpSyncClient[]{alpha, beta}) {
            if (c != null) {
                c.closeGracefully();
            }
        }
    }





    static String token(String acquired) {
        Matcher m = TOKEN.matcher(acquired);
        assertThat(m.find()).as("a lockToken in: " + acquired).isTrue();
        return m.group(1);
    }

    static String versionId(String listing) {
        return listing.lines().skip(1).findFirst().orElseThrow().split(" ")[0];
    }

    /** Every mutating tool, as (tool, arguments) on paths under "locked/". */
    List<Object[]> mutations(String versionId) {
        return List.of(
                new Object[]{"write_file", new Object[]{"path", "locked/a.txt", "content", "changed"}},
                new Object[]{"edit_file", new Object[]{"path", "locked/a.txt",
                        "edits", List.of(Map.of("oldText", "changed", "newText", "edited"))}},
                new Object[]{"create_directory", new Object[]{"path", "locked/sub"}},
                new Object[]{"move_file", new Object[]{"source", "locked/b.txt", "destination", "free/b.txt"}},
                new Object[]{"copy_file", new Object[]{"source", "free/src.txt", "destination", "locked/copy.txt"}},
                new Object[]{"move_file", new Object[]{"source", "free/src.txt", "destination", "locked/moved.txt"}},
                new Object[]{"delete_file", new Object[]{"path", "locked/c.txt"}},
                new Object[]{"restore_version", new Object[]{"path", "locked/v.txt", "versionId", versionId}});
    }

    static Object[] with(Object[] args, Object... more) {
        Object[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void everyMutatingToolIsBlockedWithoutTheTokenAndAllowedWithIt() {
        ok(alpha, "write_file", "path", "locked/a.txt", "content", "alpha");
        ok(alpha, "write_file", "path", "locked/b.txt", "content", "b");
        ok(alpha, "write_file", "path", "locked/c.txt", "content", "c");
        ok(alpha, "write_file", "path", "locked/v.txt", "content", "v1");
        ok(alpha, "write_file", "path", "locked/v.txt", "content", "v2");
        ok(alpha, "write_file", "path", "free/src.txt", "content", "src");
        String version = versionId(ok(alpha, "list_versions", "path", "locked/v.txt"));

        String acquired = ok(beta, "lock_acquire", "path", "locked", "ttlSeconds", 120);
        assertThat(acquired).contains("Locked 'locked' (exclusive)").contains("for beta/default");
        String token = token(acquired);

        for (Object[] m : mutations(version)) {
            String tool = (String) m[0];
            Object[] args = (Object[]) m[1];
            String refused = error(alpha, tool, args);
            assertThat(refused).as(tool).contains("is locked: exclusive lock on 'locked' held by beta/default until")
                    .contains("pass its token as lockToken").doesNotContain(token);
            assertThat(error(alpha, tool, with(args, "lockToken", "lck_forged"))).as(tool)
                    .contains("not that lock's token");
        }
        // Reads, dry runs and copies out of the locked directory are not changes to it.
        assertThat(ok(alpha, "read_text_file", "path", "locked/a.txt")).startsWith("alpha");
        assertThat(ok(alpha, "edit_file", "path", "locked/a.txt", "dryRun", true,
                "edits", List.of(Map.of("oldText", "alpha", "newText", "x")))).contains("Dry run");
        ok(alpha, "copy_file", "source", "locked/a.txt", "destination", "free/a-copy.txt");
        ok(alpha, "write_file", "path", "lockedness.txt", "content", "a neighbour, not under the lock");
        assertThat(ok(alpha, "read_text_file", "path", "locked/a.txt")).as("nothing changed").startsWith("alpha");

        for (Object[] m : mutations(version)) {
            ok(beta, (String) m[0], with((Object[]) m[1], "lockToken", token));
        }
        assertThat(ok(beta, "read_text_file", "path", "locked/a.txt")).startsWith("edited");

        String status = ok(alpha, "lock_status", "path", "locked/a.txt");
        assertThat(status).contains("exclusive  locked  held by beta/default").doesNotContain(token);
        assertThat(error(alpha, "lock_release", "lockToken", "lck_not-the-token")).contains("only the holder's token");
        assertThat(ok(beta, "lock_release", "lockToken", token)).contains("Released your exclusive lock on 'locked'");
        ok(alpha, "write_file", "path", "locked/a.txt", "content", "alpha again");
        assertThat(ok(alpha, "lock_status")).contains("No locks");
    }

    @Test
    void lockToolsExplainConflictsCapsAndRenewals() {
        String shared = token(ok(alpha, "lock_acquire", "path", "reports", "mode", "shared", "ttlSeconds", 999999));
        assertThat(ok(alpha, "lock_status", "path", "reports")).contains("shared  reports  held by alpha/default");
        String second = token(ok(beta, "lock_acquire", "path", "reports/q1.csv", "mode", "shared"));
        assertThat(error(beta, "lock_acquire", "path", "reports/q1.csv", "mode", "exclusive"))
                .contains("Cannot take an exclusive lock on 'reports/q1.csv'").contains("shared lock on");
        assertThat(error(beta, "lock_acquire", "path", "/")).contains("Cannot take an exclusive lock on the whole "
                + "workspace");
        assertThat(error(beta, "lock_acquire", "path", "reports", "mode", "sideways")).contains("exclusive, shared");
        assertThat(error(beta, "lock_acquire", "path", "../etc")).doesNotContain(dataDir.toString());
        assertThat(ok(alpha, "lock_renew", "lockToken", shared, "ttlSeconds", 7200)).contains("cut to the cap");
        assertThat(error(alpha, "lock_renew", "lockToken", "lck_nope")).contains("No lock");
        ok(alpha, "lock_release", "lockToken", shared);
        ok(beta, "lock_release", "lockToken", second);
        String capped = ok(alpha, "lock_acquire", "path", "reports", "ttlSeconds", 999999);
        assertThat(capped).contains("above the cap of 3600 s").contains("(3600 s)");
        ok(alpha, "lock_release", "lockToken", token(capped));
    }

    @Test
    void operationsAreAuditedWithTheirOutcomeAndSearchable() {
        ok(alpha, "write_file", "path", "audited/one.txt", "content", "12345");
        ok(alpha, "read_text_file", "path", "audited/one.txt");
        error(alpha, "read_text_file", "path", "audited/missing.txt");
        error(alpha, "read_text_file", "path", "../../etc/passwd");
        ok(alpha, "move_file", "source", "audited/one.txt", "destination", "audited/two.txt");
        String token = token(ok(beta, "lock_acquire", "path", "audited"));
        error(alpha, "write_file", "path", "audited/two.txt", "content", "x");
        ok(beta, "lock_release", "lockToken", token);
        assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();

        String all = ok(alpha, "audit_search", "path", "audited", "limit", 50);
        List<String> lines = all.lines().skip(1).toList();
        assertThat(all.lines().findFirst().orElseThrow()).contains("newest first");
        assertThat(lines.get(0)).contains("beta/default  lock_release");
        assertThat(String.join("\n", lines)).contains("alpha/default  write_file  default:audited/one.txt  ok  5 B")
                .contains("alpha/default  read_text_file  default:audited/one.txt  ok  5 B")
                .contains("read_text_file  default:audited/missing.txt  not-found")
                .contains("move_file  default:audited/one.txt -> default:audited/two.txt  ok".replace(" -> default:", " -> "))
                .contains("write_file  default:audited/two.txt  locked")
                .contains("beta/default  lock_acquire  default:audited  ok");
        assertThat(ok(alpha, "audit_search", "outcome", "locked", "principal", "alpha/default", "path", "audited"))
                .startsWith("1 record,").contains("held by beta/default");
        assertThat(ok(alpha, "audit_search", "operation", "read_text_file", "outcome", "denied"))
                .contains("../../etc/passwd");
        assertThat(ok(alpha, "audit_search", "path", "audited", "limit", 2)).startsWith("2 records").contains("limit "
                + "reached");
        assertThat(ok(alpha, "audit_search", "path", "audited", "since", "2000-01-01T00:00:00Z", "until", "1h"))
                .isEqualTo("No audit records match.");
        assertThat(error(alpha, "audit_search", "since", "yesterday")).contains("ISO-8601");

        HttpResponse<String> denied = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/audit")).GET()
                .build());
        assertThat(denied.statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/admin/api/audit"))
                .header("Authorization", "Bearer " + alphaTokenLikeGuess()).GET().build());
        assertThat(wrong.statusCode()).isEqualTo(401);

        HttpResponse<String> r = admin("GET", "/admin/api/audit?path=audited&principal=alpha/default&operation="
                + "write_file", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode records = json(r.body());
        assertThat(records).hasSize(2);
        JsonNode locked = records.get(0);
        assertThat(locked.path("outcome").asText()).isEqualTo("locked");
        assertThat(locked.path("endpoint").asText()).isEqualTo("alpha");
        assertThat(locked.path("workspace").asText()).isEqualTo("default");
        assertThat(locked.path("path").asText()).isEqualTo("audited/two.txt");
        assertThat(locked.path("detail").asText()).contains("held by beta/default");
        assertThat(locked.path("at").asText()).endsWith("Z");
        assertThat(records.get(1).path("bytes").asLong()).isEqualTo(5);
        assertThat(records.get(1).path("outcome").asText()).isEqualTo("ok");
        assertThat(admin("GET", "/admin/api/audit?since=soon", null).statusCode()).isEqualTo(400);
        assertThat(json(admin("GET", "/admin/api/audit?outcome=not-found&path=audited", null).body())).hasSize(1);
    }

    @Test
    void theHttpFileApiHonoursLocksAndIsAudited() {
        String token = token(ok(beta, "lock_acquire", "path", "http"));
        HttpResponse<String> blocked = file("PUT", "http/a.txt", "hello", null);
        assertThat(blocked.statusCode()).isEqualTo(423);
        assertThat(json(blocked.body()).path("detail").asText()).contains("held by beta/default");
        assertThat(file("PUT", "http/a.txt", "hello", "lck_made_up").statusCode()).isEqualTo(423);
        assertThat(file("PUT", "http/a.txt", "hello", "other, " + token).statusCode()).isEqualTo(201);
        assertThat(file("DELETE", "http/a.txt", null, null).statusCode()).isEqualTo(423);
        ok(beta, "lock_release", "lockToken", token);
        assertThat(file("DELETE", "http/a.txt", null, null).statusCode()).isEqualTo(204);

        assertThat(audit.flush(Duration.ofSeconds(10))).isTrue();
        JsonNode records = json(admin("GET", "/admin/api/audit?path=http&principal=alpha/default", null).body());
        assertThat(records).extracting(r -> r.path("operation").asText() + " " + r.path("outcome").asText())
                .containsExactly("http_delete ok", "http_delete locked", "http_put ok", "http_put locked",
                        "http_put locked");
        JsonNode written = records.get(2);
        assertThat(written.path("bytes").asLong()).isEqualTo(5);
        assertThat(written.path("endpoint").asText()).isEqualTo("alpha");
        assertThat(written.path("path").asText()).isEqualTo("http/a.txt");
    }

    private HttpResponse<String> file(String method, String path, String body, String lockToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/files/default/" + path))
                .header("Authorization", "Bearer " + alphaToken)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (lockToken != null) {
            request.header("Lock-Token", lockToken);
        }
        return send(request.build());
    }

    /** An endpoint's own bearer token is not the admin token. */
    private String alphaTokenLikeGuess() {
        return "cvn_" + "A".repeat(43);
    }
}
