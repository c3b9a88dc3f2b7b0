package dev.caravan.routes;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.ToDefinition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The loading and status logic on a real Camel context, scanned by hand (no watcher thread). */
class RouteDirectoryTest {
    @TempDir
    Path base;
    private CamelContext camel;
    private RouteDirectory routes;
    private Path dir;
    private long tick = 1_000_000;

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        camel.start();
        dir = base.resolve("routes");
        routes = new RouteDirectory(camel, dir, Duration.ofHours(1));
    }

    @AfterEach
    void stop() throws Exception {
        routes.close();
        camel.close();
    }

    private static String route(String id, String from, String to) {
        return """
                - route:
                    id: %s
                    from:
                      uri: %s
                      steps:
                        - to: %s
                """.formatted(id, from, to);
    }

    @Test
    void revertingABrokenFileToTheServingVersionClearsTheFailure() throws Exception {
        String good = route("r1", "direct:one", "log:one");
        write("a.yaml", good);
        assertThat(status("a.yaml").state()).isEqualTo("loaded");

        write("a.yaml", route("r1", "direct:one", "nosuch:thing"));
        RouteFileStatus failed = status("a.yaml");
        assertThat(failed.state()).isEqualTo("failed");
        assertThat(failed.servingPrevious()).isTrue();

        write("a.yaml", good);
        RouteFileStatus back = status("a.yaml");
        assertThat(back.state()).isEqualTo("loaded");
        assertThat(back.error()).isNull();
        assertThat(back.line()).isNull();
        assertThat(back.errors()).isEmpty();
        assertThat(back.routes()).containsExactly("r1");
        assertThat(camel.getRoute("r1")).isNotNull();
    }

    @Test
    void everyBrokenRouteInAFileIsReportedWithItsLine() throws Exception {
        write("many.yaml", route("ok", "direct:ok", "log:ok")
                + route("bad-option", "direct:two", "log:two?noSuchOption=1")
                + route("bad-component", "direct:three", "nosuch:thing"));
        RouteFileStatus s = status("many.yaml");
        assertThat(s.state()).isEqualTo("failed");
        assertThat(s.errors()).hasSize(2);
        assertThat(s.errors().get(0).line()).isEqualTo(12);
        assertThat(s.errors().get(0).reason()).contains("noSuchOption");
        assertThat(s.errors().get(1).line()).isEqualTo(18);
        assertThat(s.errors().get(1).reason()).contains("nosuch");
        // The first problem stays in the single fields older clients read.
        assertThat(s.line()).isEqualTo(12);
        assertThat(s.error()).isEqualTo(s.errors().get(0).reason());
        assertThat(camel.getRoutes()).isEmpty();
    }

    @Test
    void routesThatFailOnlyWhenStartedAreAllReportedAndThePreviousVersionServesOn() throws Exception {
        write("start.yaml", route("first", "direct:a", "log:a"));
        // Two consumers of one direct endpoint fail when started, not when resolved; so do two of the other.
        write("start.yaml", route("first", "direct:a", "log:a") + route("second", "direct:a", "log:b")
                + route("third", "direct:c", "log:c") + route("fourth", "direct:c", "log:d"));
        RouteFileStatus s = status("start.yaml");
        assertThat(s.state()).isEqualTo("failed");
        assertThat(s.errors()).extracting(RouteFileStatus.Problem::reason)
                .satisfiesExactly(r -> assertThat(r).contains("direct://a"), r -> assertThat(r).contains("direct://c"));
        assertThat(s.errors()).extracting(RouteFileStatus.Problem::line).containsExactly(10, 22);
        assertThat(s.servingPrevious()).isTrue();
        assertThat(s.routes()).containsExactly("first");
        assertThat(camel.getRoutes()).extracting(r -> r.getRouteId()).containsExactly("first");
    }

    @Test
    void aYamlSyntaxErrorIsOneProblem() throws Exception {
        write("syntax.yaml", "- route:\n    id: x\n    from:\n      uri: \"direct:x\n");
        RouteFileStatus s = status("syntax.yaml");
        assertThat(s.state()).isEqualTo("failed");
        assertThat(s.errors()).hasSize(1);
        assertThat(s.errors().get(0).line()).isEqualTo(s.line());
        assertThat(s.line()).isNotNull();
    }

    @Test
    void aTemplateFileChangedIsReplacedAndOneDeletedIsGone() throws Exception {
        write("templates.yaml", template("log:first"));
        assertThat(templateUris()).containsExactly("log:first");

        write("templates.yaml", template("log:second"));
        assertThat(templateUris()).as("the changed file's template replaces its old version").containsExactly("log:second");

        write("templates.yaml", template("nosuch:thing") + "  broken: [");
        assertThat(templateUris()).as("a broken edit leaves the serving template alone").containsExactly("log:second");

        Files.delete(dir.resolve("templates.yaml"));
        routes.scan();
        assertThat(((ModelCamelContext) camel).getRouteTemplateDefinitions()).isEmpty();
    }

    private static String template(String to) {
        return """
                - routeTemplate:
                    id: greet
                    parameters:
                      - name: who
                    from:
                      uri: "direct:greet-{{who}}"
                      steps:
                        - to: "%s"
                """.formatted(to);
    }

    private List<String> templateUris() {
        return ((ModelCamelContext) camel).getRouteTemplateDefinitions().stream()
                .map(t -> ((ToDefinition) t.getRoute().getOutputs().get(0)).getUri()).toList();
    }

    private void write(String name, String yaml) throws Exception {
        Files.createDirectories(dir);
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        // A distinct stamp each time, as the watcher compares modification time and size.
        Files.setLastModifiedTime(f, FileTime.fromMillis(tick += 1000));
        routes.scan();
    }

    private RouteFileStatus status(String name) {
        List<RouteFileStatus> all = routes.status();
        return all.stream().filter(s -> s.file().equals("routes/" + name)).findFirst().orElseThrow();
    }
}
