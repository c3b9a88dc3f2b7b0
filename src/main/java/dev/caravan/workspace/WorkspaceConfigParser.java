package dev.caravan.workspace;

import org.springframework.util.unit.DataSize;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code workspaces.yaml}. Everything is checked before anything is used, so a bad file changes nothing:
 * <pre>
 * workspaces:
 *   - name: default                 # letters, digits, '-' and '_'; used in workspace:NAME and by agents
 *     description: Scratch space    # shown by list_workspaces
 *     backend: local                # local (default) | s3
 *     root: /srv/caravan/default    # local; default DATA_DIR/workspaces/NAME
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
public final class WorkspaceConfigParser {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,39}");
    private static final Set<String> COMMON = Set.of("name", "description", "backend", "versions", "max-file-size");
    private static final Set<String> LOCAL = Set.of("root");
    private static final Set<String> S3 = Set.of("bucket", "prefix", "region", "endpoint", "path-style",
            "access-key-id", "secret-access-key", "conditional-writes");

    private WorkspaceConfigParser() {
    }

    public static List<WorkspaceConfig> parse(String yaml, String file) {
        Node root;
        Object data;
        try {
            Yaml parser = new Yaml(new SafeConstructor(new LoaderOptions()));
            root = parser.compose(new StringReader(yaml));
            data = parser.load(yaml);
        } catch (MarkedYAMLException e) {
            Integer line = e.getProblemMark() == null ? null : e.getProblemMark().getLine() + 1;
            throw new WorkspaceConfigException(file, line, "not valid YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new WorkspaceConfigException(file, null, "not valid YAML: " + e.getMessage());
        }
        if (data == null) {
            return List.of();
        }
        if (!(data instanceof Map<?, ?> top) || !top.isEmpty() && !top.keySet().equals(Set.of("workspaces"))) {
            throw new WorkspaceConfigException(file, 1, "expected a single top-level key 'workspaces' holding a list");
        }
        Object list = top.get("workspaces");
        if (list == null) {
            return List.of();
        }
        if (!(list instanceof List<?> items)) {
            throw new WorkspaceConfigException(file, line(root, -1), "'workspaces' must be a list");
        }
        List<WorkspaceConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String where = "workspaces[" + i + "]";
            Integer line = line(root, i);
            if (!(items.get(i) instanceof Map<?, ?> map)) {
                throw new WorkspaceConfigException(file, line, where + " must be a mapping with name, backend, ...");
            }
            if (map.get("name") != null) {
                where += " (" + map.get("name") + ")";
            }
            try {
                WorkspaceConfig config = workspace(map);
                if (!names.add(config.name())) {
                    throw new IllegalArgumentException("the name '" + config.name() + "' is used twice");
                }
                out.add(config);
            } catch (IllegalArgumentException e) {
                throw new WorkspaceConfigException(file, line, where + ": " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** The line of the i-th list item (or of the list itself for -1), when the document has that shape. */
    private static Integer line(Node root, int index) {
        if (!(root instanceof MappingNode top)) {
            return null;
        }
        for (NodeTuple tuple : top.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("workspaces")) {
                Node value = tuple.getValueNode();
                if (index >= 0 && value instanceof SequenceNode seq && index < seq.getValue().size()) {
                    return seq.getValue().get(index).getStartMark().getLine() + 1;
                }
                return value.getStartMark().getLine() + 1;
            }
        }
        return null;
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
            if (endpoint != null && !endpoint.contains("${")) {
                checkUrl(endpoint);
            }
            s3 = new WorkspaceConfig.S3(bucket, string(map, "prefix"), string(map, "region"), endpoint,
                    bool(map, "path-style", false), key, secret, bool(map, "conditional-writes", true));
        }
        return new WorkspaceConfig(name, backend, string(map, "description"), string(map, "root"), s3, versions,
                maxFileBytes);
    }

    private static void checkUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint '" + url + "' is not a valid URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint must be an absolute http:// or https:// URL");
        }
    }

    private static boolean bool(Map<?, ?> map, String key, boolean fallback) {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException(key + " must be true or false");
        }
        return b;
    }

    private static String string(Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(key + " must be a single value");
        }
        String s = String.valueOf(v);
        return s.isBlank() ? null : s;
    }
}
