package dev.caravan.e2e;

import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds of connections trickling MCP request bodies (with and without a valid token) must not freeze the
 * server: the admin API, the rest of the site and a normal tool call on another credential answer within 1 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsIT extends CaravanIntegrationTest {
    private static final int SLOW = 500;
    private Published flooded;
    private Published normal;

    @BeforeAll
    void publishEndpoints() {
        writeCrmLookupRoute();
        flooded = publish("flooded", "crm");
        normal = publish("normal", "crm");
    }

    private List<Socket> openSlow(int n, String path, String token) {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                Socket s = new Socket("localhost", port);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                        + "Content-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                sockets.add(s);
            } catch (IOException e) {
                break; // the server may refuse or close some; that is allowed
            }
        }
        return sockets;
    }

    private static void trickle(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.getOutputStream().write(' ');
                s.getOutputStream().flush();
            } catch (IOException e) {
                // closed by the server: fine
            }
        }
    }

    private long millis(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1_000_000;
    }

    @Test
    void slowSendersDoNotStarveTheAdminApiOrOtherClients() throws Exception {
        HttpResponse<String> init = send(mcpPost(normal, null, initializeRequest(1)).build());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        send(mcpPost(normal, session, INITIALIZED).build());

        List<Socket> sockets = new ArrayList<>();
        try {
            sockets.addAll(openSlow(SLOW / 2, "/mcp/files", null));
            sockets.addAll(openSlow(SLOW / 2, "/mcp/flooded", flooded.token()));
            long end = System.currentTimeMillis() + 6000;
            int round = 0;
            while (System.currentTimeMillis() < end) {
                trickle(sockets);
                Thread.sleep(500);
                int[] status = new int[3];
                long admin = millis(() -> status[0] = admin("GET", "/admin/api/endpoints", null).statusCode());
                long site = millis(() -> status[1] = send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/admin/api/routes")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .GET().build()).statusCode());
                String[] call = new String[1];
                int id = 100 + round;
                long tool = millis(() -> call[0] = send(mcpPost(normal, session, "{\"jsonrpc\":\"2.0\",\"id\":" + id
                        + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crm_lookup_customer\",\"arguments\":{}}}").build()).body());
                assertThat(status[0]).isEqualTo(200);
                assertThat(status[1]).isEqualTo(200);
                assertThat(call[0]).contains("found");
                assertThat(admin).as("admin API ms, round " + round).isLessThan(1000);
                assertThat(site).as("routes API ms, round " + round).isLessThan(1000);
                assertThat(tool).as("tool call ms, round " + round).isLessThan(1000);
                round++;
            }
            assertThat(round).isGreaterThan(3);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
