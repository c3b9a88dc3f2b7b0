package dev.caravan.workspace;

/**
 * One workspace as declared in {@code connectors/workspaces.yaml}, before {@code ${ENV}} references are resolved.
 *
 * @param root         local: the directory; null for {@code DATA_DIR/workspaces/NAME}
 * @param versions     versions kept per file; null for {@code caravan.workspace.versions-kept}
 * @param maxFileBytes   largest file; null for the default
 * @param allowHardLinks local: whether files with other hard links on disk may be read and shared
 */
public record WorkspaceConfig(String name, Backend backend, String description, String root, S3 s3, Integer versions,
                              Long maxFileBytes, boolean allowHardLinks) {
    public enum Backend { LOCAL, S3 }

    /** Hard links refused. */
    public WorkspaceConfig(String name, Backend backend, String description, String root, S3 s3, Integer versions,
                           Long maxFileBytes) {
        this(name, backend, description, root, s3, versions, maxFileBytes, false);
    }

    /** S3 settings; every value may hold {@code ${ENV}} references. */
    public record S3(String bucket, String prefix, String region, String endpoint, boolean pathStyle,
                     String accessKeyId, String secretAccessKey, boolean conditionalWrites) {
        /** Never the secret. */
        @Override
        public String toString() {
            return "S3[bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + ", endpoint=" + endpoint + "]";
        }
    }
}
