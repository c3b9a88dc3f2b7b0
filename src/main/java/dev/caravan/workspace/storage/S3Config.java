package dev.caravan.workspace.storage;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where an S3 workspace lives and how to reach it.
 *
 * @param endpoint          null for AWS; the URL of an S3-compatible store otherwise (MinIO, Ceph, R2, s3proxy)
 * @param region            signing region; null means us-east-1, which most S3-compatible stores accept
 * @param bucket            the bucket; never shown to agents
 * @param prefix            key prefix holding this workspace, "" for the whole bucket; checked like a workspace
 *                          path, so "team/docs" and "team/docs/" are the same and "team/../x" is refused
 * @param accessKeyId       explicit credentials: a workspace never picks up the host's ambient AWS credentials
 * @param secretAccessKey   see accessKeyId
 * @param pathStyle         put the bucket in the URL path, not the host name (most S3-compatible stores need it)
 * @param conditionalWrites send If-Match / If-None-Match so compare-and-swap and create-only are decided by the
 *                          server, atomically. Turn off only for a store that rejects those headers: the backend
 *                          then checks with a HEAD before the write, which leaves a race window between the two.
 * @param spoolDirectory    where content of unknown length waits for its single PUT; null for the system temp
 *                          directory
 */
public record S3Config(URI endpoint, String region, String bucket, String prefix, String accessKeyId,
                       String secretAccessKey, boolean pathStyle, boolean conditionalWrites, Path spoolDirectory) {
    public S3Config {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("an S3 workspace needs a bucket");
        }
        if (accessKeyId == null || accessKeyId.isBlank() || secretAccessKey == null || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("an S3 workspace needs an access key id and a secret access key");
        }
        region = region == null || region.isBlank() ? "us-east-1" : region;
        try {
            prefix = prefix == null ? "" : WorkspacePath.of(prefix).toString();
        } catch (PathRejectedException e) {
            throw new IllegalArgumentException("the S3 key prefix is not acceptable: " + e.getMessage());
        }
    }

    /** Everything but the secret. */
    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", accessKeyId=" + accessKeyId + ", pathStyle=" + pathStyle + ", conditionalWrites="
                + conditionalWrites + "]";
    }
}
