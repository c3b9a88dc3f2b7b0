package dev.caravan.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.support.ToolCalls;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Caravan as a drop-in for the reference filesystem server ({@code @modelcontextprotocol/server-filesystem}, run from
 * test-peers over stdio on a temp directory): the same scripted session against both, compared field by field. Where
 * the answers may differ, the difference is one of {@link #ALLOWED}, each with its reason; every allowed difference
 * must actually be seen, so the list stays true when either side changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReferenceFilesystemIT extends CaravanIntegrationTest {
    static final Path PEERS = Path.of("test-peers").toAbsolutePath();
    static final Path NODE = PEERS.resolve("node_modules/node/bin/node");
    static final Path SCRIPT = PEERS.resolve("node_modules/@modelcontextprotocol/server-filesystem/dist/index.js");

    /** Every way Caravan's answers may differ from the reference server's, and why. */
    static final Map<String, String> ALLOWED = Map.ofEntries(
            Map.entry("metadata-block", "read_text_file / read_file / list_allowed_directories add a second text "
                    + "block (line range, final newline, size, etag; the workspaces), after the reference's text"),
            Map.entry("write-message", "write_file, create_directory and move_file answer in Caravan's words and name "
                    + "the etag and whether a version was kept"),
            Map.entry("tail-final-newline", "the reference's tail counts the empty string after a final newline as a "
                    + "line (tail 2 of 'a\\nb\\nc\\n' is 'c\\n'); Caravan returns the last 2 lines"),
            Map.entry("edit-wording", "edit_file: Caravan says what it did before the diff, and its diff headers are "
                    + "a/PATH b/PATH (git's), not the host path with 'original'/'modified'; the hunks are the same"),
            Map.entry("ambiguous-edit", "edit_file refuses an oldText that matches more than once (the reference "
                    + "replaces the first match): a silent edit of the wrong place is worse than a retry"),
            Map.entry("error-wording", "error messages are Caravan's own: actionable, and never a host path"),
            Map.entry("listing-order", "the reference lists in readdir order, Caravan by name"),
            Map.entry("sizes-format", "list_directory_with_sizes: Caravan does not pad columns; the totals agree"),
            Map.entry("workspace-relative-paths", "search_files gives paths relative to the workspace root; the "
                    + "reference gives host paths, which a workspace has none of"),
            Map.entry("file-info-times", "get_file_info: workspaces keep no creation or access time ('unknown'), "
                    + "modified is ISO-8601, not JavaScript's Date string"),
            Map.entry("file-info-permissions", "get_file_info permissions are the caller's rights here (rw- / r--), "
                    + "not host mode bits"),
            Map.entry("file-info-extra", "get_file_info adds path, type, etag and versions after the reference's fields"),
            Map.entry("allowed-root", "list_allowed_directories: each workspace is a virtual root '/', not a host path"),
            Map.entry("multiple-files-separator", "read_multiple_files does not add a blank line after each file's "
                    + "content: the content is given exactly"),
            Map.entry("media-structured", "read_media_file returns no structuredContent (its content blocks are the "
                    + "result); Caravan declares no outputSchema for it"),
            Map.entry("extra-arguments", "Caravan's tools take more arguments (workspace, offset/limit, ifMatch, "
                    + "lockToken, ...) beside every reference argument"));

    final Set<String> seen = new TreeSet<>();
    Path root;
    McpSyncClient reference;
    McpSyncClient caravan;

    @BeforeAll
    void start() throws IOException {
        assertThat(NODE).as("test peers: run npm ci in test-peers").isExecutable();
        assertThat(SCRIPT).as("test peers: run npm ci in test-peers").exists();
        root = Files.createTempDirectory("reference-fs").toRealPath();
        reference = McpClient.sync(new StdioClientTransport(ServerParameters.builder(NODE.toString())
                        .args(SCRIPT.toString(), root.toString()).build(), McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(30)).build();
        reference.initialize();
        installRoutes("workspace");
        caravan = initialized(streamableClient(publish("files", "workspace")));
    }

    @AfterAll
    void stop() {
        if (reference != null) {
            reference.closeGracefully();
        }
        if (caravan != null) {
            caravan.closeGracefully();
        }
    }

    /** One tool's answers from both servers. */
    record Pair(String tool, McpSchema.CallToolResult ref, McpSchema.CallToolResult car) {
        String refText() {
            return text(ref, 0);
        }

        String carText() {
            return text(car, 0);
        }

        static String text(McpSchema.CallToolResult r, int i) {
            return ((McpSchema.TextContent) r.content().get(i)).text();
        }
    }

    /** Calls both, checks what must always agree (error or not, the text block first, structuredContent). */
    Pair both(String tool, Object... args) {
        McpSchema.CallToolResult ref = ToolCalls.call(reference, tool, args);
        McpSchema.CallToolResult car = ToolCalls.call(caravan, tool, args);
        Pair p = new Pair(tool, ref, car);
        String what = tool + " " + List.of(args) + "\nreference: " + ref + "\ncaravan: " + car;
        assertThat(Boolean.TRUE.equals(car.isError())).as("isError of " + what).isEqualTo(Boolean.TRUE.equals(ref.isError()));
        assertThat(car.content().get(0)).as(what).isInstanceOf(McpSchema.TextContent.class);
        if (!Boolean.TRUE.equals(ref.isError())) {
            assertThat(ref.structuredContent()).as("reference structuredContent " + what)
                    .isEqualTo(Map.of("content", p.refText()));
            assertThat(car.structuredContent()).as("caravan structuredContent " + what)
                    .isEqualTo(Map.of("content", p.carText()));
            if (car.content().size() > 1) {
                allowed("metadata-block");
                assertThat(car.content()).hasSize(2);
                assertThat(Pair.text(car, 1)).startsWith("[").endsWith("]");
            }
        } else if (!p.refText().equals(p.carText())) {
            allowed("error-wording");
            assertThat(p.carText()).doesNotContain(root.toString()).doesNotContain(dataDir.toString());
        }
        return p;
    }

    void allowed(String difference) {
        assertThat(ALLOWED).as("an undeclared difference").containsKey(difference);
        seen.add(difference);
    }

    void same(Pair p) {
        assertThat(p.carText()).as(p.tool()).isEqualTo(p.refText());
    }

    @Test
    void theSameSessionGivesTheSameResultsExceptForTheListedDifferences() throws Exception {
        sameTools();

        Pair mkdir = both("create_directory", "path", "notes/sub");
        allowed("write-message");
        assertThat(mkdir.carText()).contains("notes/sub");
        Pair write = both("write_file", "path", "notes/a.md", "content", "alpha\nbeta\ngamma\n");
        allowed("write-message");
        assertThat(write.carText()).contains("notes/a.md");
        both("write_file", "path", "notes/sub/c.txt", "content", "no final newline");

        same(both("read_text_file", "path", "notes/a.md"));
        assertThat(both("read_text_file", "path", "notes/a.md").carText()).isEqualTo("alpha\nbeta\ngamma\n");
        same(both("read_text_file", "path", "notes/sub/c.txt"));
        same(both("read_text_file", "path", "notes/a.md", "head", 2));
        Pair tail = both("read_text_file", "path", "notes/a.md", "tail", 2);
        assertThat(tail.refText()).isEqualTo("gamma\n");
        assertThat(tail.carText()).isEqualTo("beta\ngamma\n");
        allowed("tail-final-newline");
        same(both("read_file", "path", "notes/a.md"));

        List<Map<String, String>> edits = List.of(Map.of("oldText", "beta", "newText", "BETA"));
        Pair dry = both("edit_file", "path", "notes/a.md", "edits", edits, "dryRun", true);
        sameHunks(dry);
        gitApplies("alpha\nbeta\ngamma\n", dry.carText(), "alpha\nBETA\ngamma\n");
        same(both("read_text_file", "path", "notes/a.md"));
        Pair edit = both("edit_file", "path", "notes/a.md", "edits", edits);
        sameHunks(edit);
        same(both("read_text_file", "path", "notes/a.md"));
        Pair tailless = both("edit_file", "path", "notes/sub/c.txt", "edits",
                List.of(Map.of("oldText", "final", "newText", "trailing")));
        sameHunks(tailless);
        assertThat(tailless.carText()).contains("\\ No newline at end of file");
        same(both("read_text_file", "path", "notes/sub/c.txt"));
        both("edit_file", "path", "notes/a.md", "edits", List.of(Map.of("oldText", "delta", "newText", "x")));

        both("write_file", "path", "notes/dup.txt", "content", "x\ny\nx\n");
        McpSchema.CallToolResult refDup = ToolCalls.call(reference, "edit_file", "path", "notes/dup.txt",
                "edits", List.of(Map.of("oldText", "x", "newText", "z")), "dryRun", true);
        McpSchema.CallToolResult carDup = ToolCalls.call(caravan, "edit_file", "path", "notes/dup.txt",
                "edits", List.of(Map.of("oldText", "x", "newText", "z")), "dryRun", true);
        assertThat(refDup.isError()).isNotEqualTo(true);
        assertThat(carDup.isError()).isTrue();
        assertThat(Pair.text(carDup, 0)).contains("occurs 2 times").contains("Nothing was written");
        allowed("ambiguous-edit");

        Pair list = both("list_directory", "path", "notes");
        assertThat(sortedLines(list.carText())).isEqualTo(sortedLines(list.refText()));
        assertThat(list.carText().lines().map(l -> l.substring(l.indexOf(' ') + 1)).toList()).isSorted();
        allowed("listing-order");
        Pair sizes = both("list_directory_with_sizes", "path", "notes");
        assertThat(lastLines(sizes.carText())).isEqualTo(lastLines(sizes.refText()));
        assertThat(squeeze(sizes.carText()).lines().collect(Collectors.toSet()))
                .isEqualTo(squeeze(sizes.refText()).lines().collect(Collectors.toSet()));
        allowed("sizes-format");
        Pair tree = both("directory_tree", "path", "notes");
        assertThat(sortedTree(json(tree.carText()))).isEqualTo(sortedTree(json(tree.refText())));
        Pair excluded = both("directory_tree", "path", "notes", "excludePatterns", List.of("sub"));
        assertThat(sortedTree(json(excluded.carText()))).isEqualTo(sortedTree(json(excluded.refText())));

        Pair search = both("search_files", "path", "notes", "pattern", "**/*.txt");
        assertThat(new TreeSet<>(search.carText().lines().toList())).isEqualTo(new TreeSet<>(
                search.refText().lines().map(l -> root.relativize(Path.of(l)).toString()).toList()));
        allowed("workspace-relative-paths");

        Pair info = both("get_file_info", "path", "notes/a.md");
        Map<String, String> refInfo = keyValues(info.refText());
        Map<String, String> carInfo = keyValues(info.carText());
        assertThat(carInfo.keySet()).containsAll(refInfo.keySet());
        assertThat(List.copyOf(carInfo.keySet()).subList(0, refInfo.size())).isEqualTo(List.copyOf(refInfo.keySet()));
        for (String key : List.of("size", "isDirectory", "isFile")) {
            assertThat(carInfo.get(key)).as(key).isEqualTo(refInfo.get(key));
        }
        assertThat(carInfo.get("created")).isEqualTo("unknown");
        assertThat(java.time.Instant.parse(carInfo.get("modified"))).isAfter(java.time.Instant.now().minusSeconds(600));
        allowed("file-info-times");
        assertThat(refInfo.get("permissions")).matches("[0-7]{3}");
        assertThat(carInfo.get("permissions")).isEqualTo("rw-");
        allowed("file-info-permissions");
        assertThat(carInfo).containsKeys("path", "type", "etag", "versions");
        allowed("file-info-extra");
        Map<String, String> dirInfo = keyValues(both("get_file_info", "path", "notes/sub").carText());
        assertThat(dirInfo).containsEntry("isDirectory", "true").containsEntry("isFile", "false");

        Pair multiple = both("read_multiple_files", "paths", List.of("notes/a.md", "notes/nope.md"));
        assertThat(multiple.refText()).startsWith("notes/a.md:\nalpha\nBETA\ngamma\n\n\n---\nnotes/nope.md: Error - ");
        assertThat(multiple.carText()).startsWith("notes/a.md:\nalpha\nBETA\ngamma\n\n---\nnotes/nope.md: Error - ");
        allowed("multiple-files-separator");

        Pair move = both("move_file", "source", "notes/a.md", "destination", "notes/b.md");
        assertThat(move.carText()).contains("notes/a.md").contains("notes/b.md");
        both("move_file", "source", "notes/b.md", "destination", "notes/dup.txt");
        same(both("read_text_file", "path", "notes/b.md"));

        both("read_text_file", "path", "notes/missing.md");
        both("read_text_file", "path", "../outside.txt");
        both("write_file", "path", "../../outside.txt", "content", "x");
        both("list_directory", "path", "..");
        assertThat(root.resolveSibling("outside.txt")).doesNotExist();

        Pair roots = both("list_allowed_directories");
        assertThat(roots.refText()).isEqualTo("Allowed directories:\n" + root);
        assertThat(roots.carText()).isEqualTo("Allowed directories:\n/");
        assertThat(Pair.text(roots.car(), 1)).contains("default");
        allowed("allowed-root");

        // The reference's files and Caravan's workspace hold the same content after the session.
        Path workspace = dataDir.resolve("workspaces/default");
        for (String file : List.of("notes/b.md", "notes/dup.txt", "notes/sub/c.txt")) {
            assertThat(workspace.resolve(file)).as(file).hasSameBinaryContentAs(root.resolve(file));
        }

        assertThat(seen).as("every allowed difference is still one").containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
    }

    /** Every reference tool exists in Caravan, with every reference argument, its outputSchema and read-only hint. */
    void sameTools() {
        Map<String, McpSchema.Tool> ref = reference.listTools().tools().stream()
                .collect(Collectors.toMap(McpSchema.Tool::name, Function.identity()));
        Map<String, McpSchema.Tool> car = caravan.listTools().tools().stream()
                .collect(Collectors.toMap(McpSchema.Tool::name, Function.identity()));
        assertThat(car.keySet()).containsAll(ref.keySet());
        for (McpSchema.Tool r : ref.values()) {
            McpSchema.Tool c = car.get(r.name());
            Map<?, ?> refProps = (Map<?, ?>) r.inputSchema().get("properties");
            Map<?, ?> carProps = (Map<?, ?>) c.inputSchema().get("properties");
            Set<Object> carNames = carProps == null ? Set.of() : Set.copyOf(carProps.keySet());
            Set<Object> refNames = refProps == null ? Set.of() : Set.copyOf(refProps.keySet());
            assertThat(carNames).as(r.name()).containsAll(refNames);
            if (carProps != null && refProps != null && carProps.size() > refProps.size()) {
                allowed("extra-arguments");
            }
            assertThat(c.annotations().readOnlyHint()).as(r.name()).isEqualTo(r.annotations().readOnlyHint());
            if (r.name().equals("read_media_file")) {
                assertThat(c.outputSchema()).isNull();
                allowed("media-structured");
                continue;
            }
            Map<?, ?> refOut = (Map<?, ?>) r.outputSchema().get("properties");
            Map<?, ?> carOut = (Map<?, ?>) c.outputSchema().get("properties");
            assertThat(carOut).as(r.name()).isEqualTo(refOut);
            assertThat(c.outputSchema().get("required")).as(r.name()).isEqualTo(r.outputSchema().get("required"));
        }
    }

    /** The hunks of both diffs are the same (headers differ: host path and labels vs a/PATH b/PATH). */
    void sameHunks(Pair p) {
        assertThat(hunks(p.carText())).as(p.carText()).isEqualTo(hunks(p.refText()));
        allowed("edit-wording");
    }

    static String hunks(String answer) {
        int start = answer.indexOf("\n@@ ");
        int end = answer.indexOf("\n```", start);
        assertThat(start).as(answer).isPositive();
        return answer.substring(start + 1, end + 1);
    }

    static void gitApplies(String before, String answer, String after) throws IOException, InterruptedException {
        Path repo = Files.createTempDirectory("git-apply");
        String diff = answer.substring(answer.indexOf("--- a/"), answer.indexOf("\n```", answer.indexOf("--- a/")) + 1);
        String path = diff.substring("--- a/".length(), diff.indexOf('\n'));
        Files.createDirectories(repo.resolve(path).getParent());
        Files.writeString(repo.resolve(path), before);
        Path patch = Files.writeString(Files.createTempFile("edit", ".patch"), diff);
        git(repo, "init", "-q");
        git(repo, "apply", "--check", patch.toString());
        git(repo, "apply", patch.toString());
        assertThat(Files.readString(repo.resolve(path))).isEqualTo(after);
    }

    static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("git " + String.join(" ", args) + ": " + out).isZero();
    }

    static List<String> sortedLines(String text) {
        return text.lines().sorted().toList();
    }

    static List<String> lastLines(String text) {
        List<String> lines = text.lines().toList();
        return lines.subList(lines.size() - 2, lines.size());
    }

    static String squeeze(String text) {
        return text.lines().map(l -> l.strip().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty())
                .collect(Collectors.joining("\n"));
    }

    static Map<String, String> keyValues(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        text.lines().forEach(l -> map.put(l.substring(0, l.indexOf(':')), l.substring(l.indexOf(':') + 1).strip()));
        return map;
    }

    /** A directory tree with every level sorted by name, as a comparable value. */
    static Object sortedTree(JsonNode node) {
        if (node.isArray()) {
            List<Object> entries = new ArrayList<>();
            node.forEach(e -> entries.add(sortedTree(e)));
            entries.sort(Comparator.comparing(Object::toString));
            return entries;
        }
        Map<String, Object> entry = new TreeMap<>();
        node.fields().forEachRemaining(f -> entry.put(f.getKey(), f.getValue().isContainerNode()
                ? sortedTree(f.getValue()) : f.getValue().asText()));
        return entry;
    }
}
