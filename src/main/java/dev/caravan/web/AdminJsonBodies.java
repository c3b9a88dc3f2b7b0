package dev.caravan.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

/**
 * The admin API takes only JSON, so a body sent without a Content-Type, or as {@code curl -d} sends it
 * ({@code application/x-www-form-urlencoded}), is read as JSON there. Otherwise the servlet container would decode
 * it as a form and Spring would re-encode it ({@code %7B%22name...}), answering a baffling parse error about '%'.
 * Runs before any filter could read request parameters (which would consume the body as a form).
 */
@Configuration
public class AdminJsonBodies {
    static final String PATHS = "/admin/api/*";

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> adminJsonBodiesFilter() {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new JsonBodies());
        registration.addUrlPatterns(PATHS);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    static final class JsonBodies extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            chain.doFilter(hasBody(request) && formOrNone(request.getContentType()) ? new AsJson(request) : request,
                    response);
        }

        private static boolean hasBody(HttpServletRequest request) {
            return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        }

        private static boolean formOrNone(String contentType) {
            return contentType == null || contentType.isBlank() || contentType.toLowerCase(Locale.ROOT)
                    .startsWith(MediaType.APPLICATION_FORM_URLENCODED_VALUE);
        }
    }

    /** The request as if sent with {@code Content-Type: application/json}. */
    private static final class AsJson extends HttpServletRequestWrapper {
        AsJson(HttpServletRequest request) throws IOException {
            super(request);
            // Taking the stream marks the body as the application's: parameters then come from the query only, so
            // nothing (a filter asking for a parameter) can decode the JSON as a form and consume it.
            request.getInputStream();
        }

        @Override
        public String getContentType() {
            return MediaType.APPLICATION_JSON_VALUE;
        }

        @Override
        public String getHeader(String name) {
            return "Content-Type".equalsIgnoreCase(name) ? getContentType() : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return "Content-Type".equalsIgnoreCase(name) ? Collections.enumeration(List.of(getContentType()))
                    : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = Collections.list(super.getHeaderNames());
            if (names.stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
                names.add("Content-Type");
            }
            return Collections.enumeration(names);
        }
    }
}
