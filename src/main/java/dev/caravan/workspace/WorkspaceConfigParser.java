package dev.caravan.workspace;

import dev.caravan.connectors.ConnectorYaml;
import org.springframework.util.unit.DataSize;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.caravan.connectors.ConnectorYaml.bool;
import static dev.caravan.connectors.ConnectorYaml.checkUrl;
import static dev.caravan.connectors.ConnectorYaml.string;

/**
 * Reads {@code workspaces.yaml}. Everything is checked before anything is used, so a bad file changes nothing:
 * <pre>
 * workspaces:
 *   - name: default                 # letters, digits, '-' and '_'; used in workspace:NAME and by agents
 *     description: Scratch space    # shown by list_workspaces
 *     backend: local                # local (default) | s3
 *     root: /srv/caravan/default    # local; default DATA_DIR/workspaces/NAME
 *     allow-hard-links: false       # local; true lets files with other hard links on disk be read and shared
 *     versions: 10                  # earlier versions kept per file (default caravan.workspace.versions-kept)
 *     max-file-size: 100MB          # default 5GB (one S3 PUT)
 *   - name: team
 *     backend: s3
 *     bucket: acme-agents           # s3: bucket (required), prefix, region, endpoint, path-style,
 *     prefix: team/                 #     access-key-id, secret-access-key (required, use ${ENV}),
 *     region: eu-west-1             #     conditional-writes (default true)
 *     endpoint: http://minio:9000
 *     path-style: true
 *     access-key-id: "${TEAM_S3_KEY}"
 *     secret-access-key: "${TEAM_S3_SECRET}"
 * </pre>
 */
final class WorkspaceConfigParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,39}");
    private static final Set<String> COMMON = Set.of("name", "description", "backend", "versions", "max-file-size");
    private static final Set<String> LOCAL = Set.of("root", "allow-hard-links");
    private static final Set<String> S3 = Set.of("bucket", "prefix", "region", "endpoint", "path-style",
            "access-key-id", "secret-access-key", "conditional-writes");

    private static final ConnectorYaml.ListLayout<WorkspaceConfig> LAYOUT = new ConnectorYaml.ListLayout<>(
            "workspaces", "name, backend, ...", true, WorkspaceConfigParser::workspace, WorkspaceConfig::name,
            WorkspaceConfigException::new);

    private WorkspaceConfigParser() {
    }

    public static List<WorkspaceConfig> parse(String yaml, String file) {
        return ConnectorYaml.readList(yaml, file, LAYOUT);
    }

    /**
     * One workspace from a map shaped like an entry of the file (the admin API's and the database's form), checked
     * the same way.
     *
     * @throws IllegalArgumentException naming the reason
     */
    public static WorkspaceConfig one(Map<?, ?> map) {
        return workspace(map);
    }

    private static WorkspaceConfig workspace(Map<?, ?> map) {
        String name = string(map, "name");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name is required: 1-40 letters, digits, '-' or '_', starting with a "
                    + "letter or digit");
        }
        String backendId = string(map, "backend");
        WorkspaceConfig.Backend backend;
        if (backendId == null || backendId.equals("local")) {
            backend = WorkspaceConfig.Backend.LOCAL;
        } else if (backendId.equals("s3")) {
            backend = WorkspaceConfig.Backend.S3;
        } else {
            throw new IllegalArgumentException("backend must be local or s3 (got '" + backendId + "')");
        }
        Set<String> allowed = new HashSet<>(COMMON);
        allowed.addAll(backend == WorkspaceConfig.Backend.LOCAL ? LOCAL : S3);
        for (Object key : map.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown key '" + key + "' for a " + backend.name().toLowerCase()
                        + " workspace (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
        Integer versions = null;
        if (map.get("versions") != null) {
            if (!(map.get("versions") instanceof Integer n) || n < 0 || n > 1000) {
                throw new IllegalArgumentException("versions must be a whole number from 0 to 1000");
            }
            versions = n;
        }
        Long maxFileBytes = null;
        String size = string(map, "max-file-size");
        if (size != null) {
            try {
                maxFileBytes = DataSize.parse(size.replace(" ", "")).toBytes();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("max-file-size '" + size + "' is not a size (e.g. 100MB, 2GB)");
            }
            if (maxFileBytes < 1) {
                throw new IllegalArgumentException("max-file-size must be positive");
            }
        }
        WorkspaceConfig.S3 s3 = null;
        if (backend == WorkspaceConfig.Backend.S3) {
            String bucket = string(map, "bucket");
            if (bucket == null) {
                throw new IllegalArgumentException("an s3 workspace needs a bucket");
            }
            String key = string(map, "access-key-id");
            String secret = string(map, "secret-access-key");
            if (key == null || secret == null) {
                throw new IllegalArgumentException("an s3 workspace needs access-key-id and secret-access-key "
                        + "(e.g. \"${TEAM_S3_SECRET}\", taken from the environment)");
            }
            if (!secret.contains("${")) {
                throw new IllegalArgumentException("secret-access-key must be a ${ENV} reference, not the secret "
                        + "itself, so it does not sit in a file");
            }
            String endpoint = string(map, "endpoint");
            if (endpoint != null) {
                checkUrl(endpoint, "endpoint");
            }
            s3 = new WorkspaceConfig.S3(bucket, string(map, "prefix"), string(map, "region"), endpoint,
                    bool(map, "path-style", false), key, secret, bool(map, "conditional-writes", true));
        }
        return new WorkspaceConfig(name, backend, string(map, "description"), string(map, "root"), s3, versions,
                maxFileBytes, bool(map, "allow-hard-links", false));
    }
}
