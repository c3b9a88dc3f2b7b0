package dev.caravan.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A job as tools and the admin API show it: no lease, node or principal internals, the URL without its query. */
final class ImportView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImportView() {
    }

    static Map<String, Object> of(ImportJob j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job", j.id());
        m.put("state", j.state().word());
        m.put("workspace", j.workspace());
        m.put("url", ImportJobs.withoutQuery(j.url()));
        m.put("provider", j.provider());
        m.put("target", j.target().isEmpty() ? "/" : j.target());
        m.put("onConflict", j.onConflict());
        if (j.exportFormat() != null) {
            m.put("format", j.exportFormat());
        }
        m.put("bytes", j.bytes());
        if (j.total() != null) {
            m.put("total", j.total());
        }
        if (j.writtenPath() != null && j.files() != null) {
            m.put("folder", j.writtenPath()); // a shared folder's import: its files are listed under "files"
        } else if (j.writtenPath() != null) {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("path", j.writtenPath());
            file.put("etag", j.etag());
            file.put("sha256", j.sha256());
            file.put("contentType", j.contentType());
            m.put("file", file);
        }
        if (j.files() != null) {
            try {
                m.put("files", JSON.readValue(j.files(), List.class));
            } catch (JsonProcessingException e) {
                m.put("files", List.of()); // a report cut short by an older node; the state still tells
            }
        }
        if (j.reason() != null) {
            m.put("reason", j.reason().word());
            m.put("message", j.detail());
        }
        if (j.httpStatus() != null) {
            m.put("httpStatus", j.httpStatus());
        }
        if (j.cancelRequested() && !j.state().terminal()) {
            m.put("cancelRequested", true);
        }
        m.put("createdAt", j.createdAt().toString());
        if (j.finishedAt() != null) {
            m.put("finishedAt", j.finishedAt().toString());
        }
        return m;
    }
}
