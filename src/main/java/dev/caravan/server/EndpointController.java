package dev.caravan.server;

import dev.caravan.core.CaravanSettings;
import dev.caravan.web.ApiException;
import dev.caravan.core.WorkspaceScopes;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Publishing endpoints: create, list, show, change, delete, regenerate the secret. */
@RestController
@RequestMapping("/admin/api/endpoints")
public class EndpointController {
    private final EndpointService endpoints;
    private final CaravanSettings properties;

    public EndpointController(EndpointService endpoints, CaravanSettings properties) {
        this.endpoints = endpoints;
        this.properties = properties;
    }

    public record CreateRequest(String name, List<String> tools) {
    }

    public record PatchRequest(Boolean enabled, List<String> tools) {
    }

    public record RegenerateRequest(Long graceSeconds) {
    }

    /** A named credential: workspace names/globs and operations (each default all), an optional end. */
    public record CredentialRequest(String name, List<String> workspaces, List<String> operations,
                                    Instant expiresAt, Long expiresInSeconds) {
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> create(@RequestBody CreateRequest body, HttpServletRequest request) {
        if (body == null || body.name() == null) {
            throw ApiException.invalid("Give the endpoint a name, e.g. {\"name\":\"sales\",\"tools\":[\"crm\"]}");
        }
        String token = endpoints.create(body.name(), body.tools());
        Map<String, Object> out = published(body.name(), token, request);
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
    }

    @GetMapping
    public List<EndpointService.View> list() {
        return endpoints.list();
    }

    @GetMapping("/{name}")
    public EndpointService.View get(@PathVariable String name) {
        return endpoints.view(name).orElseThrow(() -> ApiException.notFound("No endpoint named '" + name + "'"));
    }

    @PatchMapping("/{name}")
    public EndpointService.View patch(@PathVariable String name, @RequestBody PatchRequest body) {
        return endpoints.update(name, body.enabled(), body.tools());
    }

    @DeleteMapping("/{name}")
    public ResponseEntity<Void> delete(@PathVariable String name) {
        endpoints.delete(name);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{name}/regenerate")
    public Map<String, Object> regenerate(@PathVariable String name,
                                          @RequestBody(required = false) RegenerateRequest body,
                                          HttpServletRequest request) {
        long grace = body == null || body.graceSeconds() == null ? 0 : body.graceSeconds();
        Map<String, Object> out = published(name, endpoints.regenerate(name, grace), request);
        out.put("previousValidForSeconds", grace);
        return out;
    }

    /** Adds a credential with workspace scopes; the token is in the answer only. */
    @PostMapping("/{name}/credentials")
    public ResponseEntity<Map<String, Object>> createCredential(@PathVariable String name,
                                                                @RequestBody CredentialRequest body,
                                                                HttpServletRequest request) {
        if (body == null || body.name() == null) {
            throw ApiException.invalid("Give the credential a name, e.g. {\"name\":\"ci-bot\","
                    + "\"workspaces\":[\"team-*\"],\"operations\":[\"read\"]}");
        }
        if (body.expiresAt() != null && body.expiresInSeconds() != null) {
            throw ApiException.invalid("Give expiresAt or expiresInSeconds, not both");
        }
        if (body.expiresInSeconds() != null && body.expiresInSeconds() <= 0) {
            throw ApiException.invalid("expiresInSeconds must be positive");
        }
        WorkspaceScopes scopes;
        try {
            scopes = WorkspaceScopes.parse(body.workspaces(), body.operations());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(e.getMessage());
        }
        Instant expiresAt = body.expiresInSeconds() != null
                ? Instant.now().plusSeconds(body.expiresInSeconds()) : body.expiresAt();
        String token = endpoints.createCredential(name, body.name(), scopes, expiresAt);
        Map<String, Object> out = published(name, token, request);
        out.remove("tools"); // the endpoint's; this credential may see fewer
        out.put("credential", body.name());
        out.put("workspaces", scopes.workspaces());
        out.put("operations", scopes.operationIds());
        out.put("expiresAt", expiresAt);
        return ResponseEntity.status(HttpStatus.CREATED).body(out);
    }

    @GetMapping("/{name}/credentials")
    public List<EndpointService.CredentialView> credentials(@PathVariable String name) {
        return endpoints.credentials(name);
    }

    @DeleteMapping("/{name}/credentials/{credential}")
    public ResponseEntity<Void> deleteCredential(@PathVariable String name, @PathVariable String credential) {
        endpoints.deleteCredential(name, credential);
        return ResponseEntity.noContent().build();
    }

    private Map<String, Object> published(String name, String token, HttpServletRequest request) {
        String base = properties.getPublicBaseUrl() != null ? properties.getPublicBaseUrl().replaceAll("/+$", "")
                : ServletUriComponentsBuilder.fromContextPath(request).build().toUriString();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("url", base + "/mcp/" + name);
        out.put("secretUrl", base + "/mcp/" + name + "?key=" + token);
        out.put("sseUrl", base + "/sse/" + name);
        out.put("token", token);
        out.put("tools", endpoints.view(name).map(EndpointService.View::exposedTools).orElse(List.of()));
        return out;
    }

}
