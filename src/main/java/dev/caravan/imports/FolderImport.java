package dev.caravan.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.workspace.Workspace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A shared folder's tree into one workspace folder (its sub-folders as sub-folders, each name sanitised), each file
 * through the same atomic write as a single import, so onConflict decides what a name already taken becomes. The
 * caps count the whole tree and are checked on the listing first (more files than allowed, or a known total over
 * the byte cap: nothing is fetched); the byte cap is also enforced while streaming, for files whose size the
 * listing did not give. A file that fails is reported and the others go on; a stop (cancel, timeout, lost lease)
 * ends the job at once.
 */
final class FolderImport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<ImportReason> STOPS = Set.of(ImportReason.CANCELLED, ImportReason.TIMEOUT,
            ImportReason.INTERRUPTED, ImportReason.AUTH_REQUIRED, ImportReason.RATE_LIMITED);
    private static final int MAX_REPORT_CHARS = 32000;

    /** {@code caravan.import.folder-max-files}, {@code folder-max-bytes} and {@code folder-max-depth}. */
    record Caps(int maxFiles, long maxBytes, int maxDepth) {
    }

    private final ImportRunner runner;
    private final ImportJob job;
    private final Workspace workspace;
    private final long maxFileBytes;
    private final Caps caps;

    FolderImport(ImportRunner runner, ImportJob job, Workspace workspace, long maxFileBytes, Caps caps) {
        this.runner = runner;
        this.job = job;
        this.workspace = workspace;
        this.maxFileBytes = maxFileBytes;
        this.caps = caps;
    }

    ImportJobRepository.Outcome run(ImportSource.Folder folder, ImportRunner.Progress progress, FetchControl control) {
        if (folder.files().size() > caps.maxFiles()) {
            throw new ImportFailure(ImportReason.TOO_LARGE, "The shared folder holds more than " + caps.maxFiles()
                    + " files (its sub-folders counted), more than one import may bring in (too_large; setting "
                    + "caravan.import.folder-max-files); nothing was imported. Import its sub-folders one by one.");
        }
        long known = folder.files().stream().map(ImportSource.Item::download)
                .mapToLong(d -> d.size() == null ? 0 : d.size()).sum();
        if (known > caps.maxBytes()) {
            throw new ImportFailure(ImportReason.TOO_LARGE, "The shared folder holds " + known + " bytes, more than "
                    + "the " + caps.maxBytes() + " one import may bring in (too_large; setting "
                    + "caravan.import.folder-max-bytes); nothing was imported.");
        }
        progress.total = known > 0 ? known : null;
        String name = FileNames.sanitise(folder.name() == null ? "" : folder.name());
        String base = job.target().isEmpty() || job.target().endsWith("/") ? job.target() : job.target() + "/";
        String into = base + (name == null ? "shared folder" : name) + "/";
        List<Map<String, Object>> report = new ArrayList<>();
        folder.skipped().forEach(s -> report.add(Map.of("name", s, "state", "skipped")));
        long bytes = 0;
        int done = 0;
        ImportFailure first = null;
        for (ImportSource.Item item : folder.files()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("name", item.relativePath());
            report.add(line);
            long room = Math.min(maxFileBytes, caps.maxBytes() - bytes);
            try {
                ImportRunner.Written w = runner.write(job, workspace, item.download(), room, into + dir(item), bytes,
                        progress, control);
                bytes += w.bytes();
                done++;
                line.put("state", "done");
                line.put("path", w.path());
                line.put("bytes", w.bytes());
                line.put("etag", w.etag());
                line.put("sha256", w.sha256());
            } catch (ImportFailure f) {
                bytes = progress.bytes.get();
                line.put("state", "failed");
                line.put("reason", f.reason().word());
                line.put("message", f.getMessage());
                first = first == null ? f : first;
                if (STOPS.contains(f.reason())) {
                    break;
                }
            }
        }
        progress.bytes.set(bytes);
        String files = report(report);
        if (first == null) {
            return new ImportJobRepository.Outcome(ImportState.DONE, null, null, null, bytes, progress.total,
                    into, null, null, null, files);
        }
        return ImportJobRepository.Outcome.failed(first.reason(), done + " of " + folder.files().size()
                + " files were imported into " + into + "; the first failure: " + first.getMessage(),
                first.httpStatus(), bytes, progress.total, files);
    }

    /** The item's sub-folders as workspace folders, each name sanitised to one segment; "" or "a/b/". */
    private static String dir(ImportSource.Item item) {
        StringBuilder out = new StringBuilder();
        for (String segment : item.dir()) {
            String clean = FileNames.sanitise(segment);
            out.append(clean == null ? "folder" : clean).append('/');
        }
        return out.toString();
    }

    private static String report(List<Map<String, Object>> report) {
        try {
            String json = JSON.writeValueAsString(report);
            while (json.length() > MAX_REPORT_CHARS && report.size() > 1) {
                report.remove(report.size() - 1);
                json = JSON.writeValueAsString(report);
            }
            return json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
