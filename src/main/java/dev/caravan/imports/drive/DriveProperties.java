package dev.caravan.imports.drive;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code caravan.import.drives.*}: the operator's OAuth app at each cloud drive and the drive's endpoints. A drive
 * whose {@code client-id} is unset cannot be connected (its imports end {@code auth_required} saying so). Every URL
 * is configurable so that tests (and sovereign clouds) can point them elsewhere; the defaults are the providers'
 * public endpoints.
 */
@ConfigurationProperties("caravan.import.drives")
public class DriveProperties {
    /** Google Drive (provider word gdrive). */
    private Provider gdrive = new Provider("https://accounts.google.com/o/oauth2/v2/auth",
            "https://oauth2.googleapis.com/token", "https://www.googleapis.com/drive/v3", null,
            "https://www.googleapis.com/auth/drive.readonly");
    /** OneDrive and SharePoint through Microsoft Graph (provider word onedrive). */
    private Provider onedrive = new Provider("https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
            "https://login.microsoftonline.com/common/oauth2/v2.0/token", "https://graph.microsoft.com/v1.0", null,
            "offline_access Files.Read.All Sites.Read.All");
    /** Dropbox (provider word dropbox). */
    private Provider dropbox = new Provider("https://www.dropbox.com/oauth2/authorize",
            "https://api.dropboxapi.com/oauth2/token", "https://api.dropboxapi.com/2",
            "https://content.dropboxapi.com/2", "sharing.read files.metadata.read files.content.read");
    /** Box (provider word box). */
    private Provider box = new Provider("https://account.box.com/api/oauth2/authorize",
            "https://api.box.com/oauth2/token", "https://api.box.com/2.0", null, null);

    /** One drive's OAuth app and endpoints. */
    public static class Provider {
        /** The OAuth client id of the operator's app at this provider, usually a ${ENV} reference. */
        private String clientId;
        /** The OAuth client secret of that app, usually a ${ENV} reference; empty for a public client (PKCE only). */
        private String clientSecret;
        /** The provider's authorization endpoint (where the person signs in and consents). */
        private String authorizeUrl;
        /** The provider's token endpoint (code exchange and refresh). */
        private String tokenUrl;
        /** The API's base URL (metadata, listings, downloads). */
        private String apiUrl;
        /** The content API's base URL, where the provider has a separate one (Dropbox). */
        private String contentUrl;
        /** The scopes asked for, space-separated. */
        private String scope;
        /**
         * Google Drive only: the operator's API key (a ${ENV} reference), sent as {@code key=} to read files shared
         * with "anyone with the link" for a caller who has no connection. Unset: such callers must connect.
         */
        private String apiKey;

        public Provider() {
        }

        Provider(String authorizeUrl, String tokenUrl, String apiUrl, String contentUrl, String scope) {
            this.authorizeUrl = authorizeUrl;
            this.tokenUrl = tokenUrl;
            this.apiUrl = apiUrl;
            this.contentUrl = contentUrl;
            this.scope = scope;
        }

        public String getClientId() {
            return clientId;
        }

        public void setClientId(String clientId) {
            this.clientId = clientId;
        }

        public String getClientSecret() {
            return clientSecret;
        }

        public void setClientSecret(String clientSecret) {
            this.clientSecret = clientSecret;
        }

        public String getAuthorizeUrl() {
            return authorizeUrl;
        }

        public void setAuthorizeUrl(String authorizeUrl) {
            this.authorizeUrl = authorizeUrl;
        }

        public String getTokenUrl() {
            return tokenUrl;
        }

        public void setTokenUrl(String tokenUrl) {
            this.tokenUrl = tokenUrl;
        }

        public String getApiUrl() {
            return apiUrl;
        }

        public void setApiUrl(String apiUrl) {
            this.apiUrl = apiUrl;
        }

        public String getContentUrl() {
            return contentUrl;
        }

        public void setContentUrl(String contentUrl) {
            this.contentUrl = contentUrl;
        }

        public String getApiKey() {
            return apiKey;
        }

        public void setApiKey(String apiKey) {
            this.apiKey = apiKey;
        }

        public String getScope() {
            return scope;
        }

        public void setScope(String scope) {
            this.scope = scope;
        }
    }

    public Provider getGdrive() {
        return gdrive;
    }

    public void setGdrive(Provider gdrive) {
        this.gdrive = gdrive;
    }

    public Provider getOnedrive() {
        return onedrive;
    }

    public void setOnedrive(Provider onedrive) {
        this.onedrive = onedrive;
    }

    public Provider getDropbox() {
        return dropbox;
    }

    public void setDropbox(Provider dropbox) {
        this.dropbox = dropbox;
    }

    public Provider getBox() {
        return box;
    }

    public void setBox(Provider box) {
        this.box = box;
    }

    Provider of(String provider) {
        return switch (provider) {
            case "gdrive" -> gdrive;
            case "onedrive" -> onedrive;
            case "dropbox" -> dropbox;
            case "box" -> box;
            default -> throw new IllegalArgumentException(provider);
        };
    }
}
