package dev.caravan.probe;

import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;

import java.io.PrintStream;
import java.util.Map;

/**
 * The probe as the calling client of its calls, in the shape the connector relays to (the hub hands it the
 * caller's exchange): what the upstream says during a call is printed, and form elicitation is answered with
 * {@code --elicitation-answer} when given (and only then declared). Sampling and roots are not declared: a person
 * at a terminal is no model and has no roots to offer.
 */
final class ProbeClient extends McpSyncServerExchange {
    private final Map<String, Object> answer;
    private final PrintStream out;

    ProbeClient(Map<String, Object> answer, PrintStream out) {
        super(null);
        this.answer = answer;
        this.out = out;
    }

    @Override
    public String sessionId() {
        return null;
    }

    @Override
    public McpSchema.ClientCapabilities getClientCapabilities() {
        McpSchema.ClientCapabilities.Builder declared = McpSchema.ClientCapabilities.builder();
        if (answer != null) {
            declared.elicitation(true, false);
        }
        return declared.build();
    }

    @Override
    public McpSchema.Implementation getClientInfo() {
        return new McpSchema.Implementation("caravan-probe", "1");
    }

    @Override
    public McpSchema.ElicitResult createElicitation(McpSchema.ElicitRequest request) {
        if (answer == null) {
            throw new IllegalStateException("the probe answers elicitation only with --elicitation-answer");
        }
        String message = request instanceof McpSchema.ElicitFormRequest form ? form.message() : "(form)";
        out.println("  elicitation: " + message + " -> accept " + answer);
        return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, answer);
    }

    @Override
    public void loggingNotification(McpSchema.LoggingMessageNotification message) {
        out.println("  log " + message.level().name().toLowerCase() + ": " + message.data());
    }

    @Override
    public void progressNotification(McpSchema.ProgressNotification progress) {
        out.println("  progress " + progress.progress() + (progress.total() == null ? "" : "/" + progress.total())
                + (progress.message() == null ? "" : " " + progress.message()));
    }
}
