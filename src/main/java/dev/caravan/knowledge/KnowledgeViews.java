package dev.caravan.knowledge;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the tools and the admin API show: search hits with a citation link, status per base and per document. */
public final class KnowledgeViews {
    private final KnowledgeService service;
    private final String publicBaseUrl;

    public KnowledgeViews(KnowledgeService service, String publicBaseUrl) {
        this.service = service;
        this.publicBaseUrl = publicBaseUrl == null ? "" : publicBaseUrl.replaceAll("/+$", "");
    }

    public Map<String, Object> hit(SearchHit h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", h.text());
        if (h.matched() != null) {
            m.put("matched", h.matched());
        }
        m.put("score", Math.round(h.score() * 10000) / 10000.0);
        m.put("knowledgeBase", h.knowledgeBase());
        m.put("workspace", h.workspace());
        m.put("path", h.path());
        if (h.page() > 0) {
            m.put("page", h.page());
        }
        if (h.heading() != null) {
            m.put("heading", h.heading());
        }
        m.put("mimeType", h.mimeType());
        m.put("link", link(h.workspace(), h.path()));
        return m;
    }

    /** The HTTP file API address of the file (what a citation points at). */
    public String link(String workspace, String path) {
        StringBuilder b = new StringBuilder(publicBaseUrl).append("/files/").append(encode(workspace));
        for (String segment : path.split("/")) {
            b.append('/').append(encode(segment));
        }
        return b.toString();
    }

    public List<Map<String, Object>> status(String base, boolean documents) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (KnowledgeService.Base b : service.bases()) {
            String name = b.definition().name();
            if (base != null && !base.isBlank() && !name.equals(base)) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("origin", b.origin());
            m.put("embeddingModel", b.serving().model().id());
            m.put("embedding", b.definition().embedding().toMap());
            service.modelChange(b).ifPresent(p -> {
                // A model change: search stays on the old model until the new one has every document.
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("from", b.serving().model().id());
                change.put("to", b.next().model().id());
                change.put("documents", p.documents());
                change.put("embedded", p.embedded());
                change.put("pending", p.working());
                if (p.blocked() > 0) {
                    change.put("failed", p.blocked());
                    change.put("hint", "documents that failed with the new model keep the swap waiting; see their "
                            + "reason (documents=true), then reindex them");
                }
                m.put("modelChange", change);
            });
            m.put("pipeline", b.definition().pipeline());
            KnowledgeBase.Chunking chunking = b.definition().chunking();
            m.put("chunking", chunking.parentChild() ? Map.of("mode", chunking.mode(), "size", chunking.size(),
                    "overlap", chunking.overlap(), "parentSize", chunking.parentSize())
                    : Map.of("mode", chunking.mode(), "size", chunking.size(), "overlap", chunking.overlap()));
            m.put("sources", b.definition().sources());
            m.put("counts", service.counts(name));
            m.put("chunks", b.index().size());
            service.lastFailure(name).ifPresent(f -> m.put("lastError", Map.of("workspace", f.workspace(),
                    "path", f.path(), "reason", String.valueOf(f.reason()), "at", f.updatedAt().toString())));
            if (documents) {
                m.put("documents", service.documents(name).stream().map(this::document).toList());
            }
            out.add(m);
        }
        if (base != null && !base.isBlank() && out.isEmpty()) {
            throw new KnowledgeBaseException("no knowledge base named " + base);
        }
        return out;
    }

    public Map<String, Object> document(DocumentState d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workspace", d.workspace());
        m.put("path", d.path());
        m.put("status", d.status());
        if (d.reason() != null) {
            m.put("reason", d.reason());
        }
        if (d.mimeType() != null) {
            m.put("mimeType", d.mimeType());
        }
        m.put("extractedChars", d.extractedChars());
        m.put("chunkedChars", d.chunkedChars());
        m.put("chunks", d.chunkCount());
        m.put("attempts", d.attempts());
        m.put("queuedAt", d.queuedAt().toString());
        m.put("updatedAt", d.updatedAt().toString());
        return m;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
