package dev.caravan.workspace;

import dev.caravan.workspace.storage.S3TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The workspace: component on S3 (s3proxy); each test gets its own key prefix in one bucket. */
class S3WorkspaceComponentTest extends WorkspaceComponentContract {
    static S3TestServer s3;
    static final AtomicInteger PREFIXES = new AtomicInteger();

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3TestServer.start(S3TestServer.Store.KEYS);
        s3.createBucket("caravan-test");
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Override
    Workspaces newWorkspaces() {
        Map<String, String> env = Map.of("TEST_S3_KEY", "identity", "TEST_S3_SECRET", "credential");
        return new Workspaces(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), 10, env::get);
    }

    @Override
    WorkspaceConfig config() {
        return new WorkspaceConfig("ws", WorkspaceConfig.Backend.S3, "on s3", null, new WorkspaceConfig.S3(
                "caravan-test", "agents/run-" + PREFIXES.incrementAndGet(), null, s3.endpoint().toString(), true,
                "${TEST_S3_KEY}", "${TEST_S3_SECRET}", true), 3, null);
    }

    @Override
    List<String> secrets() {
        return List.of("caravan-test", "agents/run", "127.0.0.1", "credential");
    }
}
