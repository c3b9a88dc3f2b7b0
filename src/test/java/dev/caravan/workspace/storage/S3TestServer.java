package dev.caravan.workspace.storage;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobApiMetadata;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;

/**
 * A real S3 server (s3proxy) in this JVM on a random loopback port, storing in memory.
 *
 * <p>Two stores, because S3-compatible servers differ where it matters here. jclouds' "transient" store keeps
 * keys verbatim like AWS ({@code d} and {@code d/} are different objects), but lists a marker {@code d/} as an
 * object rather than a common prefix. s3proxy's "transient-nio2" store lists like AWS but keeps objects as files:
 * a HEAD of {@code d} answers with the directory {@code d/}, and {@code a//b} becomes {@code a/b}, as on stores
 * that front a disk. Their API metadata is given directly because looking a store up by name instantiates every
 * provider s3proxy knows, several of which need cloud SDKs the pom leaves out.
 *
 * <p>Authentication is off: s3proxy 3.1 rejects the chunked SigV4 signatures SDK 2.41 sends for uploads over plain
 * HTTP (SignatureDoesNotMatch), although AWS and MinIO accept them. The client still signs every request.
 */
public final class S3TestServer implements AutoCloseable {
    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private S3TestServer(BlobStoreContext context, S3Proxy proxy) {
        this.context = context;
        this.proxy = proxy;
    }

    public enum Store { KEYS, FILES }

    public static S3TestServer start(Store store) throws Exception {
        ContextBuilder builder = store == Store.KEYS ? ContextBuilder.newBuilder(new TransientApiMetadata())
                : ContextBuilder.newBuilder(new TransientNio2BlobApiMetadata());
        BlobStoreContext context = builder
                .credentials("identity", "credential")
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.NONE, null, null)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3TestServer(context, proxy);
    }

    /** Creates a bucket directly in the store (not through the S3 API under test). */
    public void createBucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
    }

    /** An object's bytes read directly from the store (not through the S3 API under test), or null. */
    public byte[] read(String bucket, String key) throws java.io.IOException {
        org.jclouds.blobstore.domain.Blob blob = context.getBlobStore().getBlob(bucket, key);
        if (blob == null) {
            return null;
        }
        try (java.io.InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
