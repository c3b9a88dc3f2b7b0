package dev.caravan.workspace.component;

import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.versions.FileVersion;
import dev.caravan.workspace.versions.VersionedStorage;
import org.apache.camel.Message;

import java.util.List;

import static dev.caravan.workspace.component.FileOperations.BYTES;
import static dev.caravan.workspace.component.FileOperations.ETAG;
import static dev.caravan.workspace.component.FileTexts.path;
import static dev.caravan.workspace.component.FileTexts.show;

/** list_versions and restore_version. */
final class VersionOperations {
    VersionOperations() {
    }

    Object versions(VersionedStorage s, Args args) {
        WorkspacePath p = path(args, "path", false);
        List<FileVersion> versions = s.versions(p);
        if (versions.isEmpty()) {
            return "No earlier versions of " + show(p) + " are kept" + (s.keep() == 0
                    ? " (this workspace keeps none)." : "; one is kept each time it is overwritten or deleted.");
        }
        StringBuilder b = new StringBuilder("Earlier versions of " + show(p) + ", newest first (restore one with "
                + "restore_version):\n");
        for (FileVersion v : versions) {
            b.append(v.id()).append("  saved ").append(v.saved()).append("  ").append(v.size()).append(" bytes  ")
                    .append("replaced by ").append(v.reason()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    Object restore(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        String id = args.required("versionId").strip();
        boolean existed = s.find(p).map(FileInfo::isFile).orElse(false);
        FileInfo written = s.restore(p, id);
        message.setHeader(ETAG, written.etag());
        message.setHeader(BYTES, written.size());
        return "Restored " + show(p) + " from version " + id + " (" + written.size() + " bytes, etag "
                + written.etag() + ")." + (existed ? " The content it replaced is kept as a version." : "");
    }
}
