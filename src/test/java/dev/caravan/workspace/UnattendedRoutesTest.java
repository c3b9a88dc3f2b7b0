package dev.caravan.workspace;

import dev.caravan.workspace.component.WorkspaceComponent;
import dev.caravan.workspace.component.WorkspaceServices;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routes started by a timer, with no MCP call behind them, act with the access configured for unattended routes. */
class UnattendedRoutesTest {
    @TempDir
    Path data;
    Workspaces workspaces;
    CamelContext camel;
    /** What each timer route ended with: its body, or "failed: " and the message. */
    final BlockingQueue<String> outcomes = new ArrayBlockingQueue<>(10);

    void start(UnattendedAccess unattended, String operation, String workspace, String path) throws Exception {
        workspaces = new Workspaces(data, 10, name -> null);
        workspaces.apply(List.of(new WorkspaceConfig("ws", WorkspaceConfig.Backend.LOCAL, null, null, null, 3, null)));
        Files.createDirectories(data.resolve("workspaces/ws"));
        Files.writeString(data.resolve("workspaces/ws/seed.txt"), "seeded");
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("workspace", new WorkspaceComponent(workspaces, 1 << 20, 200, Duration.ofSeconds(5),
                new WorkspaceServices(WorkspaceAccess.SCOPES_ONLY, null, null, null, null, null, 0, unattended)));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(Exception.class).handled(true)
                        .process(e -> outcomes.add("failed: " + e.getProperty("CamelExceptionCaught", Exception.class)
                                .getMessage()));
                from("timer:nightly?repeatCount=1&delay=0").routeId("nightly")
                        .setHeader("workspace", constant(workspace))
                        .setHeader("path", constant(path))
                        .setHeader("content", constant("from the timer"))
                        .to("workspace:ws?operation=" + operation + "&workspaceHeader=workspace")
                        .process(e -> outcomes.add(e.getMessage().getBody(String.class)));
            }
        });
        camel.start();
    }

    String outcome() throws InterruptedException {
        String o = outcomes.poll(10, TimeUnit.SECONDS);
        assertThat(o).as("the timer route ran").isNotNull();
        return o;
    }

    @AfterEach
    void stop() {
        if (camel != null) {
            camel.stop();
        }
        if (workspaces != null) {
            workspaces.close();
        }
    }

    @Test
    void aReadOnlyTimerRouteCannotWriteAndIsToldWhichSettingsAllowIt() throws Exception {
        start(UnattendedAccess.parse(null, "read"), "write_file", "ws", "t.txt");
        assertThat(outcome()).startsWith("failed: ").contains("outside an MCP call").contains("Missing scope: write")
                .contains("caravan.workspace.unattended.operations");
        assertThat(data.resolve("workspaces/ws/t.txt")).doesNotExist();
    }

    @Test
    void aReadOnlyTimerRouteMayRead() throws Exception {
        start(UnattendedAccess.parse(null, "read"), "read_text_file", "ws", "seed.txt");
        assertThat(outcome()).isEqualTo("seeded");
    }

    @Test
    void noneRefusesEveryOperation() throws Exception {
        start(UnattendedAccess.parse("*", "none"), "read_text_file", "ws", "seed.txt");
        assertThat(outcome()).contains("Missing scope: read");
    }

    @Test
    void workspacesOutsideTheConfiguredOnesAreRefused() throws Exception {
        start(UnattendedAccess.parse("reports-*", null), "read_text_file", "ws", "seed.txt");
        assertThat(outcome()).contains("may not read in workspace 'ws'").contains("reports-*");
    }

    @Test
    void byDefaultTimerRoutesUseTheDeclaredWorkspacesButNotOnesAgentsCreated() throws Exception {
        start(UnattendedAccess.DEFAULT, "write_file", "agent-ws", "t.txt");
        // Not declared, not created: the lookup names it missing.
        assertThat(outcome()).contains("no workspace 'agent-ws'");
        workspaces.applyStored(List.of(new WorkspaceConfig("agent-ws", WorkspaceConfig.Backend.LOCAL, null, null,
                null, 3, null)));
        camel.getRouteController().stopRoute("nightly");
        camel.getRouteController().startRoute("nightly");
        assertThat(outcome()).contains("may not write in workspace 'agent-ws'");
        assertThat(data.resolve("workspaces/agent-ws/t.txt")).doesNotExist();
    }

    @Test
    void theDefaultLetsTimerRoutesWriteDeclaredWorkspaces() throws Exception {
        start(UnattendedAccess.DEFAULT, "write_file", "ws", "t.txt");
        assertThat(outcome()).startsWith("Wrote 't.txt'");
        assertThat(data.resolve("workspaces/ws/t.txt")).hasContent("from the timer");
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> UnattendedAccess.parse(null, "read,delete"))
                .hasMessageContaining("caravan.workspace.unattended.operations").hasMessageContaining("(or none)");
        assertThatThrownBy(() -> UnattendedAccess.parse("../etc", null))
                .hasMessageContaining("caravan.workspace.unattended.workspaces");
    }
}
