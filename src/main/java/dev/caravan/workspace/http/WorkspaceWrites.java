package dev.caravan.workspace.http;

import dev.caravan.workspace.Workspace;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;

import java.io.InputStream;
import java.util.function.Supplier;

/**
 * Every change made through the HTTP faces (the file API, share uploads) goes through here, to the versioned
 * storage, so overwritten and deleted content is kept as a version.
 */
public class WorkspaceWrites {

    /** Writes a file from the request body, streamed; {@code actor} is who asks ("admin", a credential's principal such as "sales/default", "share:id"). */
    public FileInfo write(String actor, Workspace workspace, WorkspacePath path, InputStream body, WriteOptions options) {
        return apply(actor, workspace, "write", path, () -> workspace.storage().write(path, Streams.from(body), options));
    }

    public void delete(String actor, Workspace workspace, WorkspacePath path, Precondition precondition) {
        apply(actor, workspace, "delete", path, () -> {
            workspace.storage().delete(path, precondition);
            return null;
        });
    }

    public FileInfo createDirectory(String actor, Workspace workspace, WorkspacePath path) {
        return apply(actor, workspace, "create_directory", path, () -> workspace.storage().createDirectory(path));
    }

    // The one gate for HTTP mutations: lock checks and audit records hook in here.
    private <T> T apply(String actor, Workspace workspace, String operation, WorkspacePath path, Supplier<T> mutation) {
        return mutation.get();
    }
}
