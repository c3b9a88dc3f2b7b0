package dev.caravan.server;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;

/**
 * The HTTP answer to a JSON-RPC response a client POSTs (to a server-sent request, e.g. sampling). The SDK
 * answers one whose id it does not know (late, duplicated or made up) with a 500; that is the client's mistake,
 * so it becomes a 400, keeping the SDK's JSON-RPC error body ("Unexpected response for unknown id ...").
 */
final class ClientResponseAnswer extends HttpServletResponseWrapper {
    ClientResponseAnswer(HttpServletResponse response) {
        super(response);
    }

    private static int client(int status) {
        return status == 500 ? 400 : status;
    }

    @Override
    public void setStatus(int sc) {
        super.setStatus(client(sc));
    }

    @Override
    public void sendError(int sc) throws IOException {
        super.sendError(client(sc));
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        super.sendError(client(sc), msg);
    }
}
