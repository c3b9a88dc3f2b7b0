package dev.caravan.workspace;

import dev.caravan.core.EnvReferences;
import dev.caravan.workspace.storage.LocalStorage;
import dev.caravan.workspace.storage.S3Config;
import dev.caravan.workspace.storage.S3Storage;
import dev.caravan.workspace.storage.StorageLimits;
import dev.caravan.workspace.storage.WorkspaceStorage;
import dev.caravan.workspace.versions.VersionedStorage;
import dev.caravan.tool.ToolFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The workspaces in use, by name: those declared in {@code workspaces.yaml} and those created at runtime (stored in
 * the database). {@link #apply} swaps in a new declaration all at once: every new or changed workspace's storage is
 * built first, and if any cannot be, nothing changes.
 */
public class Workspaces implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Workspaces.class);

    private final Path dataDir;
    private final int defaultVersions;
    private final Function<String, String> environment;
    private volatile Map<String, Workspace> current = Map.of();
    private Map<String, Workspace> declared = Map.of();
    private Map<String, Workspace> stored = Map.of();

    /**
     * @param dataDir         local workspaces without a root live in {@code dataDir/workspaces/NAME}
     * @param defaultVersions versions kept per file when a workspace does not say
     * @param environment     resolves {@code ${NAME}} references (Spring's Environment: env vars, system properties)
     */
    public Workspaces(Path dataDir, int defaultVersions, Function<String, String> environment) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.defaultVersions = defaultVersions;
        this.environment = environment;
    }

    /** The workspace, or a failure telling the agent what exists. */
    public Workspace get(String name) {
        Workspace w = name == null ? null : current.get(name);
        if (w == null) {
            throw new ToolFailure(name == null || name.isBlank()
                    ? "Name a workspace; call list_workspaces to see the ones you can use."
                    : "There is no workspace '" + name + "'; call list_workspaces to see the ones you can use.");
        }
        return w;
    }

    public List<Workspace> all() {
        return List.copyOf(current.values());
    }

    /**
     * Uses exactly these workspaces from {@code workspaces.yaml} from now on (beside the stored ones, see
     * {@link #applyStored}). Unchanged ones keep their storage; changed and removed ones are closed after the swap.
     *
     * @throws IllegalArgumentException naming the workspace and the reason, when one cannot be built
     */
    public synchronized void apply(List<WorkspaceConfig> configs) {
        Map<String, Workspace> next = new LinkedHashMap<>();
        List<Workspace> built = new ArrayList<>();
        try {
            for (WorkspaceConfig config : configs) {
                Workspace existing = current.get(config.name());
                if (existing != null && existing.config().equals(config)) {
                    next.put(config.name(), existing);
                } else {
                    Workspace w = new Workspace(config, build(config));
                    built.add(w);
                    next.put(config.name(), w);
                }
            }
        } catch (RuntimeException e) {
            built.forEach(w -> w.storage().close());
            throw e;
        }
        declared = next;
        merge();
    }

    /**
     * Uses exactly these workspaces created at runtime (stored in the database) beside the declared ones. A stored
     * workspace whose name the file declares is left out (the file wins); one that cannot be built here (e.g. an
     * unset ${ENV} on this node) is left out and reported, and the others are used.
     *
     * @return the reason for each workspace left out, by name
     */
    public synchronized Map<String, String> applyStored(List<WorkspaceConfig> configs) {
        Map<String, Workspace> next = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (WorkspaceConfig config : configs) {
            if (declared.containsKey(config.name())) {
                problems.put(config.name(), "workspaces.yaml declares a workspace of this name, which is used instead");
                continue;
            }
            Workspace existing = stored.get(config.name());
            if (existing != null && existing.config().equals(config)) {
                next.put(config.name(), existing);
                continue;
            }
            try {
                next.put(config.name(), new Workspace(config, build(config)));
            } catch (IllegalArgumentException e) {
                problems.put(config.name(), e.getMessage());
            }
        }
        stored = next;
        merge();
        return problems;
    }

    /** Whether the workspace in use under this name was created at runtime (not declared in the file). */
    public boolean isStored(String name) {
        Workspace w = current.get(name);
        return w != null && w == stored.get(name);
    }

    /** Declared workspaces first (file order), then stored ones; what is no longer used is closed. */
    private void merge() {
        Map<String, Workspace> before = current;
        Map<String, Workspace> keptStored = new LinkedHashMap<>(stored);
        keptStored.keySet().removeAll(declared.keySet());
        stored = keptStored;
        Map<String, Workspace> next = new LinkedHashMap<>(declared);
        next.putAll(keptStored);
        current = Collections.unmodifiableMap(next); // declaration order, for listings
        for (Workspace old : before.values()) {
            if (next.get(old.name()) != old) {
                close(old);
            }
        }
    }

    /** Where a local workspace without a root keeps its files. */
    public Path defaultRoot(String name) {
        return dataDir.resolve("workspaces").resolve(name);
    }

    private VersionedStorage build(WorkspaceConfig config) {
        StorageLimits limits = config.maxFileBytes() == null ? StorageLimits.DEFAULT
                : new StorageLimits(config.maxFileBytes());
        int versions = config.versions() == null ? defaultVersions : config.versions();
        String where = "workspace '" + config.name() + "': ";
        WorkspaceStorage storage;
        try {
            if (config.backend() == WorkspaceConfig.Backend.LOCAL) {
                Path root = config.root() == null ? defaultRoot(config.name())
                        : Path.of(resolve(config.root())).toAbsolutePath().normalize();
                storage = new LocalStorage(root, limits, config.allowHardLinks());
            } else {
                WorkspaceConfig.S3 s3 = config.s3();
                String endpoint = resolve(s3.endpoint());
                storage = S3Storage.connect(new S3Config(endpoint == null ? null : URI.create(endpoint),
                        resolve(s3.region()), resolve(s3.bucket()), resolve(s3.prefix()), resolve(s3.accessKeyId()),
                        resolve(s3.secretAccessKey()), s3.pathStyle(), s3.conditionalWrites(),
                        spoolDirectory()), limits);
            }
        } catch (EnvReferences.MissingVariable e) {
            throw new IllegalArgumentException(where + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        } catch (RuntimeException e) {
            log.warn("Workspace '{}' cannot be opened", config.name(), e);
            throw new IllegalArgumentException(where + "cannot be opened (" + e.getMessage() + ")", e);
        }
        return new VersionedStorage(storage, versions);
    }

    /** Where S3 uploads of unknown length wait for their single PUT. */
    private Path spoolDirectory() {
        Path spool = dataDir.resolve("tmp");
        try {
            Files.createDirectories(spool);
        } catch (IOException e) {
            throw new IllegalStateException("the spool directory " + spool + " cannot be created", e);
        }
        return spool;
    }

    /** The value with every {@code ${NAME}} replaced; names the variable (never a value) when one is unset. */
    private String resolve(String value) {
        if (value == null) {
            return null;
        }
        String out = EnvReferences.resolve(value, environment, v -> {
        });
        return out.isEmpty() ? null : out;
    }

    private static void close(Workspace w) {
        try {
            w.storage().close();
        } catch (RuntimeException e) {
            log.warn("Closing workspace '{}' failed", w.name(), e);
        }
    }

    @Override
    public synchronized void close() {
        current.values().forEach(Workspaces::close);
        current = Map.of();
        declared = Map.of();
        stored = Map.of();
    }
}
