package dev.caravan.workspace;

import org.gaul.s3proxy.AuthenticationType;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;

import java.net.URI;

/** A real S3 server (s3proxy, in memory, AWS-like keys) on a random loopback port; see storage.S3TestServer. */
final class S3Proxy implements AutoCloseable {
    private final BlobStoreContext context;
    private final org.gaul.s3proxy.S3Proxy proxy;

    private S3Proxy(BlobStoreContext context, org.gaul.s3proxy.S3Proxy proxy) {
        this.context = context;
        this.proxy = proxy;
    }

    static S3Proxy start() throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata())
                .credentials("identity", "credential").build(BlobStoreContext.class);
        org.gaul.s3proxy.S3Proxy proxy = org.gaul.s3proxy.S3Proxy.builder()
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
        context.getBlobStore().createContainerInLocation(null, "caravan-test");
        return new S3Proxy(context, proxy);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
