package dev.caravan.ops;

import dev.caravan.admin.AdminToken;
import dev.caravan.server.Credentials;
import dev.caravan.web.ApiProblem;
import dev.caravan.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.annotation.Order;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * {@code /actuator}: health is open (load balancers send no token; without the admin token it shows the status
 * only, see {@code management.endpoint.health.roles}); the Prometheus scrape needs the admin token or the metrics
 * token; nothing else is exposed.
 */
@Configuration
public class ActuatorSecurity {
    static final String ADMIN = "ADMIN";
    static final String METRICS = "METRICS";

    /** Before the catch-all chain of {@code AdminSecurity}, which permits everything it matches. */
    @Bean
    @Order(0)
    SecurityFilterChain actuatorChain(HttpSecurity http, AdminToken admin, MetricsProperties metrics) throws Exception {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return http.securityMatcher(paths.matcher("/actuator/**"))
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerFilter(admin, metrics.getToken()), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(paths.matcher("/actuator/health"), paths.matcher("/actuator/health/**")).permitAll()
                        .requestMatchers(paths.matcher("/actuator/prometheus")).hasAnyRole(ADMIN, METRICS)
                        .anyRequest().hasRole(ADMIN))
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> {
                    res.setHeader("WWW-Authenticate", "Bearer realm=\"caravan-metrics\"");
                    Problems.write(req, res, ApiProblem.UNAUTHORIZED, "Send 'Authorization: Bearer <token>' with the "
                            + "admin token or the metrics token (caravan.metrics.token, CARAVAN_METRICS_TOKEN)");
                }))
                .build();
    }

    private static final class BearerFilter extends OncePerRequestFilter {
        private final AdminToken admin;
        private final String metricsHash;

        BearerFilter(AdminToken admin, String metricsToken) {
            this.admin = admin;
            this.metricsHash = metricsToken.isEmpty() ? null : Credentials.hash(metricsToken);
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                String token = header.substring(7).trim();
                String role = admin.matches(token) ? ADMIN
                        : metricsHash != null && Credentials.sameHash(metricsHash, Credentials.hash(token)) ? METRICS
                        : null;
                if (role != null) {
                    SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                            role.toLowerCase(), null, AuthorityUtils.createAuthorityList("ROLE_" + role)));
                }
            }
            chain.doFilter(request, response);
        }
    }
}
