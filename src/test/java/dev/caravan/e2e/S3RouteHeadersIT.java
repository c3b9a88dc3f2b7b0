package dev.caravan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.support.CaravanIntegrationTest;
import dev.caravan.workspace.storage.S3TestServer;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route that writes to S3 with Camel's {@code aws2-s3} producer, against a real S3 server (s3proxy): the object
 * carries the route's body and the metadata the route chose, and nothing of Caravan's (tool name, arguments,
 * caller identity) nor the caller's arguments.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Import(S3RouteHeadersIT.Client.class)
class S3RouteHeadersIT extends CaravanIntegrationTest {
    static S3TestServer s3;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        s3 = S3TestServer.start(S3TestServer.Store.KEYS);
        s3.createBucket("notes");
        registry.add("s3.url", () -> s3.endpoint().toString());
    }

    /**
     * The client the route uses. Checksums only when required: s3proxy cannot read the aws-chunked uploads the
     * SDK sends otherwise (see S3TestServer).
     */
    @TestConfiguration
    static class Client {
        @Bean(destroyMethod = "close")
        S3Client notesS3() {
            return client();
        }
    }

    static S3Client client() {
        return S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("identity", "credential")))
                .build();
    }

    @AfterAll
    void stop() throws Exception {
        s3.close();
    }

    @Test
    void anObjectWrittenByARouteHasOnlyTheMetadataTheRouteSet() {
        writeRoute("s3.yaml", """
                - route:
                    id: save-note
                    from:
                      uri: ai-tool:save_note
                      parameters:
                        tags: s3
                        description: Saves a note as an S3 object.
                        parameter.name: string
                        parameter.name.required: true
                        parameter.text: string
                        parameter.text.required: true
                      steps:
                        - setHeader:
                            name: CamelAwsS3Key
                            simple: "${header.name}.txt"
                        - setHeader:
                            name: CamelAwsS3ContentType
                            constant: text/plain
                        - setBody:
                            simple: "${header.text}"
                        - to: "aws2-s3://notes?amazonS3Client=#notesS3"
                        - setBody:
                            constant: saved
                """);
        // The first S3 endpoint starts the AWS SDK, which takes a while on a busy machine.
        await(Duration.ofSeconds(60), "s3.yaml loaded", () -> {
            JsonNode status = routeStatus("s3.yaml");
            return status != null && !status.path("state").asText().isEmpty();
        });
        assertThat(routeStatus("s3.yaml").path("state").asText()).as("%s", routeStatus("s3.yaml")).isEqualTo("loaded");
        Published ep = publish("notes", "s3");
        try (McpSyncClient client = initialized(streamableClient(ep))) {
            McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("save_note",
                    Map.of("name", "lisbon", "text", "sunny")));
            assertThat(r.isError()).as("%s", r).isFalse();
        }
        try (S3Client raw = client()) {
            ResponseBytes<GetObjectResponse> object = raw.getObjectAsBytes(b -> b.bucket("notes").key("lisbon.txt"));
            assertThat(object.asString(StandardCharsets.UTF_8)).isEqualTo("sunny");
            HeadObjectResponse head = raw.headObject(b -> b.bucket("notes").key("lisbon.txt"));
            assertThat(head.contentType()).isEqualTo("text/plain");
            // No user metadata at all: neither Caravan's headers nor the arguments (name, text) became x-amz-meta-*.
            assertThat(head.metadata()).isEmpty();
        }
    }
}
