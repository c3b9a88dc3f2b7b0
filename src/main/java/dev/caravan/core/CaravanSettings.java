package dev.caravan.core;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;

/**
 * The {@code caravan.*} settings several areas share: where state and connector files live, the public URL and the
 * key for what is kept encrypted. Settings one area owns live in that area (e.g. {@code caravan.mcp.*} in
 * {@code server}, {@code caravan.tools.*} in {@code tool}); several classes bind the {@code caravan} prefix.
 */
@ConfigurationProperties("caravan")
public class CaravanSettings {
    /** State: the embedded database, the generated admin token and secret key, local workspaces. */
    private Path dataDir = Path.of("data");
    /** Connector declarations (workspaces.yaml, upstreams.yaml); watched for changes. */
    private Path connectorsDir = Path.of("connectors");
    /** The URL clients reach Caravan at, e.g. https://mcp.example.com; derived from each request when unset. */
    private String publicBaseUrl;
    /**
     * Key for what is kept encrypted (OAuth tokens, upstream secrets): base64 of 32 bytes, or any passphrase (hashed
     * with SHA-256). Usually set as the environment variable CARAVAN_SECRET_KEY; when unset, a key is generated into
     * the data dir (secret.key), so every node of a cluster needs the same value.
     */
    private String secretKey;

    public Path getDataDir() {
        return dataDir;
    }

    public void setDataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    public Path getConnectorsDir() {
        return connectorsDir;
    }

    public void setConnectorsDir(Path connectorsDir) {
        this.connectorsDir = connectorsDir;
    }

    public String getPublicBaseUrl() {
        return publicBaseUrl;
    }

    public void setPublicBaseUrl(String publicBaseUrl) {
        this.publicBaseUrl = publicBaseUrl;
    }

    public String getSecretKey() {
        return secretKey;
    }

    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey;
    }

    @Override
    public String toString() {
        // The key stays out of logs and failure analyses.
        return "CaravanSettings[dataDir=" + dataDir + ", connectorsDir=" + connectorsDir + ", publicBaseUrl="
                + publicBaseUrl + ", secretKey=" + (secretKey == null ? "unset" : "***") + "]";
    }
}
