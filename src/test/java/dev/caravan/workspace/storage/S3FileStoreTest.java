package dev.caravan.workspace.storage;

import java.util.List;

/**
 * The contract against an S3 store that keeps objects as files (s3proxy's nio2 store), as stores in front of a
 * disk do: a HEAD or GET of {@code d} finds the directory {@code d/}, a HEAD of {@code f/} finds the file
 * {@code f}, an empty directory shows only as a common prefix of its parent, and {@code a//b} is {@code a/b}.
 */
class S3FileStoreTest extends S3StorageTest {
    @Override
    S3TestServer.Store store() {
        return S3TestServer.Store.FILES;
    }

    /**
     * This store leaves its own temp object ({@code key-UUID}) behind when an upload breaks off; that litter is
     * the server's, not the backend's (which sent nothing it could finish), so it is not counted here.
     */
    @Override
    protected List<String> rawNames() {
        return super.rawNames().stream()
                .filter(key -> !key.matches(".*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))
                .toList();
    }
}
