package dev.caravan.admin;

import dev.caravan.core.CaravanSettings;
import dev.caravan.core.TokenCipher;
import dev.caravan.web.ApiProblem;
import dev.caravan.web.Problems;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.context.AbstractSecurityWebApplicationInitializer;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Clock;
import java.util.Set;

/**
 * Spring Security guards the admin API with the admin bearer token. The MCP paths are left to the dispatcher
 * servlet, which checks each endpoint's own credentials.
 */
@Configuration
@EnableConfigurationProperties(ConsoleProperties.class)
public class AdminSecurity {

    /**
     * Spring Security's filter runs for what Spring MVC serves (the admin API, the file API, the OAuth callback,
     * Camel's platform-http routes, error pages), not for the MCP dispatcher servlet. With Spring MVC present,
     * Spring Security puts a handler-mapping lookup in front of every request it filters, and with its own filters
     * that was about a sixth of Caravan's CPU per MCP call, for chains that permit MCP requests anyway.
     */
    @Bean
    static BeanPostProcessor securityFilterOnlyForSpringMvc() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof DelegatingFilterProxyRegistrationBean registration
                        && AbstractSecurityWebApplicationInitializer.DEFAULT_FILTER_NAME.equals(registration.getFilterName())) {
                    registration.setServletNames(Set.of(DispatcherServletAutoConfiguration.DEFAULT_DISPATCHER_SERVLET_BEAN_NAME));
                }
                return bean;
            }
        };
    }

    @Bean
    ConsoleSessions consoleSessions(CaravanSettings settings, AdminToken token, ConsoleProperties console) {
        return new ConsoleSessions(TokenCipher.from(settings), token, console.getSessionTtl(), Clock.systemUTC());
    }

    /**
     * The console's page and assets: a strict content security policy (scripts and styles from this origin only, no
     * inline script, no framing). Before the catch-all chain.
     */
    @Bean
    @Order(1)
    SecurityFilterChain consoleChain(HttpSecurity http) throws Exception {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return http.securityMatcher(new OrRequestMatcher(paths.matcher("/"), paths.matcher("/index.html"),
                        paths.matcher("/console/**")))
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(CONSOLE_CSP))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .build();
    }

    /**
     * The file API checks its own tokens (admin or endpoint); here the console's cookie is only turned into the
     * request attribute {@link AdminToken#CONSOLE_SESSION} so the console can browse, upload and download.
     */
    @Bean
    @Order(2)
    SecurityFilterChain consoleFilesChain(HttpSecurity http, ConsoleSessions sessions) throws Exception {
        return http.securityMatcher(PathPatternRequestMatcher.withDefaults().matcher("/files/**"))
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ConsoleSessionFilter(sessions), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .build();
    }

    static final String CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    @Bean
    SecurityFilterChain adminChain(HttpSecurity http, AdminToken token, ConsoleSessions sessions) throws Exception {
        // A plain path pattern: a string here would make Spring Security consult Spring MVC's handler mappings on
        // every request, MCP calls included (a sixth of a tools/call's CPU when profiled).
        return http.securityMatcher(PathPatternRequestMatcher.withDefaults().matcher("/admin/**"))
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerFilter(token), AnonymousAuthenticationFilter.class)
                .addFilterAfter(new ConsoleSessionFilter(sessions), BearerFilter.class)
                // An ASYNC dispatch only continues a request already authorized on its first dispatch (the end of a
                // Try it event stream); the bearer filter runs once per request, so it would be denied there.
                .authorizeHttpRequests(a -> a.dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
                        .anyRequest().hasRole("ADMIN"))
                .exceptionHandling(e -> e.authenticationEntryPoint((req, res, ex) -> {
                    res.setHeader("WWW-Authenticate", "Bearer realm=\"caravan-admin\"");
                    Problems.write(req, res, ApiProblem.UNAUTHORIZED, "Send 'Authorization: Bearer <admin token>' "
                            + "(CARAVAN_ADMIN_TOKEN, or the token in DATA_DIR/admin-token)");
                }))
                .build();
    }

    @Bean
    SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
        return http.csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .build();
    }

    private static final class BearerFilter extends OncePerRequestFilter {
        private final AdminToken token;

        BearerFilter(AdminToken token) {
            this.token = token;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && token.matches(header.substring(7).trim())) {
                SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                        "admin", null, AuthorityUtils.createAuthorityList("ROLE_ADMIN")));
            }
            chain.doFilter(request, response);
        }
    }
}
