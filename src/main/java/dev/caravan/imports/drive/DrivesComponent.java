package dev.caravan.imports.drive;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.caravan.core.CallContext;
import dev.caravan.core.Caller;
import dev.caravan.imports.ImportFailure;
import dev.caravan.tool.RouteDefinitionException;
import dev.caravan.tool.ToolFailure;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code drives:OPERATION} with {@code drive_connect} {provider} (answers the authorization URL to open),
 * {@code drive_connections} and {@code drive_disconnect} {provider}: the calling principal's own connections.
 */
public class DrivesComponent extends DefaultComponent {
    enum Op { DRIVE_CONNECT, DRIVE_CONNECTIONS, DRIVE_DISCONNECT }

    private final DriveAccounts accounts;

    public DrivesComponent(DriveAccounts accounts) {
        this.accounts = accounts;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        Op op = RouteDefinitionException.operation(uri, remaining, Op.class);
        if (!parameters.isEmpty()) {
            throw new RouteDefinitionException(uri + ": drives: takes no options " + parameters.keySet());
        }
        return new DefaultEndpoint(uri, this) {
            @Override
            public Producer createProducer() {
                return new DefaultProducer(this) {
                    @Override
                    public void process(Exchange exchange) {
                        exchange.getMessage().setBody(run(op, exchange.getMessage()));
                    }
                };
            }

            @Override
            public Consumer createConsumer(Processor processor) {
                throw new IllegalArgumentException(uri + " is a route step (to:), not a route start");
            }
        };
    }

    private String run(Op op, Message m) {
        CallContext call = m.getExchange().getProperty(CallContext.PROPERTY, CallContext.class);
        Caller caller = call == null ? Caller.NONE : call.caller();
        if (caller.endpoint() == null) {
            throw new ToolFailure("Drive connections belong to the caller of an MCP endpoint; this call has none.");
        }
        String principal = caller.principal();
        Object p = m.getHeader("provider");
        String provider = p == null ? null : p.toString().strip().toLowerCase(Locale.ROOT);
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            switch (op) {
                case DRIVE_CONNECT -> {
                    out.put("provider", need(provider));
                    out.put("authorizationUrl", accounts.connect(provider, principal, requestBase(call)));
                    out.put("next", "Open the URL in a browser and consent; the link works once, for 10 minutes.");
                }
                case DRIVE_DISCONNECT -> {
                    accounts.disconnect(need(provider), principal);
                    out.put("provider", provider);
                    out.put("connected", false);
                }
                default -> out.put("connections", accounts.connections(principal));
            }
            return DriveSource.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out);
        } catch (ImportFailure e) {
            throw new ToolFailure(e.getMessage());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String need(String provider) {
        if (provider == null || provider.isBlank()) {
            throw new ToolFailure("Argument 'provider' is required: one of " + String.join(", ",
                    DriveAccounts.PROVIDERS) + ".");
        }
        return provider;
    }

    private static String requestBase(CallContext call) {
        if (call == null || call.client() == null || call.client().transportContext() == null) {
            return null;
        }
        Object base = call.client().transportContext().get(CallContext.REQUEST_BASE_URL);
        return base == null ? null : base.toString();
    }
}
