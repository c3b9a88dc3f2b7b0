package dev.caravan.web;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.util.HtmlUtils;

/**
 * The small HTML page a browser lands on at the end of an OAuth round (an upstream authorized, a drive connected):
 * a title and a sentence, escaped, never cached, loading nothing and leaking no referrer.
 */
public final class MessagePage {
    private MessagePage() {
    }

    public static ResponseEntity<String> of(int status, String title, String message) {
        String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + HtmlUtils.htmlEscape(title)
                + "</title></head><body><h1>" + HtmlUtils.htmlEscape(title) + "</h1><p>"
                + HtmlUtils.htmlEscape(message) + "</p></body></html>";
        return ResponseEntity.status(status).cacheControl(CacheControl.noStore())
                .header("Referrer-Policy", "no-referrer")
                .header("Content-Security-Policy", "default-src 'none'")
                .contentType(MediaType.TEXT_HTML).body(html);
    }
}
