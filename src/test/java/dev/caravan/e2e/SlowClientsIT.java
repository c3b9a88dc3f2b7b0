package dev.caravan.e2e;

import dev.caravan.support.CaravanIntegrationTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hundreds of connections trickling MCP request bodies (with and without a valid token) must not freeze the
 * server: the admin API, the rest of the site, health and a normal tool call on another credential answer within
 * 1 s. The slow senders come from several loopback addresses (127.0.0.2 ...) so that the per-address cap, tested on
 * its own below, does not decide the flood tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsIT extends CaravanIntegrationTest {
    private static final int SLOW = 500;
    private static final int PER_ADDRESS = 20;

    @DynamicPropertySource
    static void limits(DynamicPropertyRegistry registry) {
        registry.add("caravan.mcp.max-concurrent-per-address", () -> String.valueOf(PER_ADDRESS));
    }

    private Published flooded;
    private Published normal;
    /** Enough credentials that their 16 requests each fill the 100 MCP slots on request threads. */
    private final List<String> many = new ArrayList<>();

    @BeforeAll
    void publishEndpoints() {
        writeCrmLookupRoute();
        flooded = publish("flooded", "crm");
        normal = publish("normal", "crm");
        for (int i = 0; i < 8; i++) {
            many.add(publish("many" + i, "crm").token());
        }
    }

    /** Slow POSTs from 127.0.0.{first}, {first+1}, ..., {@code perAddress} from each. */
    private List<Socket> openSlow(int n, String path, String token, int first, int perAddress) {
        return openSlow(n, i -> path, token == null ? List.of() : List.of(token), first, perAddress);
    }

    /** The same, to the path of each request's number, with the tokens in turn (none if empty). */
    private List<Socket> openSlow(int n, java.util.function.IntFunction<String> paths, List<String> tokens, int first,
                                  int perAddress) {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port,
                        InetAddress.getByName("127.0.0." + (first + i / perAddress)), 0);
                s.setSoTimeout(1000);
                OutputStream out = s.getOutputStream();
                String token = tokens.isEmpty() ? null : tokens.get(i % tokens.size());
                out.write(("POST " + paths.apply(i) + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
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
            sockets.addAll(openSlow(SLOW / 2, "/mcp/files", null, 2, PER_ADDRESS - 5));
            sockets.addAll(openSlow(SLOW / 2, "/mcp/flooded", flooded.token(), 40, PER_ADDRESS - 5));
            long end = System.currentTimeMillis() + 6000;
            int round = 0;
            while (System.currentTimeMillis() < end) {
                trickle(sockets);
                Thread.sleep(500);
                int[] status = new int[4];
                long admin = millis(() -> status[0] = admin("GET", "/admin/api/endpoints", null).statusCode());
                long site = millis(() -> status[1] = send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/admin/api/routes")).header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .GET().build()).statusCode());
                long health = millis(() -> status[2] = send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/actuator/health")).GET().build()).statusCode());
                String[] call = new String[1];
                int id = 100 + round;
                long tool = millis(() -> call[0] = send(mcpPost(normal, session, "{\"jsonrpc\":\"2.0\",\"id\":" + id
                        + ",\"method\":\"tools/call\",\"params\":{\"name\":\"crm_lookup_customer\",\"arguments\":{}}}").build()).body());
                assertThat(status[0]).isEqualTo(200);
                assertThat(status[1]).isEqualTo(200);
                assertThat(status[2]).isEqualTo(200);
                assertThat(call[0]).contains("found");
                assertThat(health).as("health ms, round " + round).isLessThan(1000);
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

    @Test
    void withEveryMcpSlotTakenTheAdminApiAndHealthStillAnswerAndMcpSays503() throws Exception {
        // 8 credentials x 16 slow requests: more than the 100 MCP requests allowed on request threads at once.
        List<Socket> sockets = openSlow(8 * 16, i -> "/mcp/many" + (i % 8), many, 60, PER_ADDRESS - 5);
        try {
            Thread.sleep(1000);
            for (int round = 0; round < 4; round++) {
                trickle(sockets);
                int[] status = new int[2];
                long admin = millis(() -> status[0] = admin("GET", "/admin/api/endpoints", null).statusCode());
                long health = millis(() -> status[1] = send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(baseUrl() + "/actuator/health")).GET().build()).statusCode());
                HttpResponse<String>[] mcp = new HttpResponse[1];
                long refused = millis(() -> mcp[0] = send(mcpPost(normal, null, initializeRequest(3)).build()));
                assertThat(status).containsExactly(200, 200);
                assertThat(admin).as("admin API ms, round " + round).isLessThan(1000);
                assertThat(health).as("health ms, round " + round).isLessThan(1000);
                assertThat(mcp[0].statusCode()).isEqualTo(503);
                assertThat(mcp[0].headers().firstValue("Retry-After")).hasValue("2");
                assertThat(mcp[0].body()).contains("caravan.mcp.max-concurrent-requests");
                assertThat(refused).as("MCP refusal ms, round " + round).isLessThan(1000);
                Thread.sleep(500);
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void oneAddressGetsAtMostItsShareAndIsToldSo() throws Exception {
        // From one address, more slow requests than its cap: the first PER_ADDRESS are taken (their bodies are
        // awaited), the rest are answered 429 at once; another address is served meanwhile.
        // Two credentials in turn, so their own cap (16 each) is not what refuses.
        List<Socket> sockets = openSlow(PER_ADDRESS + 5, i -> i % 2 == 0 ? "/mcp/flooded" : "/mcp/normal",
                List.of(flooded.token(), normal.token()), 99, 1000);
        try {
            Thread.sleep(1000);
            List<String> refusals = new ArrayList<>();
            int held = 0;
            for (Socket s : sockets) {
                if (s.getInputStream().available() == 0) {
                    held++;
                } else {
                    refusals.add(readAnswer(s));
                }
            }
            assertThat(held).isEqualTo(PER_ADDRESS);
            assertThat(refusals).hasSize(5).allSatisfy(a -> assertThat(a).startsWith("HTTP/1.1 429")
                    .containsIgnoringCase("Retry-After: 1").contains("caravan.mcp.max-concurrent-per-address")
                    .contains("\"jsonrpc\":\"2.0\""));
            HttpResponse<String> other = send(mcpPost(normal, null, initializeRequest(7)).build());
            assertThat(other.statusCode()).isEqualTo(200);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /** What the server sent on the socket within its 1 s read timeout (headers and body), or null if nothing. */
    private static String readAnswer(Socket s) throws IOException {
        StringBuilder out = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = s.getInputStream().read(buffer)) > 0) {
                out.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
        } catch (SocketTimeoutException e) {
            // nothing more within the timeout
        }
        return out.isEmpty() ? null : out.toString();
    }
}
