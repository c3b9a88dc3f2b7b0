package dev.caravan.knowledge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /admin/api/knowledge} (status of every base), {@code POST /admin/api/knowledge} (declare or replace:
 * the shape of knowledge.yaml's items), {@code GET|DELETE /admin/api/knowledge/{name}} ({@code ?documents=true}
 * lists each document's state), {@code POST /admin/api/knowledge/{name}/reindex[?path=]} and
 * {@code GET /admin/api/knowledge/{name}/search?query=&k=&workspace=&pathPrefix=&mimeType=}.
 */
@RestController
@RequestMapping("/admin/api/knowledge")
public class KnowledgeController {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KnowledgeService service;
    private final KnowledgeViews views;

    public KnowledgeController(KnowledgeService service, KnowledgeViews views) {
        this.service = service;
        this.views = views;
    }

    @GetMapping
    public Map<String, Object> list(@RequestParam(defaultValue = "false") boolean documents) {
        return Map.of("knowledgeBases", views.status(null, documents));
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> declare(@RequestBody(required = false) String body) {
        Map<?, ?> declaration;
        try {
            declaration = body == null || body.isBlank() ? null : JSON.readValue(body, Map.class);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid("The body is not a JSON object: " + e.getOriginalMessage());
        }
        if (declaration == null) {
            throw ApiException.invalid("Send a declaration such as {\"name\":\"kb\",\"sources\":[{\"workspace\":"
                    + "\"default\",\"include\":[\"kb/**\"]}]}.");
        }
        boolean existed = declaration.get("name") instanceof String n && service.base(n).isPresent();
        try {
            KnowledgeService.Base b = service.declare(declaration);
            return ResponseEntity.status(existed ? HttpStatus.OK : HttpStatus.CREATED)
                    .body(views.status(b.definition().name(), false).get(0));
        } catch (KnowledgeBaseException e) {
            throw e.getMessage().contains("knowledge.yaml") ? ApiException.conflict(e.getMessage())
                    : ApiException.invalid(e.getMessage());
        }
    }

    @GetMapping("/{name}")
    public Map<String, Object> get(@PathVariable String name, @RequestParam(defaultValue = "false") boolean documents) {
        return status(name, documents);
    }

    @DeleteMapping("/{name}")
    public ResponseEntity<Void> delete(@PathVariable String name) {
        try {
            if (!service.remove(name)) {
                throw ApiException.notFound("No knowledge base named " + name + ".");
            }
        } catch (KnowledgeBaseException e) {
            throw ApiException.conflict(e.getMessage());
        }
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{name}/reindex")
    public Map<String, Object> reindex(@PathVariable String name, @RequestParam(required = false) String path) {
        status(name, false);
        int n = service.reindex(name, path == null || path.isBlank() ? null : path);
        return Map.of("knowledgeBase", name, "queued", n);
    }

    @GetMapping("/{name}/search")
    public Map<String, Object> search(@PathVariable String name, @RequestParam String query,
                                      @RequestParam(defaultValue = "8") int k,
                                      @RequestParam(required = false) String workspace,
                                      @RequestParam(required = false) String pathPrefix,
                                      @RequestParam(required = false) String mimeType,
                                      @RequestParam(defaultValue = "hybrid") String mode) {
        status(name, false);
        LuceneIndex.Mode m;
        try {
            m = LuceneIndex.Mode.valueOf(mode.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("mode is hybrid, vector or text, not " + mode + ".");
        }
        try {
            List<SearchHit> hits = service.search(query, name, k, new SearchFilters(workspace, pathPrefix, mimeType), m);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("query", query);
            out.put("results", hits.stream().map(views::hit).toList());
            return out;
        } catch (KnowledgeBaseException e) {
            throw ApiException.invalid(e.getMessage());
        }
    }

    private Map<String, Object> status(String name, boolean documents) {
        try {
            return views.status(name, documents).get(0);
        } catch (KnowledgeBaseException e) {
            throw ApiException.notFound("No knowledge base named " + name + ".");
        }
    }
}
