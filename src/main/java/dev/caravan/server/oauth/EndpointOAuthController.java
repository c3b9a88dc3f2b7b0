package dev.caravan.server.oauth;

import dev.caravan.web.ApiException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An endpoint's OAuth policy: which identity provider's access tokens open it, and what they may do. */
@RestController
@RequestMapping("/admin/api/endpoints/{name}/oauth")
public class EndpointOAuthController {
    private final EndpointTokens tokens;

    public EndpointOAuthController(EndpointTokens tokens) {
        this.tokens = tokens;
    }

    @GetMapping
    public OAuthPolicy get(@PathVariable String name) {
        return tokens.stored(name).orElseThrow(() -> ApiException.notFound("Endpoint '" + name
                + "' takes no access tokens; PUT a policy here, e.g. {\"issuer\":\"https://login.example.com/realms/acme\"}"));
    }

    @PutMapping
    public OAuthPolicy put(@PathVariable String name, @RequestBody(required = false) OAuthPolicy body) {
        if (body == null) {
            throw ApiException.invalid("Give the policy, e.g. {\"issuer\":\"https://login.example.com/realms/acme\","
                    + "\"requiredScopes\":[\"mcp\"],\"scopeOperations\":{\"mcp:write\":[\"read\",\"write\"]}}");
        }
        return tokens.put(name, body);
    }

    @DeleteMapping
    public ResponseEntity<Void> delete(@PathVariable String name) {
        tokens.delete(name);
        return ResponseEntity.noContent().build();
    }
}
