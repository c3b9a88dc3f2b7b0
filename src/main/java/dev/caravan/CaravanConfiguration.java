package dev.caravan;

import dev.caravan.admin.AdminToken;
import dev.caravan.catalog.Catalog;
import dev.caravan.routes.RouteDirectory;
import dev.caravan.server.CallRegistry;
import dev.caravan.server.EndpointRuntime;
import dev.caravan.server.EndpointService;
import dev.caravan.server.McpDispatcherServlet;
import dev.caravan.server.OriginGuard;
import dev.caravan.store.CredentialRepository;
import dev.caravan.store.EndpointRepository;
import dev.caravan.tool.AiClientComponent;
import dev.caravan.tool.AiComponent;
import dev.caravan.tool.AiResultComponent;
import dev.caravan.tool.FeatureRegistry;
import dev.caravan.tool.RouteInvoker;
import io.modelcontextprotocol.json.McpJsonMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/** Wires the rooms together: routes → catalogue → published endpoints → the dispatcher servlet. */
@Configuration
@EnableConfigurationProperties(CaravanProperties.class)
public class CaravanConfiguration {

    @Bean
    static DataDirDefaults dataDirDefaults(org.springframework.core.env.Environment env) {
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
    RouteInvoker routeInvoker(CaravanProperties properties) {
        return new RouteInvoker(properties.getTools().getTimeout(), properties.getTools().getTimeouts());
    }

    @Bean
    Catalog catalog(FeatureRegistry registry, RouteInvoker invoker) {
        return new Catalog(registry, new dev.caravan.catalog.RouteSource(registry, invoker));
    }

    @Bean
    CallRegistry callRegistry() {
        return new CallRegistry();
    }

    @Bean
    McpJsonMapper mcpJsonMapper() {
        return dev.caravan.server.McpJson.mapper();
    }

    @Bean(destroyMethod = "close")
    EndpointRuntime endpointRuntime(Catalog catalog, CallRegistry calls, McpJsonMapper json, CaravanProperties properties,
                                    dev.caravan.store.RequestStateKeyRepository stateKeys,
                                    org.springframework.core.env.Environment env) {
        // The 2026-07-28 era: request state is sealed with a key every node shares (see README, "Request state").
        var codec = dev.caravan.server.RequestStateKeys.codec(env.getProperty("caravan.mcp.request-state-key"),
                env.getProperty("caravan.mcp.request-state-previous-key"),
                env.getProperty("caravan.mcp.request-state-ttl", java.time.Duration.class, java.time.Duration.ofMinutes(10)),
                stateKeys, json);
        var modern = new dev.caravan.server.modern.ModernEndpoint.Settings(codec, properties.getMcp().getMaxRequestBytes(),
                env.getProperty("caravan.mcp.list-ttl", java.time.Duration.class, java.time.Duration.ofMinutes(1)).toMillis(),
                env.getProperty("caravan.mcp.keep-alive", java.time.Duration.class, java.time.Duration.ofSeconds(10)));
        return new EndpointRuntime(catalog, calls, json, properties, modern);
    }

    /** Ends the held-open MCP streams first, so the web server's graceful shutdown does not wait on them. */
    @Bean
    org.springframework.context.SmartLifecycle mcpSessionsCloser(EndpointRuntime runtime) {
        return new org.springframework.context.SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                runtime.close();
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

    @Bean
    EndpointService endpointService(EndpointRepository endpoints, CredentialRepository credentials,
                                    EndpointRuntime runtime, TransactionTemplate tx, CaravanProperties properties,
                                    org.springframework.core.env.Environment env) {
        // Tokens of declared endpoints are read from the environment (Spring's view of it, which includes
        // the process environment) by the variable's name.
        return new EndpointService(endpoints, credentials, runtime, tx, properties, env::getProperty);
    }

    @Bean
    ServletRegistrationBean<McpDispatcherServlet> mcpDispatcher(EndpointRuntime runtime, EndpointService endpoints,
                                                                CallRegistry calls, CaravanProperties properties) {
        OriginGuard guard = new OriginGuard(properties.getSecurity().getAllowedHosts(),
                properties.getSecurity().getAllowedOrigins());
        ServletRegistrationBean<McpDispatcherServlet> bean = new ServletRegistrationBean<>(new McpDispatcherServlet(
                runtime, endpoints, calls, guard, properties.getMcp().getMaxRequestBytes()), "/mcp/*", "/sse/*");
        bean.setAsyncSupported(true);
        bean.setLoadOnStartup(1);
        return bean;
    }

    @Bean
    AdminToken adminToken(CaravanProperties properties,
                          @org.springframework.beans.factory.annotation.Value("${CARAVAN_ADMIN_TOKEN:}") String token) {
        return new AdminToken(token, properties.getDataDir());
    }

    @Bean(destroyMethod = "close")
    RouteDirectory routeDirectory(CamelContext camel, CaravanProperties properties) {
        return new RouteDirectory(camel, properties.getRoutesDir(), properties.getRoutesPollInterval());
    }

    /** Once Camel runs: load the route files, then serve the endpoints. */
    @Bean
    CamelContextConfiguration caravanStartup(RouteDirectory routes, EndpointService endpoints) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camel) {
                camel.getShutdownStrategy().setTimeout(10);
                try {
                    camel.addRoutes(new org.apache.camel.builder.RouteConfigurationBuilder() {
                        @Override
                        public void configuration() {
                            // Answers meant for the agent, and calls stopped on purpose, are not server errors.
                            routeConfiguration().onException(dev.caravan.tool.ToolFailure.class,
                                            java.util.concurrent.CancellationException.class)
                                    .logExhausted(false).logStackTrace(false);
                        }
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public void afterApplicationStart(CamelContext camel) {
                routes.start();
                endpoints.start();
                camel.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "caravan-endpoint-reconcile")
                        .scheduleWithFixedDelay(() -> {
                            try {
                                endpoints.reconcile();
                            } catch (RuntimeException e) {
                                org.slf4j.LoggerFactory.getLogger(CaravanConfiguration.class)
                                        .warn("Reconciling endpoints with the database failed; will retry", e);
                            }
                        }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
            }
        };
    }
}
