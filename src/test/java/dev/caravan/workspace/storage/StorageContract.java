package dev.caravan.workspace.storage;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every workspace backend must do, hostile input first. Each backend's test supplies a fresh, empty
 * workspace per test with some files planted just outside it (a sibling whose name extends the workspace's, the
 * parent), and the strings that must never show up in an error message.
 */
abstract class StorageContract {
    /** The per-file limit of the storage under test; small so the cap tests are quick. */
    static final long LIMIT = 16L << 20;

    protected WorkspaceStorage storage;

    /** A storage over this test's workspace, with the given limits (several may exist over the same files). */
    protected abstract WorkspaceStorage open(StorageLimits limits) throws Exception;

    /** Puts files just outside the workspace: in its parent, and in a sibling whose name starts with its name. */
    protected abstract void plantOutside() throws Exception;

    /** The planted files are all there, unchanged, and nothing else appeared outside the workspace. */
    protected abstract void assertOutsideUntouched() throws Exception;

    /** The workspace's last name: "ws" for a root .../ws, so "../ws2" is the sibling trick. */
    protected abstract String workspaceName();

    /** Everything the backend holds, hidden files included, as names relative to the workspace, sorted. */
    protected abstract List<String> rawNames() throws Exception;

    /** Host paths, bucket, prefix, endpoint: none may appear in an error message. */
    protected abstract List<String> forbiddenInMessages();

    /** Whether the backend, as tested here, decides conditional writes atomically under concurrency. */
    protected boolean atomicConditionalWrites() {
        return true;
    }

    @BeforeEach
    void openStorage() throws Exception {
        plantOutside();
        storage = open(new StorageLimits(LIMIT));
    }

    @AfterEach
    void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    // ---- helpers

    static WorkspacePath p(String path) {
        return WorkspacePath.of(path);
    }

    FileInfo write(String path, String text) {
        return storage.write(p(path), in(text), WriteOptions.overwrite());
    }

    static InputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    String text(String path) throws IOException {
        return text(path, ByteRange.ALL);
    }

    String text(String path, ByteRange range) throws IOException {
        try (FileContent content = storage.read(p(path), range)) {
            byte[] bytes = content.stream().readAllBytes();
            assertThat((long) bytes.length).isEqualTo(content.length());
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    List<String> names(Listing listing) {
        return listing.entries().stream().map(e -> e.path() + (e.isDirectory() ? "/" : "")).toList();
    }

    /** Fails with the given type, and a message that names nothing outside the workspace. */
    <T extends StorageException> void assertFails(Class<T> type, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(type).satisfies(e -> assertCleanMessage(e.getMessage()));
    }

    void assertCleanMessage(String message) {
        assertThat(message).isNotBlank();
        for (String forbidden : forbiddenInMessages()) {
            assertThat(message).doesNotContain(forbidden);
        }
    }

    /** A stream that delivers {@code good} bytes and then breaks, like a client that disconnects. */
    static InputStream breaksAfter(int good) {
        return new InputStream() {
            int sent;

            @Override
            public int read() throws IOException {
                if (sent >= good) {
                    throw new IOException("connection reset by peer");
                }
                sent++;
                return 'x';
            }
        };
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    // ---- hostile input

    static Stream<String> hostilePaths() {
        return Stream.of(
                "..", "../x", "../../etc/passwd", "a/../../x", "a/..", "a/b/../../..",
                "%2e%2e/x", "%2E%2E%2Fx", "a%2fb", "..%2fx", "%2e%2e%5cx", "%252e%252e/x", "a/%00",
                "/../x", "//../x", "/a/../../x", "/C:/x",
                "a\\b", "..\\x", "\\\\server\\share", "C:\\Windows\\win.ini", "C:/x", "c:x", "Z:",
                "a\u0000b", "x\u0000", "\u0000", "a\nb", "a\rb", "a\tb", "a\u007fb",
                "...", "a/..../b",
                ".caravan-tmp-1234.part", "a/.caravan-secret",
                "a/\ud800b",
                "invoice\u202Etxt.exe", "a\u0085b", "a\u2028b", "a\u2029b", "zero\u200Bwidth", "\uFEFFbom");
    }

    @ParameterizedTest
    @MethodSource("hostilePaths")
    void hostilePathsAreRejectedByEveryOperation(String raw) throws Exception {
        write("ok.txt", "ok");
        assertFails(PathRejectedException.class, () -> WorkspacePath.of(raw));
        List<ThrowingCallable> operations = List.of(
                () -> storage.find(WorkspacePath.of(raw)),
                () -> storage.read(WorkspacePath.of(raw), ByteRange.ALL),
                () -> storage.write(WorkspacePath.of(raw), in("pwned"), WriteOptions.overwrite()),
                () -> storage.createDirectory(WorkspacePath.of(raw)),
                () -> storage.delete(WorkspacePath.of(raw), Precondition.none()),
                () -> storage.move(p("ok.txt"), WorkspacePath.of(raw), Precondition.none()),
                () -> storage.copy(p("ok.txt"), WorkspacePath.of(raw), Precondition.none()),
                () -> storage.list(WorkspacePath.of(raw), 100),
                () -> storage.walk(WorkspacePath.of(raw), WalkOptions.limit(100)));
        for (ThrowingCallable operation : operations) {
            assertFails(PathRejectedException.class, operation);
        }
        assertThat(text("ok.txt")).isEqualTo("ok");
        assertOutsideUntouched();
    }

    @Test
    void theSiblingPrefixTrickIsRejected() throws Exception {
        String sibling = "../" + workspaceName() + "2/secret.txt";
        assertFails(PathRejectedException.class, () -> storage.read(WorkspacePath.of(sibling), ByteRange.ALL));
        assertFails(PathRejectedException.class, () -> write(sibling, "pwned"));
        assertFails(PathRejectedException.class, () -> storage.list(WorkspacePath.of("../" + workspaceName() + "2"), 9));
        // A name inside the workspace that merely looks like the sibling stays inside it.
        write(workspaceName() + "2/secret.txt", "mine");
        assertThat(text(workspaceName() + "2/secret.txt")).isEqualTo("mine");
        assertOutsideUntouched();
    }

    @Test
    void nothingOutsideTheWorkspaceIsListed() throws Exception {
        write("a.txt", "a");
        assertThat(names(storage.list(WorkspacePath.ROOT, 100))).containsExactly("a.txt");
        assertThat(names(storage.walk(WorkspacePath.ROOT, WalkOptions.limit(100)))).containsExactly("a.txt");
        assertThat(storage.find(p("secret.txt"))).isEmpty();
        assertThat(storage.find(p(workspaceName() + "2"))).isEmpty();
    }

    @Test
    void messagesNameOnlyWorkspacePathsAndSayWhatToDo() {
        write("a.txt", "a");
        storage.createDirectory(p("d/e"));
        FileInfo info = storage.stat(p("a.txt"));
        write("a.txt", "changed");
        List<ThrowingCallable> failures = List.of(
                () -> storage.read(p("missing.txt"), ByteRange.ALL),
                () -> storage.read(p("d"), ByteRange.ALL),
                () -> storage.write(p("a.txt"), in("x"), WriteOptions.createOnly()),
                () -> storage.write(p("a.txt"), in("x"), WriteOptions.ifMatch(info.etag())),
                () -> storage.write(p("a.txt/b"), in("x"), WriteOptions.overwrite()),
                () -> storage.delete(p("d"), Precondition.none()),
                () -> storage.list(p("a.txt"), 10),
                () -> storage.move(p("a.txt"), p("d"), Precondition.none()),
                () -> storage.delete(WorkspacePath.ROOT, Precondition.none()));
        for (ThrowingCallable failure : failures) {
            assertThatThrownBy(failure).isInstanceOf(StorageException.class)
                    .satisfies(e -> assertCleanMessage(e.getMessage()))
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("'a.txt", "'d'", "'missing.txt'",
                            "workspace root"));
        }
        assertThatThrownBy(() -> storage.write(p("a.txt"), in("x"), WriteOptions.ifMatch(info.etag())))
                .hasMessage("File 'a.txt' was changed since you read it (etag mismatch); read it again and retry.");
    }

    // ---- read and write

    @Test
    void writesAndReadsFilesCreatingParents() throws Exception {
        FileInfo written = write("docs/notes/today.md", "# Today\n");
        assertThat(written.path()).isEqualTo(p("docs/notes/today.md"));
        assertThat(written.isFile()).isTrue();
        assertThat(written.size()).isEqualTo(8);
        assertThat(written.etag()).isNotBlank();
        assertThat(text("docs/notes/today.md")).isEqualTo("# Today\n");
        FileInfo stat = storage.stat(p("docs/notes/today.md"));
        assertThat(stat.etag()).isEqualTo(written.etag());
        assertThat(stat.size()).isEqualTo(8);
        assertThat(stat.modified()).isNotNull();
        assertThat(storage.stat(p("docs/notes")).isDirectory()).isTrue();
        assertThat(storage.stat(p("docs")).isDirectory()).isTrue();
        assertThat(storage.stat(WorkspacePath.ROOT).isDirectory()).isTrue();
        assertThat(text("./docs//notes/today.md")).isEqualTo("# Today\n");
    }

    @Test
    void readsCarryTheInfoOfTheVersionRead() throws Exception {
        FileInfo written = write("a.txt", "hello");
        try (FileContent content = storage.read(p("a.txt"), ByteRange.ALL)) {
            assertThat(content.info().etag()).isEqualTo(written.etag());
            assertThat(content.info().size()).isEqualTo(5);
            assertThat(content.offset()).isZero();
            assertThat(content.length()).isEqualTo(5);
        }
    }

    @Test
    void readsRanges() throws Exception {
        write("digits.txt", "0123456789");
        assertThat(text("digits.txt", ByteRange.from(7))).isEqualTo("789");
        assertThat(text("digits.txt", ByteRange.of(2, 3))).isEqualTo("234");
        assertThat(text("digits.txt", ByteRange.of(8, 100))).isEqualTo("89");
        assertThat(text("digits.txt", ByteRange.last(4))).isEqualTo("6789");
        assertThat(text("digits.txt", ByteRange.last(100))).isEqualTo("0123456789");
        assertThat(text("digits.txt", ByteRange.from(10))).isEmpty();
        assertThat(text("digits.txt", ByteRange.from(50))).isEmpty();
        assertThat(text("digits.txt", ByteRange.of(3, 0))).isEmpty();
        try (FileContent content = storage.read(p("digits.txt"), ByteRange.of(2, 3))) {
            assertThat(content.offset()).isEqualTo(2);
            assertThat(content.length()).isEqualTo(3);
            assertThat(content.info().size()).isEqualTo(10);
        }
        try (FileContent content = storage.read(p("digits.txt"), ByteRange.from(50))) {
            assertThat(content.length()).isZero();
            assertThat(content.info().size()).isEqualTo(10);
        }
    }

    @Test
    void readsEmptyFiles() throws Exception {
        write("empty.txt", "");
        assertThat(storage.stat(p("empty.txt")).size()).isZero();
        assertThat(text("empty.txt")).isEmpty();
        assertThat(text("empty.txt", ByteRange.last(5))).isEmpty();
        assertThat(text("empty.txt", ByteRange.from(1))).isEmpty();
    }

    @Test
    void closingAPartlyReadStreamIsFine() throws Exception {
        storage.write(p("big.bin"), new ByteArrayInputStream(randomBytes(2 << 20, 1)), WriteOptions.overwrite());
        try (FileContent content = storage.read(p("big.bin"), ByteRange.ALL)) {
            assertThat(content.stream().readNBytes(10)).hasSize(10);
        }
        assertThat(storage.stat(p("big.bin")).size()).isEqualTo(2 << 20);
    }

    @Test
    void readingMissingOrDirectoryFails() {
        storage.createDirectory(p("d"));
        assertFails(PathNotFoundException.class, () -> storage.read(p("nope.txt"), ByteRange.ALL));
        assertFails(PathNotFoundException.class, () -> storage.read(p("d/nope.txt"), ByteRange.ALL));
        assertFails(PathTypeException.class, () -> storage.read(p("d"), ByteRange.ALL));
        assertFails(PathTypeException.class, () -> storage.read(WorkspacePath.ROOT, ByteRange.ALL));
        assertFails(PathNotFoundException.class, () -> storage.stat(p("nope.txt")));
        assertThat(storage.find(p("nope.txt"))).isEmpty();
        write("f.txt", "x");
        assertThat(storage.find(p("f.txt/under"))).isEmpty();
    }

    @Test
    void streamsLargeFilesBothWays() throws Exception {
        byte[] data = randomBytes(8 << 20, 42);
        String expected = sha256(new ByteArrayInputStream(data));
        storage.write(p("unknown-length.bin"), new ByteArrayInputStream(data), WriteOptions.overwrite());
        storage.write(p("known-length.bin"), new ByteArrayInputStream(data),
                WriteOptions.overwrite().withSize(data.length));
        storage.write(p("produced.bin"), out -> {
            for (int i = 0; i < data.length; i += 1000) {
                out.write(data, i, Math.min(1000, data.length - i));
            }
        }, WriteOptions.overwrite());
        for (String name : List.of("unknown-length.bin", "known-length.bin", "produced.bin")) {
            try (FileContent content = storage.read(p(name), ByteRange.ALL)) {
                assertThat(sha256(content.stream())).as(name).isEqualTo(expected);
            }
            assertThat(storage.stat(p(name)).size()).isEqualTo(data.length);
        }
        try (FileContent content = storage.read(p("known-length.bin"), ByteRange.of(5 << 20, 10))) {
            assertThat(content.stream().readAllBytes()).containsExactly(
                    java.util.Arrays.copyOfRange(data, 5 << 20, (5 << 20) + 10));
        }
    }

    @Test
    void aLeadingSlashIsTheWorkspaceRootNotTheHostOne() throws Exception {
        storage.write(p("/notes/a.md"), in("rooted"), WriteOptions.overwrite());
        assertThat(text("notes/a.md")).isEqualTo("rooted");
        assertThat(text("//notes/a.md")).isEqualTo("rooted");
        assertThat(names(storage.list(p("/"), 10))).containsExactly("notes/");
        assertFails(PathNotFoundException.class, () -> storage.read(p("/etc/passwd"), ByteRange.ALL));
        assertOutsideUntouched();
    }

    @Test
    void namesThatDifferOnlyByUnicodeNormalisationAreOneFile() throws Exception {
        String nfc = "caf\u00e9.md";
        String nfd = "cafe\u0301.md";
        write(nfd, "first");
        write(nfc, "second");
        assertThat(text(nfd)).isEqualTo("second");
        assertThat(names(storage.list(WorkspacePath.ROOT, 10))).containsExactly(nfc);
        assertFails(PathExistsException.class, () -> storage.write(p(nfd), in("x"), WriteOptions.createOnly()));
    }

    @Test
    void unicodeNamesRoundTrip() throws Exception {
        write("données/résumé ✓ 日本.txt", "ok");
        assertThat(text("données/résumé ✓ 日本.txt")).isEqualTo("ok");
        assertThat(names(storage.list(p("données"), 10))).containsExactly("données/résumé ✓ 日本.txt");
    }

    @Test
    void overwritingChangesTheEtag() {
        FileInfo first = write("a.txt", "one");
        FileInfo second = write("a.txt", "two");
        FileInfo third = write("a.txt", "one");
        assertThat(second.etag()).isNotEqualTo(first.etag());
        assertThat(storage.stat(p("a.txt")).etag()).isEqualTo(third.etag());
    }

    @Test
    void createOnlyNeverOverwrites() throws Exception {
        FileInfo created = storage.write(p("new.txt"), in("first"), WriteOptions.createOnly());
        assertThat(created.size()).isEqualTo(5);
        assertFails(PathExistsException.class,
                () -> storage.write(p("new.txt"), in("second"), WriteOptions.createOnly()));
        assertThat(text("new.txt")).isEqualTo("first");
        storage.createDirectory(p("dir"));
        assertFails(PathTypeException.class, () -> storage.write(p("dir"), in("x"), WriteOptions.createOnly()));
    }

    @Test
    void ifMatchSwapsOnlyTheVersionRead() throws Exception {
        FileInfo v1 = write("a.txt", "v1");
        FileInfo v2 = storage.write(p("a.txt"), in("v2"), WriteOptions.ifMatch(v1.etag()));
        assertThat(text("a.txt")).isEqualTo("v2");
        assertFails(EtagMismatchException.class,
                () -> storage.write(p("a.txt"), in("v3"), WriteOptions.ifMatch(v1.etag())));
        assertThat(text("a.txt")).isEqualTo("v2");
        storage.write(p("a.txt"), in("v3"), WriteOptions.ifMatch("\"" + v2.etag() + "\""));
        assertThat(text("a.txt")).isEqualTo("v3");
    }

    @Test
    void ifMatchOnAFileThatIsGoneFails() {
        FileInfo v1 = write("a.txt", "v1");
        storage.delete(p("a.txt"), Precondition.none());
        assertThatThrownBy(() -> storage.write(p("a.txt"), in("v2"), WriteOptions.ifMatch(v1.etag())))
                .isInstanceOf(EtagMismatchException.class).hasMessageContaining("no longer exists");
        assertThat(storage.find(p("a.txt"))).isEmpty();
    }

    @Test
    void aWriteWhoseContentBreaksLeavesTheOldContentAndNoLitter() throws Exception {
        write("keep.txt", "old content");
        storage.createDirectory(p("empty-dir"));
        List<String> before = rawNames();
        assertFails(StorageFailureException.class,
                () -> storage.write(p("keep.txt"), breaksAfter(100_000), WriteOptions.overwrite()));
        assertFails(StorageFailureException.class,
                () -> storage.write(p("keep.txt"), breaksAfter(100_000), WriteOptions.overwrite().withSize(200_000)));
        assertFails(StorageFailureException.class, () -> storage.write(p("keep.txt"), out -> {
            out.write(new byte[100_000]);
            throw new IOException("producer failed");
        }, WriteOptions.overwrite()));
        assertFails(StorageFailureException.class,
                () -> storage.write(p("new/deep/file.txt"), breaksAfter(10), WriteOptions.overwrite()));
        assertThat(text("keep.txt")).isEqualTo("old content");
        assertThat(rawNames()).isEqualTo(before);
        assertThat(storage.find(p("new"))).isEmpty();
    }

    @Test
    void contentOfAnotherLengthThanAnnouncedIsNotWritten() throws Exception {
        write("keep.txt", "old");
        assertFails(StorageFailureException.class,
                () -> storage.write(p("keep.txt"), in("short"), WriteOptions.overwrite().withSize(50)));
        assertFails(StorageFailureException.class,
                () -> storage.write(p("keep.txt"), in("longer than announced"), WriteOptions.overwrite().withSize(5)));
        assertThat(text("keep.txt")).isEqualTo("old");
    }

    @Test
    void filesOverTheLimitAreRefused() throws Exception {
        try (WorkspaceStorage small = open(new StorageLimits(1024))) {
            small.write(p("keep.txt"), in("old"), WriteOptions.overwrite());
            small.write(p("exact.bin"), new ByteArrayInputStream(new byte[1024]), WriteOptions.overwrite());
            List<String> before = rawNames();
            assertThatThrownBy(() -> small.write(p("keep.txt"), new ByteArrayInputStream(new byte[1025]),
                    WriteOptions.overwrite()))
                    .isInstanceOf(FileTooLargeException.class).hasMessageContaining("1 KiB");
            assertFails(FileTooLargeException.class, () -> small.write(p("keep.txt"), out -> {
                for (int i = 0; i < 100; i++) {
                    out.write(new byte[100]);
                }
            }, WriteOptions.overwrite()));
            InputStream untouchable = new InputStream() {
                @Override
                public int read() {
                    throw new AssertionError("an announced size over the limit must fail before reading");
                }
            };
            assertFails(FileTooLargeException.class,
                    () -> small.write(p("keep.txt"), untouchable, WriteOptions.overwrite().withSize(5000)));
            try (FileContent content = small.read(p("keep.txt"), ByteRange.ALL)) {
                assertThat(content.stream().readAllBytes()).isEqualTo("old".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(rawNames()).isEqualTo(before);
        }
    }

    @Test
    void writesRespectFilesAndDirectories() {
        write("file.txt", "x");
        storage.createDirectory(p("dir"));
        assertFails(PathTypeException.class, () -> write("file.txt/child.txt", "x"));
        assertFails(PathTypeException.class, () -> write("file.txt/deeper/child.txt", "x"));
        assertFails(PathTypeException.class, () -> write("dir", "x"));
        assertFails(PathTypeException.class,
                () -> storage.write(WorkspacePath.ROOT, in("x"), WriteOptions.overwrite()));
        assertThat(storage.stat(p("dir")).isDirectory()).isTrue();
    }

    // ---- directories

    @Test
    void createsDirectoriesIdempotently() {
        FileInfo created = storage.createDirectory(p("a/b/c"));
        assertThat(created.isDirectory()).isTrue();
        assertThat(created.path()).isEqualTo(p("a/b/c"));
        storage.createDirectory(p("a/b/c"));
        storage.createDirectory(p("a"));
        assertThat(storage.stat(p("a/b")).isDirectory()).isTrue();
        assertThat(names(storage.list(p("a/b"), 10))).containsExactly("a/b/c/");
        assertThat(storage.list(p("a/b/c"), 10).entries()).isEmpty();
        assertThat(storage.createDirectory(WorkspacePath.ROOT).isDirectory()).isTrue();
        write("f.txt", "x");
        assertFails(PathTypeException.class, () -> storage.createDirectory(p("f.txt")));
        assertFails(PathTypeException.class, () -> storage.createDirectory(p("f.txt/sub")));
    }

    @Test
    void listsADirectoryWithSizesSortedByName() {
        write("docs/b.txt", "bb");
        write("docs/a.txt", "a");
        write("docs/sub/deep.txt", "deep");
        storage.createDirectory(p("docs/empty"));
        write("docs/c-d.txt", "cd");
        Listing listing = storage.list(p("docs"), 100);
        assertThat(listing.truncated()).isFalse();
        assertThat(names(listing)).containsExactly("docs/a.txt", "docs/b.txt", "docs/c-d.txt", "docs/empty/",
                "docs/sub/");
        assertThat(listing.entries().get(1).size()).isEqualTo(2);
        assertThat(listing.entries().get(1).etag()).isEqualTo(storage.stat(p("docs/b.txt")).etag());
        assertThat(listing.entries().get(3).isDirectory()).isTrue();
        assertThat(names(storage.list(WorkspacePath.ROOT, 100))).containsExactly("docs/");
    }

    @Test
    void listingStopsAtTheCap() {
        for (int i = 0; i < 12; i++) {
            write(String.format("many/f%02d.txt", i), "x");
        }
        Listing listing = storage.list(p("many"), 5);
        assertThat(listing.truncated()).isTrue();
        assertThat(names(listing)).containsExactly("many/f00.txt", "many/f01.txt", "many/f02.txt", "many/f03.txt",
                "many/f04.txt");
        assertThat(storage.list(p("many"), 12).truncated()).isFalse();
    }

    @Test
    void listingWhatIsNotADirectoryFails() {
        write("f.txt", "x");
        assertFails(PathNotFoundException.class, () -> storage.list(p("nope"), 10));
        assertFails(PathTypeException.class, () -> storage.list(p("f.txt"), 10));
        assertFails(PathNotFoundException.class, () -> storage.walk(p("nope"), WalkOptions.limit(10)));
        assertFails(PathTypeException.class, () -> storage.walk(p("f.txt"), WalkOptions.limit(10)));
        assertThat(storage.list(WorkspacePath.ROOT, 10).entries()).hasSize(1);
    }

    @Test
    void walksATreeInPathOrder() {
        write("a/x.txt", "x");
        write("a/b/y.txt", "yy");
        write("a-b.txt", "z");
        storage.createDirectory(p("a/empty"));
        write("c.txt", "c");
        Listing all = storage.walk(WorkspacePath.ROOT, WalkOptions.limit(100));
        assertThat(all.truncated()).isFalse();
        assertThat(names(all)).containsExactly("a/", "a/b/", "a/b/y.txt", "a/empty/", "a/x.txt", "a-b.txt",
                "c.txt");
        assertThat(all.entries().get(2).size()).isEqualTo(2);
        assertThat(names(storage.walk(p("a"), WalkOptions.limit(100))))
                .containsExactly("a/b/", "a/b/y.txt", "a/empty/", "a/x.txt");
        assertThat(names(storage.walk(WorkspacePath.ROOT, WalkOptions.limit(100).withMaxDepth(1))))
                .containsExactly("a/", "a-b.txt", "c.txt");
        assertThat(names(storage.walk(WorkspacePath.ROOT,
                WalkOptions.limit(100).excluding(path -> path.name().equals("b") || path.name().endsWith(".txt")))))
                .containsExactly("a/", "a/empty/");
        Listing capped = storage.walk(WorkspacePath.ROOT, WalkOptions.limit(3));
        assertThat(capped.truncated()).isTrue();
        assertThat(capped.entries()).hasSize(3);
        assertThat(storage.walk(WorkspacePath.ROOT, WalkOptions.limit(7)).truncated()).isFalse();
    }

    @Test
    void walkingStopsAtTheTimeLimit() {
        for (int i = 0; i < 5; i++) {
            write("t/f" + i + ".txt", "x");
        }
        Listing listing = storage.walk(WorkspacePath.ROOT, WalkOptions.limit(100).withTimeLimit(Duration.ofNanos(1)));
        assertThat(listing.truncated()).isTrue();
        assertThat(listing.entries().size()).isLessThan(6);
    }

    // ---- delete

    @Test
    void deletesFilesAndEmptyDirectoriesOnly() {
        write("d/a.txt", "a");
        assertFails(NonEmptyDirectoryException.class, () -> storage.delete(p("d"), Precondition.none()));
        storage.delete(p("d/a.txt"), Precondition.none());
        assertThat(storage.find(p("d/a.txt"))).isEmpty();
        assertThat(storage.stat(p("d")).isDirectory()).as("deleting a file keeps its directory").isTrue();
        assertThat(names(storage.list(WorkspacePath.ROOT, 10))).containsExactly("d/");
        storage.delete(p("d"), Precondition.none());
        assertThat(storage.find(p("d"))).isEmpty();
        assertFails(PathNotFoundException.class, () -> storage.delete(p("d"), Precondition.none()));
        assertFails(PathRejectedException.class, () -> storage.delete(WorkspacePath.ROOT, Precondition.none()));
    }

    @Test
    void deletesOnlyTheExpectedVersion() throws Exception {
        FileInfo v1 = write("a.txt", "v1");
        FileInfo v2 = write("a.txt", "v2");
        assertFails(EtagMismatchException.class, () -> storage.delete(p("a.txt"), Precondition.etag(v1.etag())));
        assertThat(text("a.txt")).isEqualTo("v2");
        storage.delete(p("a.txt"), Precondition.etag(v2.etag()));
        assertThat(storage.find(p("a.txt"))).isEmpty();
        assertFails(EtagMismatchException.class, () -> storage.delete(p("a.txt"), Precondition.etag(v2.etag())));
        storage.createDirectory(p("d"));
        assertFails(PathTypeException.class, () -> storage.delete(p("d"), Precondition.etag(v2.etag())));
    }

    // ---- move and copy

    @Test
    void movesFilesWithoutOverwritingUnlessAsked() throws Exception {
        write("a.txt", "A");
        write("b.txt", "B");
        assertFails(PathExistsException.class, () -> storage.move(p("a.txt"), p("b.txt"), Precondition.absent()));
        assertThat(text("a.txt")).isEqualTo("A");
        assertThat(text("b.txt")).isEqualTo("B");
        FileInfo moved = storage.move(p("a.txt"), p("sub/dir/a.txt"), Precondition.absent());
        assertThat(moved.path()).isEqualTo(p("sub/dir/a.txt"));
        assertThat(moved.size()).isEqualTo(1);
        assertThat(storage.find(p("a.txt"))).isEmpty();
        assertThat(text("sub/dir/a.txt")).isEqualTo("A");
        storage.move(p("sub/dir/a.txt"), p("b.txt"), Precondition.none());
        assertThat(text("b.txt")).isEqualTo("A");
        assertThat(storage.stat(p("sub/dir")).isDirectory()).as("the source's directory stays").isTrue();
        assertFails(PathNotFoundException.class, () -> storage.move(p("a.txt"), p("c.txt"), Precondition.absent()));
    }

    @Test
    void movesOntoAnExpectedVersionOnly() throws Exception {
        write("a.txt", "A");
        FileInfo target = write("b.txt", "B");
        write("b.txt", "B2");
        assertFails(EtagMismatchException.class,
                () -> storage.move(p("a.txt"), p("b.txt"), Precondition.etag(target.etag())));
        assertThat(text("a.txt")).isEqualTo("A");
        storage.move(p("a.txt"), p("b.txt"), Precondition.etag(storage.stat(p("b.txt")).etag()));
        assertThat(text("b.txt")).isEqualTo("A");
    }

    @Test
    void movesDirectoriesOnlyToNewPaths() throws Exception {
        write("src/a.txt", "a");
        write("src/inner/b.txt", "b");
        storage.createDirectory(p("src/empty"));
        storage.createDirectory(p("taken"));
        assertFails(PathExistsException.class, () -> storage.move(p("src"), p("taken"), Precondition.absent()));
        assertFails(PathExistsException.class, () -> storage.move(p("src"), p("taken"), Precondition.none()));
        assertFails(PathRejectedException.class, () -> storage.move(p("src"), p("src/inner/x"), Precondition.absent()));
        assertFails(PathRejectedException.class, () -> storage.move(p("src"), p("src"), Precondition.absent()));
        assertFails(PathRejectedException.class,
                () -> storage.move(WorkspacePath.ROOT, p("x"), Precondition.absent()));
        FileInfo moved = storage.move(p("src"), p("dst/moved"), Precondition.absent());
        assertThat(moved.isDirectory()).isTrue();
        assertThat(storage.find(p("src"))).isEmpty();
        assertThat(names(storage.walk(p("dst"), WalkOptions.limit(100)))).containsExactly("dst/moved/",
                "dst/moved/a.txt", "dst/moved/empty/", "dst/moved/inner/", "dst/moved/inner/b.txt");
        assertThat(text("dst/moved/inner/b.txt")).isEqualTo("b");
    }

    @Test
    void movingAFileOntoADirectoryFails() {
        write("a.txt", "A");
        storage.createDirectory(p("d"));
        assertFails(PathTypeException.class, () -> storage.move(p("a.txt"), p("d"), Precondition.none()));
        assertFails(PathExistsException.class, () -> storage.move(p("a.txt"), p("d"), Precondition.absent()));
        assertThat(storage.stat(p("a.txt")).isFile()).isTrue();
    }

    @Test
    void copiesFilesWithoutOverwritingUnlessAsked() throws Exception {
        write("a.txt", "A");
        write("b.txt", "B");
        assertFails(PathExistsException.class, () -> storage.copy(p("a.txt"), p("b.txt"), Precondition.absent()));
        assertThat(text("b.txt")).isEqualTo("B");
        FileInfo copy = storage.copy(p("a.txt"), p("x/a-copy.txt"), Precondition.absent());
        assertThat(copy.size()).isEqualTo(1);
        assertThat(copy.etag()).isEqualTo(storage.stat(p("x/a-copy.txt")).etag());
        assertThat(text("a.txt")).isEqualTo("A");
        assertThat(text("x/a-copy.txt")).isEqualTo("A");
        storage.copy(p("a.txt"), p("b.txt"), Precondition.none());
        assertThat(text("b.txt")).isEqualTo("A");
        assertFails(PathNotFoundException.class, () -> storage.copy(p("nope"), p("c.txt"), Precondition.absent()));
    }

    @Test
    void copiesDirectoriesWithEverythingInThem() throws Exception {
        write("src/a.txt", "a");
        write("src/inner/b.txt", "b");
        storage.createDirectory(p("src/empty"));
        assertFails(PathRejectedException.class, () -> storage.copy(p("src"), p("src/copy"), Precondition.absent()));
        storage.copy(p("src"), p("copy"), Precondition.absent());
        assertThat(names(storage.walk(p("copy"), WalkOptions.limit(100)))).containsExactly("copy/a.txt",
                "copy/empty/", "copy/inner/", "copy/inner/b.txt");
        assertThat(text("src/inner/b.txt")).isEqualTo("b");
        assertThat(text("copy/inner/b.txt")).isEqualTo("b");
        assertFails(PathExistsException.class, () -> storage.copy(p("src"), p("copy"), Precondition.absent()));
    }

    // ---- concurrency

    @Test
    void ofManyCreateOnlyWritersExactlyOneWins() throws Exception {
        assumeTrue(atomicConditionalWrites(), "the server under test does not decide conditional writes atomically");
        assertThat(race(i -> storage.write(p("once.txt"), in("writer " + i), WriteOptions.createOnly())))
                .isEqualTo(1);
    }

    @Test
    void ofManyCompareAndSwapWritersOfOneVersionExactlyOneWins() throws Exception {
        assumeTrue(atomicConditionalWrites(), "the server under test does not decide conditional writes atomically");
        String etag = write("counter.txt", "0").etag();
        assertThat(race(i -> storage.write(p("counter.txt"), in("writer " + i), WriteOptions.ifMatch(etag))))
                .isEqualTo(1);
    }

    interface Attempt {
        void run(int i) throws Exception;
    }

    /** Starts eight attempts at once; returns how many succeeded (the others must have lost cleanly). */
    int race(Attempt attempt) throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                Callable<Boolean> task = () -> {
                    start.await();
                    try {
                        attempt.run(n);
                        return true;
                    } catch (PathExistsException | EtagMismatchException e) {
                        return false;
                    }
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            int wins = 0;
            for (Future<Boolean> result : results) {
                wins += result.get() ? 1 : 0;
            }
            return wins;
        } finally {
            pool.shutdownNow();
        }
    }
}
