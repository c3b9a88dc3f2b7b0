package dev.caravan;

import dev.caravan.admin.AdminToken;
import dev.caravan.catalog.Catalog;
import dev.caravan.catalog.RouteSource;
import dev.caravan.core.CaravanSettings;
import dev.caravan.core.Periodic;
import dev.caravan.core.PhasedLifecycle;
import dev.caravan.routes.RouteDirectory;
import dev.caravan.routes.RoutesProperties;
import dev.caravan.server.BearerKeyDiscoveryServlet;
import dev.caravan.server.CallRegistry;
import dev.caravan.server.ClientDisconnectLogFilter;
import dev.caravan.server.HostCheckFilter;
import dev.caravan.server.McpJson;
import dev.caravan.server.SecretMaskingLogFilter;
import dev.caravan.server.McpAdmission;
import dev.caravan.server.EndpointRuntime;
import dev.caravan.server.EndpointService;
import dev.caravan.server.McpDispatcherServlet;
import dev.caravan.server.McpServerProperties;
import dev.caravan.server.OriginGuard;
import dev.caravan.server.RequestStateKeys;
import dev.caravan.server.modern.ModernEndpoint;
import dev.caravan.server.oauth.EndpointOAuthProperties;
import dev.caravan.server.oauth.EndpointTokens;
import dev.caravan.server.oauth.OAuthPolicy;
import dev.caravan.store.EndpointOAuthRepository;
import dev.caravan.server.modern.RequestStates;
import dev.caravan.store.CredentialRepository;
import dev.caravan.store.EndpointRepository;
import dev.caravan.store.RequestStateKeyRepository;
import dev.caravan.tool.AiClientComponent;
import dev.caravan.tool.AiComponent;
import dev.caravan.tool.AiResultComponent;
import dev.caravan.tool.FeatureRegistry;
import dev.caravan.tool.OutboundCalls;
import dev.caravan.tool.RouteInvoker;
import dev.caravan.tool.ToolFailure;
import dev.caravan.tool.ToolProperties;
import io.modelcontextprotocol.json.McpJsonMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.concurrent.CancellationException;

/** Wires the rooms together: routes → catalogue → published endpoints → the dispatcher servlet. */
@Configuration
@EnableConfigurationProperties({CaravanSettings.class, McpServerProperties.class, ToolProperties.class,
        RoutesProperties.class, EndpointOAuthProperties.class})
public class CaravanConfiguration {

    @Bean
    static DataDirDefaults dataDirDefaults(Environment env) {
        return new DataDirDefaults(env);
    }

    @Bean
    FeatureRegistry featureRegistry() {
        return new FeatureRegistry();
    }

    // Camel finds components among the beans by name.
    @Bean("ai-tool")
    AiComponent aiTool(FeatureRegistry registry) {
        return new AiComponent(AiComponent.Kind.TOOL, registry);
    }

    @Bean("ai-resource")
    AiComponent aiResource(FeatureRegistry registry) {
        return new AiComponent(AiComponent.Kind.RESOURCE, registry);
    }

    @Bean("ai-prompt")
    AiComponent aiPrompt(FeatureRegistry registry) {
        return new AiComponent(AiComponent.Kind.PROMPT, registry);
    }

    @Bean("ai-result")
    AiResultComponent aiResult() {
        return new AiResultComponent();
    }

    @Bean("ai-client")
    AiClientComponent aiClient() {
        return new AiClientComponent();
    }

    @Bean
    RouteInvoker routeInvoker(ToolProperties properties) {
        return new RouteInvoker(properties.getTimeout(), properties.getTimeouts());
    }

    @Bean
    Catalog catalog(FeatureRegistry registry, RouteInvoker invoker) {
        return new Catalog(registry, new RouteSource(registry, invoker));
    }

    @Bean
    CallRegistry callRegistry() {
        return new CallRegistry();
    }

    @Bean
    McpJsonMapper mcpJsonMapper() {
        return McpJson.mapper();
    }

    @Bean(destroyMethod = "close")
    EndpointRuntime endpointRuntime(Catalog catalog, CallRegistry calls, McpJsonMapper json,
                                    McpServerProperties properties, RequestStateKeyRepository stateKeys) {
        // The 2026-07-28 era: request state is sealed with a key every node shares (see README, "Request state").
        McpServerProperties.Mcp mcp = properties.getMcp();
        RequestStates codec = RequestStateKeys.codec(mcp.getRequestStateKey(), mcp.getRequestStatePreviousKey(),
                mcp.getRequestStateTtl(), stateKeys, json);
        ModernEndpoint.Settings modern = new ModernEndpoint.Settings(codec, mcp.getMaxRequestBytes(),
                mcp.getListTtl().toMillis(), mcp.getKeepAlive());
        return new EndpointRuntime(catalog, calls, json, properties, modern);
    }

    /** Re-reads the endpoints from the database, for changes made on other nodes; started once Camel runs. */
    @Bean(destroyMethod = "close")
    Periodic endpointReconcile(EndpointService endpoints, McpServerProperties properties) {
        return Periodic.every("endpoint-reconcile", properties.getEndpointReconcileInterval(), endpoints::reconcile);
    }

    /**
     * Ends the held-open MCP streams first, so the web server's graceful shutdown does not wait on them; stops
     * reconciling before, so nothing is published to the closed runtime.
     */
    @Bean
    PhasedLifecycle mcpSessionsCloser(EndpointRuntime runtime, Periodic endpointReconcile) {
        return new PhasedLifecycle("mcp-sessions-closer", () -> {
        }, () -> {
            endpointReconcile.close();
            runtime.close();
        });
    }

    @Bean
    EndpointService endpointService(EndpointRepository endpoints, CredentialRepository credentials,
                                    EndpointRuntime runtime, TransactionTemplate tx, McpServerProperties properties,
                                    Environment env) {
        // Tokens of declared endpoints are read from the environment (Spring's view of it, which includes
        // the process environment) by the variable's name.
        return new EndpointService(endpoints, credentials, runtime, tx, properties, env::getProperty);
    }

    /** Access tokens from identity providers, for the endpoints with an OAuth policy (see the README). */
    @Bean
    EndpointTokens endpointTokens(EndpointOAuthRepository policies, EndpointRepository endpoints,
                                  McpServerProperties properties, EndpointOAuthProperties oauth, CaravanSettings caravan,
                                  EndpointService service, Environment env) {
        java.util.Map<String, OAuthPolicy> declared = new java.util.LinkedHashMap<>();
        properties.getEndpoints().forEach((name, d) -> {
            if (d.getOauth() != null) {
                declared.put(name, d.getOauth());
            }
        });
        EndpointTokens tokens = new EndpointTokens(policies, endpoints, declared, env::getProperty,
                oauth.getClockSkew(), oauth.getProviderTimeout(), caravan.getPublicBaseUrl(), java.time.Clock.systemUTC());
        service.alsoRetainViews(tokens::liveOperations);
        return tokens;
    }

    @Bean
    ServletRegistrationBean<McpDispatcherServlet> mcpDispatcher(EndpointRuntime runtime, EndpointService endpoints,
                                                                CallRegistry calls, McpServerProperties properties,
                                                                EndpointTokens tokens) {
        // Here, after Spring Boot has (re)initialised Logback, which drops turbo filters added before.
        ClientDisconnectLogFilter.install();
        SecretMaskingLogFilter.install();
        OriginGuard guard = new OriginGuard(properties.getSecurity().getAllowedHosts(),
                properties.getSecurity().getAllowedOrigins());
        ServletRegistrationBean<McpDispatcherServlet> bean = new ServletRegistrationBean<>(new McpDispatcherServlet(
                runtime, endpoints, calls, guard, properties.getMcp().getMaxRequestBytes(),
                new McpAdmission(properties.getMcp().getMaxConcurrentRequests(),
                        properties.getMcp().getMaxConcurrentPerClient(), properties.getMcp().getMaxConcurrentPerAddress()),
                properties.getMcp().getBodyReadTimeout(), properties.getMcp().getMaxCallsInFlight())
                .acceptingTokens(tokens), "/mcp/*", "/sse/*");
        bean.setAsyncSupported(true);
        bean.setLoadOnStartup(1);
        return bean;
    }

    /** The allowed-hosts check for every path, before any other filter (Spring Security's included). */
    @Bean
    FilterRegistrationBean<HostCheckFilter> hostCheck(
            McpServerProperties properties) {
        var bean = new FilterRegistrationBean<>(new HostCheckFilter(
                new OriginGuard(properties.getSecurity().getAllowedHosts(), properties.getSecurity().getAllowedOrigins())));
        bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
        bean.addUrlPatterns("/*");
        return bean;
    }

    /** Tells OAuth-probing MCP clients that the endpoints take a bearer key (see the servlet). */
    @Bean
    ServletRegistrationBean<BearerKeyDiscoveryServlet> bearerKeyDiscovery(EndpointTokens tokens) {
        return new ServletRegistrationBean<>(new BearerKeyDiscoveryServlet(tokens),
                BearerKeyDiscoveryServlet.PATHS);
    }

    @Bean
    AdminToken adminToken(CaravanSettings properties,
                          @org.springframework.beans.factory.annotation.Value("${CARAVAN_ADMIN_TOKEN:}") String token) {
        return new AdminToken(token, properties.getDataDir());
    }

    @Bean(destroyMethod = "close")
    RouteDirectory routeDirectory(CamelContext camel, RoutesProperties properties) {
        return new RouteDirectory(camel, properties.getRoutesDir(), properties.getRoutesPollInterval());
    }

    /**
     * Once Camel runs and before the web server accepts a request: set Camel up for tool routes, load the route
     * files, then serve the endpoints. Camel's own start hooks (CamelContextConfiguration) run on the context-refreshed
     * event, after the port opens, which made a declared endpoint answer 404 for its first second or two. Camel's
     * context starts in the phase just below the web server's (Camel 2147481598, Tomcat 2147481599); this bean shares
     * Camel's phase and depends on the CamelContext bean, and Spring starts a lifecycle bean's dependencies first.
     */
    @Bean
    PhasedLifecycle caravanServing(CamelContext camel, RouteDirectory routes, EndpointService endpoints,
                                   Periodic endpointReconcile) {
        int camelPhase = camel instanceof SmartLifecycle c ? c.getPhase() : SmartLifecycle.DEFAULT_PHASE - 2049;
        return new PhasedLifecycle("caravan-serving", camelPhase, () -> {
            prepareForToolRoutes(camel);
            if (!camel.isStarted()) {
                camel.start();
            }
            routes.start();
            endpoints.start();
            endpointReconcile.start();
        }, () -> {
        });
    }

    /** Before any route file loads: outbound calls filtered, agent-meant failures not logged as server errors. */
    private static void prepareForToolRoutes(CamelContext camel) {
        camel.getShutdownStrategy().setTimeout(10);
        OutboundCalls.install(camel);
        try {
            camel.addRoutes(new RouteConfigurationBuilder() {
                @Override
                public void configuration() {
                    // Answers meant for the agent, and calls stopped on purpose, are not server errors.
                    routeConfiguration().onException(ToolFailure.class, CancellationException.class)
                            .logExhausted(false).logStackTrace(false);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
