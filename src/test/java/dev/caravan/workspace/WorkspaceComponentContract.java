package dev.caravan.workspace;

import dev.caravan.tool.Headers;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.component.WorkspaceComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code workspace:} component on a real Camel context against a real backend; subclasses give the backend.
 * Each test gets a fresh workspace named {@code ws} that keeps 3 versions per file.
 */
abstract class WorkspaceComponentContract {
    CamelContext camel;
    ProducerTemplate template;
    Workspaces workspaces;

    /** The workspace under test, as workspaces.yaml would declare it (name "ws", 3 versions). */
    abstract WorkspaceConfig config();

    /** Strings that must never appear in a message to the agent (host paths, bucket, endpoint). */
    abstract List<String> secrets();

    abstract Workspaces newWorkspaces();

    @BeforeEach
    void start() throws Exception {
        workspaces = newWorkspaces();
        workspaces.apply(List.of(config()));
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("workspace", new WorkspaceComponent(workspaces, 1 << 20, 200, Duration.ofSeconds(5)));
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
        workspaces.close();
    }

    Exchange call(String op, Object... headers) {
        Map<String, Object> h = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.put((String) headers[i], headers[i + 1]);
        }
        return template.send("workspace:ws?operation=" + op + "&workspaceHeader=workspace",
                ex -> ex.getMessage().setHeaders(h));
    }

    String ok(String op, Object... headers) {
        Exchange ex = call(op, headers);
        if (ex.getException() != null) {
            throw new AssertionError(op + " failed: " + ex.getException().getMessage(), ex.getException());
        }
        return ex.getMessage().getBody(String.class);
    }

    String failure(String op, Object... headers) {
        Exchange ex = call(op, headers);
        assertThat(ex.getException()).as(op + " should fail").isInstanceOf(ToolFailure.class);
        String message = ex.getException().getMessage();
        for (String secret : secrets()) {
            assertThat(message).doesNotContain(secret);
        }
        return message;
    }

    static String lines(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            b.append("line ").append(i).append('\n');
        }
        return b.toString();
    }

    @Test
    void writesAndReadsWholeHeadTailAndRange() {
        assertThat(ok("write_file", "path", "docs/a.txt", "content", lines(10))).startsWith("Wrote 'docs/a.txt' (");
        // The whole file comes back as it is, final newline included, so read -> edit -> write changes nothing else.
        Exchange whole = call("read_text_file", "path", "docs/a.txt");
        assertThat(whole.getMessage().getBody(String.class)).isEqualTo(lines(10));
        assertThat(whole.getMessage().getHeader("CaravanWorkspaceFinalNewline")).isEqualTo(true);
        assertThat(whole.getMessage().getHeader("CaravanWorkspaceSummary", String.class)).contains("ends with a newline");
        Exchange head = call("read_text_file", "path", "docs/a.txt", "head", 2);
        assertThat(head.getMessage().getBody(String.class)).isEqualTo("line 1\nline 2");
        assertThat(head.getMessage().getHeader("CaravanWorkspaceTotalLines")).isEqualTo(10);
        assertThat(head.getMessage().getHeader("CaravanWorkspaceSummary", String.class)).contains("lines 1-2 of 10");
        Exchange tail = call("read_text_file", "path", "docs/a.txt", "tail", 3);
        assertThat(tail.getMessage().getBody(String.class)).isEqualTo("line 8\nline 9\nline 10\n");
        assertThat(tail.getMessage().getHeader("CaravanWorkspaceLines")).isEqualTo("8-10");
        assertThat(ok("read_text_file", "path", "docs/a.txt", "offset", 4, "limit", 2)).isEqualTo("line 4\nline 5");
        assertThat(failure("read_text_file", "path", "docs/a.txt", "head", 1, "tail", 1)).contains("not both");
        assertThat(ok("read_text_file", "path", "docs/a.txt", "offset", 20)).isEmpty();
        ok("write_file", "path", "docs/crlf.txt", "content", "one\r\ntwo");
        Exchange crlf = call("read_text_file", "path", "docs/crlf.txt");
        assertThat(crlf.getMessage().getBody(String.class)).isEqualTo("one\r\ntwo");
        assertThat(crlf.getMessage().getHeader("CaravanWorkspaceFinalNewline")).isEqualTo(false);
        assertThat(crlf.getMessage().getHeader("CaravanWorkspaceSummary", String.class)).contains("no newline at the end");
        assertThat(ok("read_text_file", "path", "docs/crlf.txt", "head", 1)).isEqualTo("one");
        assertThat(ok("read_multiple_files", "paths", List.of("docs/a.txt", "nope.txt")))
                .contains("docs/a.txt:\nline 1").contains("nope.txt: Error - 'nope.txt' does not exist");
    }

    @Test
    void createOnlyAndIfMatchProtectOtherWriters() {
        ok("write_file", "path", "a.txt", "content", "one");
        String etag = call("get_file_info", "path", "a.txt").getMessage().getHeader("CaravanWorkspaceEtag", String.class);
        assertThat(failure("write_file", "path", "a.txt", "content", "x", "createOnly", true)).contains("already exists");
        ok("write_file", "path", "a.txt", "content", "two", "ifMatch", etag);
        assertThat(failure("write_file", "path", "a.txt", "content", "three", "ifMatch", etag)).contains("etag");
        assertThat(ok("read_text_file", "path", "a.txt")).isEqualTo("two");
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
        ok("write_file", "path", "img/x.png", "content", Base64.getEncoder().encodeToString(png), "encoding", "base64");
        Exchange media = call("read_media_file", "path", "img/x.png");
        assertThat(media.getMessage().getBody(byte[].class)).isEqualTo(png);
        assertThat(media.getMessage().getHeader(Headers.MIME_TYPE)).isEqualTo("image/png");
        assertThat(failure("read_text_file", "path", "img/x.png")).contains("read_media_file");
    }

    @Test
    void editsWithDryRunToleranceAndNearestCandidate() {
        ok("write_file", "path", "code.py", "content", "def f():\n    return 1\n\ndef g():\n    return 2\n");
        String dry = ok("edit_file", "path", "code.py", "dryRun", true,
                "edits", List.of(Map.of("oldText", "return 1", "newText", "return 10")));
        assertThat(dry).contains("Dry run").contains("-    return 1").contains("+    return 10").contains("@@ -1,");
        assertThat(ok("read_text_file", "path", "code.py")).contains("return 1\n");
        // Indentation differs from the file's: matched line by line, re-indented.
        ok("edit_file", "path", "code.py", "edits", List.of(
                Map.of("oldText", "def g():\n  return 2", "newText", "def g():\n  return 20"),
                Map.of("oldText", "return 1", "newText", "return 10")));
        assertThat(ok("read_text_file", "path", "code.py"))
                .isEqualTo("def f():\n    return 10\n\ndef g():\n    return 20\n");
        String miss = failure("edit_file", "path", "code.py",
                "edits", List.of(Map.of("oldText", "def g():\n    return 21", "newText", "x")));
        assertThat(miss).contains("not found").contains("nearest text is at lines 4-5").contains("return 20")
                .contains("Nothing was written");
        assertThat(failure("edit_file", "path", "code.py",
                "edits", List.of(Map.of("oldText", "return", "newText", "x")))).contains("occurs 2 times");
    }

    @Test
    void movesAndCopiesNeverOverwriteUnlessAsked() {
        ok("write_file", "path", "a.txt", "content", "A");
        ok("write_file", "path", "b.txt", "content", "B");
        assertThat(failure("move_file", "source", "a.txt", "destination", "b.txt")).contains("already exists");
        assertThat(ok("read_text_file", "path", "b.txt")).isEqualTo("B");
        assertThat(ok("copy_file", "source", "a.txt", "destination", "dir/c.txt")).contains("Copied");
        ok("move_file", "source", "a.txt", "destination", "b.txt", "overwrite", true);
        assertThat(ok("read_text_file", "path", "b.txt")).isEqualTo("A");
        assertThat(failure("read_text_file", "path", "a.txt")).contains("does not exist");
        assertThat(ok("list_versions", "path", "b.txt")).contains("replaced by move");
        ok("copy_file", "source", "dir", "destination", "dir2");
        assertThat(ok("read_text_file", "path", "dir2/c.txt")).isEqualTo("A");
        assertThat(failure("delete_file", "path", "dir2")).contains("not empty");
    }

    @Test
    void versionsRestoreOverwritesAndDeletesAndArePruned() {
        for (int i = 1; i <= 5; i++) {
            ok("write_file", "path", "v.txt", "content", "v" + i);
        }
        String list = ok("list_versions", "path", "v.txt");
        assertThat(list.lines().count()).isEqualTo(1 + 3); // header + the 3 kept
        String newest = list.lines().skip(1).findFirst().orElseThrow().split(" ")[0];
        ok("restore_version", "path", "v.txt", "versionId", newest);
        assertThat(ok("read_text_file", "path", "v.txt")).isEqualTo("v4");
        ok("delete_file", "path", "v.txt");
        assertThat(failure("read_text_file", "path", "v.txt")).contains("does not exist");
        String afterDelete = ok("list_versions", "path", "v.txt");
        assertThat(afterDelete).contains("replaced by delete");
        String deleted = afterDelete.lines().skip(1).findFirst().orElseThrow().split(" ")[0];
        ok("restore_version", "path", "v.txt", "versionId", deleted);
        assertThat(ok("read_text_file", "path", "v.txt")).isEqualTo("v4");
        assertThat(failure("restore_version", "path", "v.txt", "versionId", "nope")).contains("list_versions");
        // The versions area is invisible to agents.
        assertThat(ok("list_directory", "path", "")).isEqualTo("[FILE] v.txt");
        assertThat(ok("directory_tree")).doesNotContain("caravan");
        assertThat(ok("search_files", "pattern", "*")).isEqualTo("v.txt");
        assertThat(failure("read_text_file", "path", ".caravan-versions")).contains("reserved");
    }

    @Test
    void listsTreesSearchesAndGreps() {
        ok("write_file", "path", "src/main/App.java", "content", "class App {\n  // TODO fix\n}\n");
        ok("write_file", "path", "src/test/AppTest.java", "content", "class AppTest {}\n");
        ok("write_file", "path", "node_modules/x/index.js", "content", "// TODO not me\n");
        ok("write_file", "path", "README.md", "content", "# Readme\nTODO: write\n");
        ok("create_directory", "path", "empty/dir");
        assertThat(ok("list_directory")).isEqualTo("[FILE] README.md\n[DIR] empty\n[DIR] node_modules\n[DIR] src");
        assertThat(ok("list_directory_with_sizes", "sortBy", "size")).contains("Total: 1 files, 3 directories");
        String tree = ok("directory_tree", "excludePatterns", List.of("node_modules"));
        assertThat(tree).contains("\"App.java\"").contains("\"dir\"").doesNotContain("index.js");
        assertThat(ok("search_files", "pattern", "*.java")).isEqualTo("src/main/App.java\nsrc/test/AppTest.java");
        assertThat(ok("search_files", "path", "src", "pattern", "test/**")).isEqualTo("src/test/AppTest.java");
        String grep = ok("grep_files", "query", "todo", "excludePatterns", List.of("node_modules"));
        assertThat(grep).isEqualTo("README.md:2: TODO: write\nsrc/main/App.java:2: // TODO fix");
        assertThat(ok("grep_files", "query", "T.DO", "regex", true, "include", "*.md")).isEqualTo("README.md:2: TODO: write");
        String info = ok("get_file_info", "path", "README.md");
        assertThat(info).startsWith("size: 21\ncreated: unknown\nmodified: 20").contains("\nisDirectory: false\nisFile: true\n")
                .contains("type: file").contains("etag: ").contains("versions: 0");
        assertThat(ok("list_workspaces")).startsWith("ws (");
    }

    @Test
    void hostilePathsAndUnknownWorkspacesAreRefusedWithoutNamingAnythingOutside() {
        ok("write_file", "path", "a.txt", "content", "x");
        for (String hostile : List.of("../etc/passwd", "/../etc/passwd", "a/../../x", "%2e%2e/x", "a\u0000b", "C:/x",
                "a\\..\\..\\x", "..", "./../x")) {
            String message = failure("read_text_file", "path", hostile);
            assertThat(message).doesNotContain("/tmp").doesNotContain("root:");
            failure("write_file", "path", hostile, "content", "x");
        }
        failure("move_file", "source", "a.txt", "destination", "../a.txt");
        failure("copy_file", "source", "/../etc/passwd", "destination", "p.txt");
        assertThat(failure("list_directory", "workspace", "nope")).contains("no workspace 'nope'")
                .contains("list_workspaces");
        assertThatThrownBy(() -> template.send("workspace:ws?operation=frobnicate", ex -> { }))
                .hasMessageContaining("unknown operation 'frobnicate'");
    }
}
