package dev.caravan.upstream.oauth;

import dev.caravan.upstream.Upstreams;
import dev.caravan.web.ApiException;
import dev.caravan.web.ApiProblem;
import dev.caravan.web.MessagePage;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /admin/api/upstreams/{name}/authorize} (behind the admin token) starts an OAuth flow and answers
 * {@code {"authorizationUrl": ...}}; the upstream's status then shows needs-authorization with that URL, authorizing
 * while the code is exchanged, and online once connected. {@code GET /oauth/callback} (open: the authorization
 * server sends the person's browser there) finishes it and answers a small HTML page; failures say what to do and
 * never echo the code, a token or a secret.
 */
@RestController
public class OAuthController {
    private final UpstreamOAuth oauth;
    private final Upstreams upstreams;

    public OAuthController(UpstreamOAuth oauth, Upstreams upstreams) {
        this.oauth = oauth;
        this.upstreams = upstreams;
    }

    @PostMapping("/admin/api/upstreams/{name}/authorize")
    public ResponseEntity<Map<String, Object>> authorize(@PathVariable String name) {
        if (upstreams.status(name) == null) {
            throw ApiException.notFound("No upstream named '" + name + "'; upstreams are declared in "
                    + "connectors/upstreams.yaml or created with POST /admin/api/upstreams");
        }
        try {
            String base = ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
            UpstreamOAuth.Started started = oauth.start(name, base);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("authorizationUrl", started.authorizationUrl());
            body.put("expiresAt", started.expiresAt().toString());
            body.put("redirectUri", started.redirectUri());
            return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
        } catch (UpstreamOAuth.NotOAuth e) {
            throw ApiException.conflict(e.getMessage());
        } catch (OAuthException e) {
            throw new ApiException(ApiProblem.UPSTREAM_FAILED, "Upstream '" + name + "': " + e.getMessage());
        }
    }

    @GetMapping(value = UpstreamOAuth.CALLBACK_PATH, produces = MediaType.TEXT_HTML_VALUE)
    public ResponseEntity<String> callback(@RequestParam(required = false) String state,
                                           @RequestParam(required = false) String code,
                                           @RequestParam(required = false) String iss,
                                           @RequestParam(required = false) String error,
                                           @RequestParam(name = "error_description", required = false)
                                           String errorDescription, HttpServletRequest request) {
        try {
            String upstream = oauth.complete(state, code, iss, error, errorDescription);
            return MessagePage.of(200, "Caravan is authorized",
                    "Caravan can now use the upstream '" + upstream + "'. You can close this window.");
        } catch (OAuthException e) {
            return MessagePage.of(400, "Authorization failed", e.getMessage());
        }
    }
}
