package dev.caravan.imports.drive;

import dev.caravan.imports.ImportFailure;
import dev.caravan.upstream.oauth.OAuthException;
import dev.caravan.web.ApiException;
import dev.caravan.web.MessagePage;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /admin/api/drives} behind the admin token: GET lists a principal's connections, POST
 * {@code /{provider}/connect} answers the authorization URL, DELETE {@code /{provider}} disconnects. The principal
 * defaults to {@code admin} (whose imports the admin API starts). {@code GET /oauth/drives/callback} is open (the
 * provider sends the person's browser there) and answers a small page; it never echoes the code or a token.
 */
@RestController
public class DriveController {
    private final DriveAccounts accounts;

    public DriveController(DriveAccounts accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/admin/api/drives")
    public Map<String, Object> list(@RequestParam(defaultValue = "admin") String principal) {
        return Map.of("principal", principal, "connections", accounts.connections(principal));
    }

    @PostMapping("/admin/api/drives/{provider}/connect")
    public ResponseEntity<Map<String, Object>> connect(@PathVariable String provider,
                                                       @RequestParam(defaultValue = "admin") String principal) {
        try {
            String base = ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("provider", provider);
            body.put("authorizationUrl", accounts.connect(provider.toLowerCase(Locale.ROOT), principal, base));
            return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
        } catch (ImportFailure e) {
            throw ApiException.invalid(e.getMessage());
        }
    }

    @DeleteMapping("/admin/api/drives/{provider}")
    public ResponseEntity<Void> disconnect(@PathVariable String provider,
                                           @RequestParam(defaultValue = "admin") String principal) {
        try {
            accounts.disconnect(provider.toLowerCase(Locale.ROOT), principal);
            return ResponseEntity.noContent().build();
        } catch (ImportFailure e) {
            throw ApiException.invalid(e.getMessage());
        }
    }

    @GetMapping(value = DriveAccounts.CALLBACK_PATH, produces = MediaType.TEXT_HTML_VALUE)
    public ResponseEntity<String> callback(@RequestParam(required = false) String state,
                                           @RequestParam(required = false) String code,
                                           @RequestParam(required = false) String error,
                                           @RequestParam(name = "error_description", required = false)
                                           String errorDescription) {
        try {
            String drive = accounts.complete(state, code, error, errorDescription);
            return MessagePage.of(200, "Drive connected", "Caravan can now import from your " + drive
                    + ". You can close this window and start the import again.");
        } catch (OAuthException e) {
            return MessagePage.of(400, "Connecting the drive failed", e.getMessage());
        }
    }
}
