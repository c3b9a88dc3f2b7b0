package dev.caravan.workspace;

import dev.caravan.web.ApiException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.store.WorkspaceRecord;
import dev.caravan.store.WorkspaceRepository;
import dev.caravan.core.Caller;
import dev.caravan.tool.ToolFailure;
import dev.caravan.core.WorkspaceScopes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.FileSystemUtils;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workspaces created at runtime, through the admin API or the {@code workspace_create} tool. They are stored in the
 * database and used beside the ones {@code workspaces.yaml} declares (a name the file uses cannot be created; if the
 * file later declares a stored name, the file's wins). {@link #reconcile} brings this node in line with the
 * database, so a workspace created through another node appears here within the reconcile interval.
 */
public class RuntimeWorkspaces {
    private static final Logger log = LoggerFactory.getLogger(RuntimeWorkspaces.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WorkspaceRepository repository;
    private final Ownership ownership;
    private final Workspaces workspaces;
    private final TransactionTemplate tx;
    private final WorkspaceProperties properties;
    private volatile Map<String, String> problems = Map.of();

    public RuntimeWorkspaces(WorkspaceRepository repository, Ownership ownership, Workspaces workspaces,
                             TransactionTemplate tx, WorkspaceProperties properties) {
        this.repository = repository;
        this.ownership = ownership;
        this.workspaces = workspaces;
        this.tx = tx;
        this.properties = properties;
    }

    /**
     * Creates a workspace from a declaration shaped like an entry of workspaces.yaml.
     *
     * @param owner the owner principal, or null for the administrator
     * @throws ApiException 400 for a bad declaration, 409 for a name in use
     */
    public synchronized WorkspaceConfig create(Map<String, Object> declaration, String owner, String createdBy) {
        WorkspaceConfig config;
        try {
            config = WorkspaceConfigParser.one(declaration);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        String name = config.name();
        if (workspaces.all().stream().anyMatch(w -> w.name().equals(name)) || repository.find(name).isPresent()) {
            throw ApiException.conflict("A workspace named '" + name + "' exists already; choose another name");
        }
        String json;
        try {
            json = JSON.writeValueAsString(declaration);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("The declaration cannot be stored: " + e.getOriginalMessage());
        }
        try {
            tx.executeWithoutResult(s -> repository.insert(new WorkspaceRecord(name, json, Instant.now(), createdBy)));
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("A workspace named '" + name + "' exists already; choose another name");
        }
        if (owner != null) {
            try {
                ownership.assign(name, owner);
            } catch (ToolFailure e) {
                repository.delete(name);
                throw ApiException.invalid(e.getMessage());
            }
        }
        reconcile();
        String problem = problems.get(name);
        if (problem != null) {
            // It cannot be used here (e.g. its S3 bucket is unreachable): take it back rather than keep a dead entry.
            repository.delete(name);
            ownership.forget(name);
            reconcile();
            throw ApiException.invalid(problem);
        }
        return config;
    }

    /**
     * The {@code workspace_create} tool: a local workspace under the data dir, owned by the caller. Allowed when
     * {@code caravan.workspace.allow-create} is on (default) and the caller's credential holds the write scope (it
     * makes storage), up to {@code caravan.workspace.max-created-per-principal} workspaces per principal.
     */
    public WorkspaceConfig createFor(Caller caller, String name, String description) {
        if (!properties.isAllowCreate()) {
            throw new ToolFailure("Creating workspaces is switched off on this hub (caravan.workspace.allow-create); "
                    + "ask its administrator to create one.");
        }
        if (!caller.scopes().allows(WorkspaceScopes.Operation.WRITE)) {
            throw new ToolFailure("This credential (" + caller.principal() + ") may not create workspaces: its scopes ("
                    + caller.scopes().describe() + ") lack 'write'. Missing scope: write.");
        }
        if (name == null || name.isBlank()) {
            throw new ToolFailure("Give the new workspace a name: 1-40 letters, digits, '-' or '_'.");
        }
        if (repository.countCreatedBy(caller.principal()) >= properties.getMaxCreatedPerPrincipal()) {
            throw new ToolFailure(caller.principal() + " has created " + properties.getMaxCreatedPerPrincipal()
                    + " workspaces already, the most one principal may; ask the administrator to delete unused ones.");
        }
        Map<String, Object> declaration = new LinkedHashMap<>();
        declaration.put("name", name.strip());
        if (description != null && !description.isBlank()) {
            declaration.put("description", description.strip());
        }
        try {
            return create(declaration, caller.endpoint() == null ? null : caller.principal(), caller.principal());
        } catch (ApiException e) {
            throw new ToolFailure(e.status() == 409 || e.getMessage().startsWith("name ") ? e.getMessage()
                    : "Workspace '" + name + "' could not be created; the hub's administrator can see why in its log.");
        }
    }

    /**
     * Deletes a workspace created at runtime, with its owner, grants and claim tokens. Its files stay unless
     * {@code purge}, which removes them too, and is only possible for a local workspace under the data dir.
     */
    public synchronized void delete(String name, boolean purge) {
        WorkspaceRecord record = repository.find(name).orElseThrow(() -> workspaces.all().stream()
                .anyMatch(w -> w.name().equals(name))
                ? ApiException.conflict("Workspace '" + name + "' is declared in workspaces.yaml; remove it there")
                : ApiException.notFound("No workspace named '" + name + "' was created at runtime"));
        WorkspaceConfig config = parse(record);
        if (purge && (config == null || config.backend() != WorkspaceConfig.Backend.LOCAL || config.root() != null)) {
            throw ApiException.invalid("purge removes only local workspaces kept under the data dir; "
                    + "delete without purge and remove the files of '" + name + "' yourself");
        }
        tx.executeWithoutResult(s -> repository.delete(name));
        ownership.forget(name);
        reconcile();
        if (purge) {
            try {
                FileSystemUtils.deleteRecursively(workspaces.defaultRoot(name));
            } catch (IOException e) {
                log.warn("Purging the files of deleted workspace '{}' failed", name, e);
                throw ApiException.internal("Workspace '" + name + "' is deleted, but removing its files "
                        + "failed; see the log");
            }
        }
    }

    public List<WorkspaceRecord> records() {
        return repository.findAll();
    }

    /** Stored workspaces that cannot be used on this node, with the reason, by name. */
    public Map<String, String> problems() {
        return problems;
    }

    /** Uses exactly the stored workspaces the database holds now. */
    public synchronized void reconcile() {
        List<WorkspaceConfig> configs = new ArrayList<>();
        Map<String, String> bad = new LinkedHashMap<>();
        for (WorkspaceRecord r : repository.findAll()) {
            WorkspaceConfig c = parse(r);
            if (c == null) {
                bad.put(r.name(), "its stored declaration is not valid");
            } else {
                configs.add(c);
            }
        }
        bad.putAll(workspaces.applyStored(configs));
        if (!bad.equals(problems)) {
            bad.forEach((n, why) -> log.warn("Stored workspace '{}' is not used on this node: {}", n, why));
        }
        problems = Map.copyOf(bad);
    }

    private static WorkspaceConfig parse(WorkspaceRecord r) {
        try {
            return WorkspaceConfigParser.one(JSON.readValue(r.declaration(), new TypeReference<Map<String, Object>>() {
            }));
        } catch (IOException | IllegalArgumentException e) {
            log.warn("Stored workspace '{}' has a declaration that cannot be read: {}", r.name(), e.getMessage());
            return null;
        }
    }
}
