package dev.caravan.workspace.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A workspace under a key prefix of an S3 bucket (AWS or any S3-compatible store).
 *
 * <p><b>Keys</b>: a file is the object {@code prefix + path}; a directory is a key prefix {@code prefix + path + "/"},
 * and exists while any key lies under it. {@link #createDirectory} writes an empty marker object {@code path/} so
 * an empty directory can exist; deleting the last entry of a directory writes its marker, so directories stay as
 * they do on a disk. Keys that are not valid workspace paths (written by other tools) are left out of listings.
 *
 * <p><b>Writes</b> are one PUT, which S3 applies atomically: readers see the old object or the new one, and an
 * upload that breaks off stores nothing. Content of announced length streams straight through; content of unknown
 * length is first spooled to a temp file (S3 needs the length up front, and a file can be resent on retry).
 * A PUT takes at most 5 GiB, which is why {@link StorageLimits#DEFAULT} stops there.
 *
 * <p><b>Conditional writes</b>: create-only sends {@code If-None-Match: *} and compare-and-swap sends
 * {@code If-Match: etag} (AWS since 2024, SDK 2.41 here; s3proxy 3.1 honours both on PUT), so the server decides
 * atomically. Every conditional write is also checked with a HEAD first, which gives the clear error on stores
 * that ignore the headers; on those, a writer that slips in between HEAD and PUT wins the race. Copy, move and
 * delete send the same headers (newer on AWS, ignored by s3proxy and others) and are only as safe as the store.
 *
 * <p><b>Not atomic</b>: move is copy then delete (a crash in between leaves both, never neither); a directory
 * move or copy goes key by key; the ancestor and directory checks around a write are separate requests.
 *
 * <p>Errors never name the bucket, prefix or endpoint; the SDK's own message stays in the cause, for the log.
 */
public final class S3Storage implements WorkspaceStorage {
    /** S3's limit for one PUT and for one CopyObject. */
    static final long MAX_SINGLE_REQUEST = 5L << 30;
    private static final int PAGE = 1000;
    private static final String DIRECTORY_TYPE = "application/x-directory";
    private static final String SPOOL_PREFIX = "caravan-s3-";

    private final S3Client s3;
    private final boolean ownsClient;
    private final String bucket;
    private final String prefix;
    private final boolean conditional;
    private final Path spool;
    private final StorageLimits limits;

    private S3Storage(S3Client s3, boolean ownsClient, S3Config config, StorageLimits limits) {
        this.s3 = s3;
        this.ownsClient = ownsClient;
        this.bucket = config.bucket();
        this.prefix = config.prefix().isEmpty() ? "" : config.prefix() + "/";
        this.conditional = config.conditionalWrites();
        this.spool = config.spoolDirectory() != null ? config.spoolDirectory()
                : Path.of(System.getProperty("java.io.tmpdir"));
        this.limits = limits;
    }

    /** A storage with its own client, built from the config; {@link #close()} releases it. */
    public static S3Storage connect(S3Config config, StorageLimits limits) {
        return new S3Storage(client(config), true, config, limits);
    }

    /** A storage on a client shared with others (the config's endpoint and credentials are not used). */
    public static S3Storage withClient(S3Client client, S3Config config, StorageLimits limits) {
        return new S3Storage(client, false, config, limits);
    }

    /**
     * A client for the config. Checksums only where S3 requires them: since SDK 2.30 the default adds CRC trailers
     * to every upload, which many S3-compatible stores reject; TLS protects the bytes on the way either way.
     */
    public static S3Client client(S3Config config) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKeyId(), config.secretAccessKey())))
                .httpClientBuilder(ApacheHttpClient.builder())
                .forcePathStyle(config.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (config.endpoint() != null) {
            builder.endpointOverride(config.endpoint());
        }
        return builder.build();
    }

    // ---- keys

    private String key(WorkspacePath path) {
        String key = prefix + path;
        if (key.getBytes(StandardCharsets.UTF_8).length > WorkspacePath.MAX_PATH_BYTES) {
            throw new PathRejectedException("Path '" + path + "' is too long for this workspace; use shorter names "
                    + "or fewer directories.");
        }
        return key;
    }

    private String directoryKey(WorkspacePath path) {
        return path.isRoot() ? prefix : key(path) + "/";
    }

    /** The workspace path of a key below {@code base}'s directory key, or null if it is not a valid one. */
    private static WorkspacePath pathBelow(WorkspacePath base, String rest) {
        String trimmed = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        try {
            WorkspacePath relative = WorkspacePath.of(trimmed);
            // Keys like "a//b" or "./a" would alias a canonical path; leave them out rather than guess.
            if (relative.isRoot() || !relative.toString().equals(trimmed)) {
                return null;
            }
            return base.resolve(relative);
        } catch (PathRejectedException e) {
            return null;
        }
    }

    private static String quoted(String etag) {
        return "\"" + etag + "\"";
    }

    private static String etagOf(String header) {
        return header == null ? null : Precondition.unquote(header);
    }

    // ---- requests

    /**
     * The file object at the path, if there is one. Stores that keep objects on a file system (s3proxy's nio2
     * stores, gateways in front of a disk) answer a HEAD of {@code d} with the directory {@code d/}, typed
     * {@value #DIRECTORY_TYPE}, the type s3fs and jclouds give directory objects: that is not a file.
     */
    private Optional<HeadObjectResponse> head(WorkspacePath path) {
        return headKey(key(path), path)
                .filter(head -> head.contentType() == null || !head.contentType().startsWith(DIRECTORY_TYPE));
    }

    private Optional<HeadObjectResponse> headKey(String key, WorkspacePath path) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !isMissingBucket(e)) {
                return Optional.empty();
            }
            throw failure("reading", path, e);
        } catch (SdkException e) {
            throw failure("reading", path, e);
        }
    }

    private FileInfo fileInfo(WorkspacePath path, HeadObjectResponse head) {
        return new FileInfo(path, FileInfo.Type.FILE, head.contentLength(), head.lastModified(), etagOf(head.eTag()));
    }

    private Optional<FileInfo> headInfo(WorkspacePath path) {
        return head(path).map(h -> fileInfo(path, h));
    }

    /** Whether any key lies under the directory; a marker object counts. */
    private boolean isDirectory(WorkspacePath path) {
        return path.isRoot() || findDirectory(path).isPresent();
    }

    /**
     * The directory, if any key lies under it. The marker is also asked for by name, because stores that keep
     * objects as files list an empty directory only as a common prefix of its parent, never under its own prefix.
     */
    private Optional<FileInfo> findDirectory(WorkspacePath path) {
        Optional<S3Object> first = firstKeyUnder(path);
        if (first.isPresent()) {
            return Optional.of(FileInfo.directory(path,
                    first.get().key().equals(directoryKey(path)) ? first.get().lastModified() : null));
        }
        return headKey(directoryKey(path), path)
                .filter(marker -> marker.contentType() != null && marker.contentType().startsWith(DIRECTORY_TYPE))
                .map(marker -> FileInfo.directory(path, marker.lastModified()));
    }

    private Optional<S3Object> firstKeyUnder(WorkspacePath path) {
        try {
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(directoryKey(path)).maxKeys(1));
            return page.contents().stream().findFirst();
        } catch (SdkException e) {
            throw failure("reading", path, e);
        }
    }

    private void putMarker(WorkspacePath directory) {
        try {
            s3.putObject(b -> b.bucket(bucket).key(directoryKey(directory)).contentType(DIRECTORY_TYPE)
                    .contentLength(0L), RequestBody.empty());
        } catch (SdkException e) {
            throw failure("creating", directory, e);
        }
    }

    /** A file's ancestors must be directories (or nothing yet), never files. */
    private void checkAncestors(WorkspacePath path) {
        for (WorkspacePath ancestor : path.ancestors()) {
            if (head(ancestor).isPresent()) {
                throw PathTypeException.parentIsFile(ancestor, path);
            }
        }
    }

    /** After the last entry of a directory went, its marker keeps it, as on a disk. */
    private void keepParent(WorkspacePath path) {
        if (path.depth() > 1 && !isDirectory(path.parent())) {
            putMarker(path.parent());
        }
    }

    private static boolean isMissingBucket(S3Exception e) {
        return e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode());
    }

    /** The agent-facing failure; the SDK's message (with bucket and endpoint) stays in the cause. */
    private static StorageException failure(String action, WorkspacePath path, SdkException e) {
        if (e instanceof S3Exception s3e) {
            if (isMissingBucket(s3e)) {
                return StorageFailureException.unavailable("is not available (its bucket does not exist)", e);
            }
            if (s3e.statusCode() == 403 || s3e.statusCode() == 401) {
                return StorageFailureException.unavailable("refused access", e);
            }
        }
        return StorageFailureException.of(action, path, e);
    }

    // ---- operations

    @Override
    public Optional<FileInfo> find(WorkspacePath path) {
        if (path.isRoot()) {
            return Optional.of(FileInfo.directory(path, null));
        }
        Optional<FileInfo> file = headInfo(path);
        return file.isPresent() ? file : findDirectory(path);
    }

    @Override
    public FileContent read(WorkspacePath path, ByteRange range) {
        if (path.isRoot()) {
            throw PathTypeException.isDirectory(path);
        }
        if (range.isEmpty()) {
            FileInfo info = statFile(path);
            return new FileContent(info, range.start(info.size()), 0, InputStream.nullInputStream());
        }
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key(path));
        if (!range.isAll()) {
            request.range(range.header());
        }
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(request.build());
            GetObjectResponse response = in.response();
            if (response.contentType() != null && response.contentType().startsWith(DIRECTORY_TYPE)) {
                in.abort();
                in.close();
                throw PathTypeException.isDirectory(path);
            }
            long length = response.contentLength();
            long start = 0;
            long size = length;
            String contentRange = response.contentRange();
            if (contentRange != null && contentRange.startsWith("bytes ")) {
                // "bytes 10-19/200"
                String spec = contentRange.substring(6);
                start = Long.parseLong(spec.substring(0, spec.indexOf('-')));
                size = Long.parseLong(spec.substring(spec.indexOf('/') + 1));
            }
            FileInfo info = new FileInfo(path, FileInfo.Type.FILE, size, response.lastModified(),
                    etagOf(response.eTag()));
            return new FileContent(info, start, length, new AbortOnClose(in, length));
        } catch (NoSuchKeyException e) {
            throw isDirectory(path) ? PathTypeException.isDirectory(path) : PathNotFoundException.of(path);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                // S3 refuses ranges that start at or past the end (and every range of an empty file).
                FileInfo info = statFile(path);
                return new FileContent(info, range.start(info.size()), 0, InputStream.nullInputStream());
            }
            if (e.statusCode() == 404 && !isMissingBucket(e)) {
                throw isDirectory(path) ? PathTypeException.isDirectory(path) : PathNotFoundException.of(path);
            }
            throw failure("reading", path, e);
        } catch (SdkException e) {
            throw failure("reading", path, e);
        } catch (IOException e) {
            throw StorageFailureException.of("reading", path, e);
        }
    }

    private FileInfo statFile(WorkspacePath path) {
        return headInfo(path).orElseThrow(() ->
                isDirectory(path) ? PathTypeException.isDirectory(path) : PathNotFoundException.of(path));
    }

    /** Closing a partly read body aborts the connection instead of downloading the rest to drain it. */
    private static final class AbortOnClose extends FilterInputStream {
        private final ResponseInputStream<?> response;

        AbortOnClose(ResponseInputStream<?> response, long length) {
            super(new RangeInputStream(response, length));
            this.response = response;
        }

        @Override
        public void close() throws IOException {
            if (((RangeInputStream) in).remaining() > 0) {
                response.abort();
            }
            response.close();
        }
    }

    @Override
    public FileInfo write(WorkspacePath path, InputStream content, WriteOptions options) {
        checkWrite(path, options);
        if (!options.sizeKnown()) {
            return spoolAndPut(path, content::transferTo, options);
        }
        ExactLengthInputStream exact = new ExactLengthInputStream(content, options.size());
        return put(path, RequestBody.fromInputStream(exact, options.size()), options.size(),
                options.precondition(), exact);
    }

    @Override
    public FileInfo write(WorkspacePath path, ContentWriter content, WriteOptions options) {
        checkWrite(path, options);
        return spoolAndPut(path, content, options);
    }

    /** Everything that can be known before taking the content. */
    private void checkWrite(WorkspacePath path, WriteOptions options) {
        if (path.isRoot()) {
            throw PathTypeException.isDirectory(path);
        }
        key(path);
        if (options.sizeKnown() && options.size() > maxFileBytes()) {
            throw FileTooLargeException.of(path, maxFileBytes());
        }
        checkAncestors(path);
        if (isDirectory(path)) {
            throw PathTypeException.isDirectory(path);
        }
        if (options.precondition().kind() != Precondition.Kind.NONE) {
            options.precondition().check(path, headInfo(path).orElse(null));
        }
    }

    private long maxFileBytes() {
        return Math.min(limits.maxFileBytes(), MAX_SINGLE_REQUEST);
    }

    private FileInfo spoolAndPut(WorkspacePath path, ContentWriter content, WriteOptions options) {
        Path temp = null;
        try {
            temp = Files.createTempFile(spool, SPOOL_PREFIX, ".part");
            LiveTemps.add(temp);
            try (OutputStream file = Files.newOutputStream(temp)) {
                CappedOutputStream out = new CappedOutputStream(new BufferedOutputStream(file, 64 * 1024), path,
                        maxFileBytes());
                try {
                    content.writeTo(out);
                } catch (StorageException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    throw StorageFailureException.contentFailed(path, e);
                }
                out.flush();
                if (options.sizeKnown() && out.written() != options.size()) {
                    throw StorageFailureException.contentFailed(path, new IOException("received " + out.written()
                            + " bytes, announced " + options.size()));
                }
            }
            return put(path, RequestBody.fromFile(temp), Files.size(temp), options.precondition(), null);
        } catch (IOException e) {
            throw StorageFailureException.of("writing", path, e);
        } finally {
            if (temp != null) {
                LiveTemps.remove(temp);
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // the system temp directory is cleaned eventually
                }
            }
        }
    }

    private FileInfo put(WorkspacePath path, RequestBody body, long size, Precondition precondition,
                         ExactLengthInputStream source) {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(key(path)).contentLength(size);
        if (conditional && precondition.kind() == Precondition.Kind.ABSENT) {
            request.ifNoneMatch("*");
        } else if (conditional && precondition.kind() == Precondition.Kind.ETAG) {
            request.ifMatch(quoted(precondition.etag()));
        }
        try {
            String etag = etagOf(s3.putObject(request.build(), body).eTag());
            return new FileInfo(path, FileInfo.Type.FILE, size, Instant.now(), etag);
        } catch (S3Exception e) {
            if (source != null && source.sourceFailed()) {
                throw StorageFailureException.contentFailed(path, e);
            }
            throw conditionFailure(path, precondition, e).orElseGet(() -> failure("writing", path, e));
        } catch (RuntimeException e) {
            // The SDK reports a short or broken source as IllegalStateException (or, after a retry it could not
            // replay, as that too); the tracking stream says whose fault it was.
            if (source != null && source.sourceFailed()) {
                throw StorageFailureException.contentFailed(path, e);
            }
            throw e instanceof SdkException sdk ? failure("writing", path, sdk)
                    : StorageFailureException.of("writing", path, e);
        }
    }

    /** What a refused conditional request means for the agent, if that is what happened. */
    private static Optional<StorageException> conditionFailure(WorkspacePath path, Precondition precondition,
                                                               S3Exception e) {
        if (precondition.kind() == Precondition.Kind.NONE) {
            return Optional.empty();
        }
        // 412: the condition did not hold. 409: a concurrent write to the same key won (AWS asks to retry).
        if (e.statusCode() == 412 || e.statusCode() == 409) {
            return Optional.of(precondition.kind() == Precondition.Kind.ABSENT ? PathExistsException.of(path)
                    : EtagMismatchException.changed(path));
        }
        if (e.statusCode() == 404 && precondition.kind() == Precondition.Kind.ETAG && !isMissingBucket(e)) {
            return Optional.of(EtagMismatchException.gone(path));
        }
        return Optional.empty();
    }

    @Override
    public FileInfo createDirectory(WorkspacePath path) {
        if (path.isRoot()) {
            return FileInfo.directory(path, null);
        }
        key(path);
        checkAncestors(path);
        if (head(path).isPresent()) {
            throw PathTypeException.notDirectory(path);
        }
        if (!isDirectory(path)) {
            putMarker(path);
        }
        return find(path).orElseGet(() -> FileInfo.directory(path, null));
    }

    @Override
    public void delete(WorkspacePath path, Precondition precondition) {
        if (path.isRoot()) {
            throw PathRejectedException.root("deleted");
        }
        if (precondition.kind() == Precondition.Kind.ABSENT) {
            throw new IllegalArgumentException("delete takes no 'absent' precondition");
        }
        Optional<FileInfo> file = headInfo(path);
        if (file.isPresent()) {
            precondition.check(path, file.get());
            DeleteObjectRequest.Builder request = DeleteObjectRequest.builder().bucket(bucket).key(key(path));
            if (conditional && precondition.kind() == Precondition.Kind.ETAG) {
                request.ifMatch(quoted(precondition.etag()));
            }
            try {
                s3.deleteObject(request.build());
            } catch (S3Exception e) {
                throw conditionFailure(path, precondition, e).orElseGet(() -> failure("deleting", path, e));
            } catch (SdkException e) {
                throw failure("deleting", path, e);
            }
            keepParent(path);
            return;
        }
        if (!isDirectory(path)) {
            throw precondition.kind() == Precondition.Kind.ETAG ? EtagMismatchException.gone(path)
                    : PathNotFoundException.of(path);
        }
        if (precondition.kind() == Precondition.Kind.ETAG) {
            throw PathTypeException.noEtag(path);
        }
        String marker = directoryKey(path);
        try {
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix(marker).maxKeys(2));
            if (page.contents().stream().anyMatch(o -> !o.key().equals(marker))) {
                throw NonEmptyDirectoryException.of(path);
            }
            s3.deleteObject(b -> b.bucket(bucket).key(marker));
        } catch (SdkException e) {
            throw failure("deleting", path, e);
        }
        keepParent(path);
    }

    @Override
    public FileInfo move(WorkspacePath source, WorkspacePath destination, Precondition target) {
        StorageChecks.checkTransfer(source, destination, "moved");
        return transfer(source, destination, target, true);
    }

    @Override
    public FileInfo copy(WorkspacePath source, WorkspacePath destination, Precondition target) {
        StorageChecks.checkTransfer(source, destination, "copied");
        return transfer(source, destination, target, false);
    }

    private FileInfo transfer(WorkspacePath source, WorkspacePath destination, Precondition target, boolean move) {
        key(destination);
        Optional<FileInfo> file = headInfo(source);
        if (file.isEmpty() && !isDirectory(source)) {
            throw PathNotFoundException.of(source);
        }
        checkAncestors(destination);
        Optional<FileInfo> existing = find(destination);
        if (file.isEmpty() && existing.isPresent()) {
            throw PathExistsException.directoryTarget(destination);
        }
        if (existing.isPresent() && existing.get().isDirectory() && target.kind() == Precondition.Kind.NONE) {
            throw PathTypeException.isDirectory(destination);
        }
        target.check(destination, existing.orElse(null));
        FileInfo result = file.isPresent() ? transferFile(file.get(), destination, target, move)
                : transferDirectory(source, destination, move);
        if (move) {
            keepParent(source);
        }
        return result;
    }

    private FileInfo transferFile(FileInfo source, WorkspacePath destination, Precondition target, boolean move) {
        if (source.size() > MAX_SINGLE_REQUEST) {
            throw FileTooLargeException.of(source.path(), MAX_SINGLE_REQUEST);
        }
        CopyObjectRequest.Builder request = CopyObjectRequest.builder()
                .sourceBucket(bucket).sourceKey(key(source.path()))
                .destinationBucket(bucket).destinationKey(key(destination))
                .copySourceIfMatch(quoted(source.etag()));
        if (conditional && target.kind() == Precondition.Kind.ABSENT) {
            request.ifNoneMatch("*");
        } else if (conditional && target.kind() == Precondition.Kind.ETAG) {
            request.ifMatch(quoted(target.etag()));
        }
        String etag;
        try {
            etag = etagOf(s3.copyObject(request.build()).copyObjectResult().eTag());
        } catch (S3Exception e) {
            if (e.statusCode() == 412 && !headInfo(source.path()).map(FileInfo::etag).equals(
                    Optional.ofNullable(source.etag()))) {
                throw new EtagMismatchException("File " + StorageException.show(source.path())
                        + " was changed while being " + (move ? "moved" : "copied") + "; retry.");
            }
            throw conditionFailure(destination, target, e).orElseGet(() -> failure("copying", source.path(), e));
        } catch (SdkException e) {
            throw failure("copying", source.path(), e);
        }
        if (move) {
            deleteKeys(source.path(), List.of(key(source.path())));
        }
        return new FileInfo(destination, FileInfo.Type.FILE, source.size(), Instant.now(), etag);
    }

    /** Copies every key under the directory, then (for a move) deletes them: a crash leaves copies, not losses. */
    private FileInfo transferDirectory(WorkspacePath source, WorkspacePath destination, boolean move) {
        String from = directoryKey(source);
        String to = directoryKey(destination);
        List<String> copied = new ArrayList<>();
        try {
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(from))) {
                for (S3Object object : page.contents()) {
                    String targetKey = to + object.key().substring(from.length());
                    if (targetKey.getBytes(StandardCharsets.UTF_8).length > WorkspacePath.MAX_PATH_BYTES) {
                        throw new PathRejectedException("Moving or copying " + StorageException.show(source) + " to "
                                + StorageException.show(destination) + " would make some paths too long.");
                    }
                    s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(object.key())
                            .destinationBucket(bucket).destinationKey(targetKey));
                    copied.add(object.key());
                }
            }
        } catch (SdkException e) {
            throw failure("copying", source, e);
        }
        if (move) {
            deleteKeys(source, copied);
        }
        return find(destination).orElseGet(() -> FileInfo.directory(destination, null));
    }

    /**
     * One DELETE per key. DeleteObjects would take a thousand at once, but it needs a checksum header that this SDK
     * sends as x-amz-checksum-crc32, which older S3-compatible stores (s3proxy among them) refuse with 501.
     */
    private void deleteKeys(WorkspacePath path, List<String> keys) {
        try {
            for (String key : keys) {
                s3.deleteObject(b -> b.bucket(bucket).key(key));
            }
        } catch (SdkException e) {
            throw failure("deleting", path, e);
        }
    }

    @Override
    public Listing list(WorkspacePath directory, int maxEntries) {
        StorageChecks.checkMaxEntries(maxEntries);
        String dirKey = directoryKey(directory);
        List<FileInfo> entries = new ArrayList<>();
        Set<WorkspacePath> directories = new HashSet<>();
        boolean any = false;
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(dirKey).delimiter("/")
                    .maxKeys(Math.min(PAGE, maxEntries + 1)).build();
            pages:
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
                for (S3Object object : page.contents()) {
                    any = true;
                    WorkspacePath path = pathBelow(directory, object.key().substring(dirKey.length()));
                    if (path == null) {
                        continue;
                    }
                    if (object.key().endsWith("/")) {
                        // A marker; AWS reports it as a common prefix, some stores as an object.
                        if (directories.add(path)) {
                            entries.add(FileInfo.directory(path, object.lastModified()));
                        }
                    } else {
                        entries.add(new FileInfo(path, FileInfo.Type.FILE, object.size(), object.lastModified(),
                                etagOf(object.eTag())));
                    }
                }
                for (CommonPrefix common : page.commonPrefixes()) {
                    any = true;
                    WorkspacePath path = pathBelow(directory, common.prefix().substring(dirKey.length()));
                    if (path != null && directories.add(path)) {
                        entries.add(FileInfo.directory(path, null));
                    }
                }
                if (entries.size() > maxEntries) {
                    break pages;
                }
            }
        } catch (SdkException e) {
            throw failure("listing", directory, e);
        }
        if (!any) {
            checkDirectory(directory);
        }
        entries.sort(Comparator.comparing(FileInfo::name));
        boolean truncated = entries.size() > maxEntries;
        return new Listing(truncated ? entries.subList(0, maxEntries) : entries, truncated);
    }

    @Override
    public Listing walk(WorkspacePath directory, WalkOptions options) {
        String dirKey = directoryKey(directory);
        long deadline = System.nanoTime() + options.timeLimit().toNanos();
        List<FileInfo> found = new ArrayList<>();
        Set<WorkspacePath> directories = new HashSet<>();
        boolean any = false;
        boolean truncated = false;
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(dirKey).maxKeys(PAGE)
                    .build();
            pages:
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
                for (S3Object object : page.contents()) {
                    any = true;
                    if (found.size() > options.maxEntries() || System.nanoTime() > deadline) {
                        truncated = true;
                        break pages;
                    }
                    String rest = object.key().substring(dirKey.length());
                    WorkspacePath path = rest.isEmpty() ? null : pathBelow(directory, rest);
                    if (path != null) {
                        addWithParents(directory, path, object, rest.endsWith("/"), options, directories, found);
                    }
                }
            }
        } catch (SdkException e) {
            throw failure("listing", directory, e);
        }
        if (!any) {
            checkDirectory(directory);
        }
        found.sort(Comparator.comparing(FileInfo::path));
        if (found.size() > options.maxEntries()) {
            return new Listing(found.subList(0, options.maxEntries()), true);
        }
        return new Listing(found, truncated);
    }

    /** For a listing that found no keys: an empty directory is fine, anything else is the agent's error. */
    private void checkDirectory(WorkspacePath directory) {
        if (head(directory).isPresent()) {
            throw PathTypeException.notDirectory(directory);
        }
        if (!isDirectory(directory)) {
            throw PathNotFoundException.of(directory);
        }
    }

    /** Adds a key's entry and the directories it implies, within the walk's depth and exclusions. */
    private static void addWithParents(WorkspacePath base, WorkspacePath path, S3Object object, boolean marker,
                                       WalkOptions options, Set<WorkspacePath> directories, List<FileInfo> found) {
        WorkspacePath relative = path.relativeTo(base);
        for (int i = 1; i <= relative.depth(); i++) {
            WorkspacePath part = base.resolve(relative.head(i));
            boolean last = i == relative.depth();
            if (i > options.maxDepth() || options.exclude().test(part)) {
                return;
            }
            if (!last || marker) {
                if (directories.add(part)) {
                    found.add(FileInfo.directory(part, last ? object.lastModified() : null));
                }
            } else {
                found.add(new FileInfo(part, FileInfo.Type.FILE, object.size(), object.lastModified(),
                        etagOf(object.eTag())));
            }
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            s3.close();
        }
    }

    @Override
    public String toString() {
        return "S3Storage";
    }

    /**
     * Spool files of uploads that died, and incomplete multipart uploads under this workspace's prefix (other tools
     * and SDK transfer managers start them; S3 keeps and bills their parts until they are aborted).
     */
    @Override
    public int sweepAbandoned(Instant olderThan) {
        int removed = sweepSpool(olderThan);
        try {
            String keyMarker = null;
            String uploadIdMarker = null;
            do {
                ListMultipartUploadsRequest.Builder request = ListMultipartUploadsRequest.builder().bucket(bucket)
                        .prefix(prefix).keyMarker(keyMarker).uploadIdMarker(uploadIdMarker);
                ListMultipartUploadsResponse page = s3.listMultipartUploads(request.build());
                for (MultipartUpload upload : page.uploads()) {
                    if (upload.initiated() != null && upload.initiated().isBefore(olderThan)) {
                        s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket)
                                .key(upload.key()).uploadId(upload.uploadId()).build());
                        removed++;
                    }
                }
                boolean more = Boolean.TRUE.equals(page.isTruncated());
                keyMarker = more ? page.nextKeyMarker() : null;
                uploadIdMarker = more ? page.nextUploadIdMarker() : null;
            } while (keyMarker != null);
        } catch (SdkException e) {
            throw failure("cleaning", WorkspacePath.ROOT, e);
        }
        return removed;
    }

    private int sweepSpool(Instant olderThan) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spool, SPOOL_PREFIX + "*.part")) {
            for (Path file : files) {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(olderThan)
                        && !LiveTemps.contains(file) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            // The spool is shared and best effort: a later sweep tries again.
        }
        return removed;
    }
}
