package dev.caravan.imports;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * GETs a download through the SSRF guard: http and https only, redirects followed here (at most
 * {@link #MAX_REDIRECTS}) so each hop's host is resolved and checked again, 429 and 503 retried after their
 * {@code Retry-After} while the job's deadline allows, and a body whose connection drops resumed with {@code Range}
 * when the server offers it. Compression is off: the bytes stored are the bytes served, and ranges count them.
 */
final class WebFetcher implements Closeable {
    static final int MAX_REDIRECTS = 5;
    private static final int MAX_RETRIES = 5;
    private static final int MAX_RESUMES = 3;

    private final CloseableHttpClient client;

    WebFetcher(AddressGuard guard, Duration connectTimeout, Duration readTimeout, int maxConnections) {
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(new GuardedDnsResolver(guard))
                        // 64 KiB reads, not the default 8 KiB: a 1 GiB body in 16,384 reads instead of 131,072.
                        .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                                .http1Config(Http1Config.custom().setBufferSize(64 * 1024).build()).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .setSocketTimeout(Timeout.of(readTimeout)).build())
                        .setMaxConnTotal(maxConnections).setMaxConnPerRoute(maxConnections).build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(readTimeout))
                        .setRedirectsEnabled(false).build())
                .disableRedirectHandling().disableAutomaticRetries().disableContentCompression()
                .disableCookieManagement().disableAuthCaching()
                .setUserAgent("Caravan-Import/1")
                .build();
    }

    /** An open response with a 2xx body. Close it. */
    static final class Response implements Closeable {
        final URI url;
        final long length;
        final String contentType;
        final String contentDisposition;
        final InputStream body;
        private final Closeable closer;

        Response(URI url, long length, String contentType, String contentDisposition, InputStream body,
                 Closeable closer) {
            this.url = url;
            this.length = length;
            this.contentType = contentType;
            this.contentDisposition = contentDisposition;
            this.body = body;
            this.closer = closer;
        }

        @Override
        public void close() throws IOException {
            closer.close();
        }
    }

    /** The body of an API answer is read whole, up to this much. */
    static final int MAX_REPLY_BYTES = 4 * 1024 * 1024;

    Response open(ImportSource.Download download, FetchControl control) {
        Opened o = send(download, control);
        return response(o.url, o.headers, o.request, o.response, control);
    }

    /** An API request: the same policy as a download, the 2xx body read whole (at most {@link #MAX_REPLY_BYTES}). */
    ImportSource.Reply call(ImportSource.Download request, FetchControl control) {
        Opened o = send(request, control);
        try (ClassicHttpResponse r = o.response) {
            InputStream in = r.getEntity() == null ? InputStream.nullInputStream() : r.getEntity().getContent();
            byte[] body = in.readNBytes(MAX_REPLY_BYTES + 1);
            if (body.length > MAX_REPLY_BYTES) {
                throw new ImportFailure(ImportReason.FAILED, "The provider's API answered more than "
                        + MAX_REPLY_BYTES + " bytes of metadata.");
            }
            return new ImportSource.Reply(r.getCode(), name -> header(r, name), body);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private record Opened(URI url, Map<String, String> headers, HttpUriRequestBase request,
                          ClassicHttpResponse response) {
    }

    private Opened send(ImportSource.Download download, FetchControl control) {
        URI url = download.url();
        Map<String, String> headers = download.headers();
        String method = download.method();
        byte[] body = download.body();
        int retries = 0;
        boolean reauthed = false;
        for (int hop = 0; ; ) {
            checkScheme(url);
            control.check();
            HttpUriRequestBase request = request(method, url, headers, body, -1, null);
            ClassicHttpResponse response = execute(request, url);
            int status = response.getCode();
            if (status >= 300 && status < 400 && status != 304 && response.getFirstHeader("Location") != null) {
                String location = response.getFirstHeader("Location").getValue();
                closeQuietly(response);
                if (++hop > MAX_REDIRECTS) {
                    throw new ImportFailure(ImportReason.TOO_MANY_REDIRECTS, "The URL redirected more than "
                            + MAX_REDIRECTS + " times (too_many_redirects); give the final download URL.");
                }
                URI next = resolve(url, location);
                if (!sameOrigin(url, next)) {
                    headers = Map.of(); // a drive's token is for its own host only
                }
                if (status != 307 && status != 308) {
                    method = "GET";
                    body = null;
                }
                url = next;
                continue;
            }
            if (status == 401 && download.reauth() != null && !reauthed && !headers.isEmpty()) {
                closeQuietly(response);
                headers = download.reauth().renewed(headers);
                reauthed = true;
                continue;
            }
            boolean notReady = status == 202 && response.getFirstHeader("Retry-After") != null;
            if (status >= 200 && status < 300 && !notReady) {
                return new Opened(url, headers, request, response);
            }
            ImportFailure mapped = notReady ? null : mapped(download, status, response);
            boolean limited = status == 429 || status == 503 || notReady
                    || (mapped != null && mapped.reason() == ImportReason.RATE_LIMITED);
            if (limited && retries < MAX_RETRIES) {
                long wait = retryAfterMillis(response.getFirstHeader("Retry-After"), retries);
                closeQuietly(response);
                if (Instant.now().plusMillis(wait).isAfter(control.deadline())) {
                    throw new ImportFailure(ImportReason.RATE_LIMITED, "The server asks to wait before retrying (HTTP "
                            + status + ", rate_limited) longer than the import may take; try again later.", status);
                }
                retries++;
                control.pause(wait);
                continue;
            }
            closeQuietly(response);
            if (mapped != null) {
                throw mapped;
            }
            if (limited && status != 503) {
                throw new ImportFailure(ImportReason.RATE_LIMITED, "The server kept refusing with HTTP " + status
                        + " (rate_limited); try again later.", status);
            }
            if (status == 404 || status == 410) {
                throw new ImportFailure(ImportReason.NOT_FOUND, "The server has no file at this URL (HTTP " + status
                        + ", not_found).", status);
            }
            throw new ImportFailure(ImportReason.HTTP_STATUS, "The server answered HTTP " + status
                    + " (http_status) instead of the file.", status);
        }
    }

    /** The source's reading of an error answer (its JSON body), or null. */
    private static ImportFailure mapped(ImportSource.Download download, int status, ClassicHttpResponse response) {
        if (download.errors() == null) {
            return null;
        }
        String text = "";
        try {
            if (response.getEntity() != null) {
                text = new String(response.getEntity().getContent().readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // no body to read: the status alone decides
        }
        return download.errors().map(status, text, name -> header(response, name));
    }

    private Response response(URI url, Map<String, String> headers, HttpUriRequestBase request, ClassicHttpResponse response,
                              FetchControl control) {
        HttpEntity entity = response.getEntity();
        long length = entity == null ? 0 : entity.getContentLength();
        String validator = header(response, "ETag");
        if (validator == null || validator.startsWith("W/")) {
            validator = header(response, "Last-Modified");
        }
        boolean ranges = "bytes".equalsIgnoreCase(header(response, "Accept-Ranges")) && validator != null
                && "GET".equals(request.getMethod());
        InputStream first;
        try {
            first = entity == null ? InputStream.nullInputStream() : entity.getContent();
        } catch (IOException e) {
            closeQuietly(response);
            throw failure(e);
        }
        Resuming body = new Resuming(url, headers, length, ranges ? validator : null, request, response, first,
                control);
        return new Response(url, length, header(response, "Content-Type"), header(response, "Content-Disposition"),
                body, body);
    }

    /** The body; after a dropped connection it asks for the rest with Range and If-Range. */
    private final class Resuming extends InputStream {
        private final URI url;
        private final Map<String, String> headers;
        private final long length;
        private final String validator;
        private final FetchControl control;
        private HttpUriRequestBase request;
        private ClassicHttpResponse response;
        private InputStream in;
        private long position;
        private int resumes;
        private boolean ended;

        Resuming(URI url, Map<String, String> headers, long length, String validator, HttpUriRequestBase request,
                 ClassicHttpResponse response, InputStream in, FetchControl control) {
            this.request = request;
            this.url = url;
            this.headers = headers;
            this.length = length;
            this.validator = validator;
            this.response = response;
            this.in = in;
            this.control = control;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                control.check();
                try {
                    int n = in.read(b, off, len);
                    if (n < 0 && length >= 0 && position < length) {
                        throw new IOException("the connection closed after " + position + " of " + length + " bytes");
                    }
                    if (n > 0) {
                        position += n;
                    } else if (n < 0) {
                        ended = true;
                    }
                    return n;
                } catch (IOException e) {
                    if (validator == null || resumes >= MAX_RESUMES || length < 0) {
                        throw e;
                    }
                    resumes++;
                    reopen(e);
                }
            }
        }

        private void reopen(IOException cause) throws IOException {
            request.cancel();
            closeQuietly(response);
            control.pause(200L * resumes);
            request = request("GET", url, headers, null, position, validator);
            ClassicHttpResponse again = execute(request, url);
            Header range = again.getFirstHeader("Content-Range");
            if (again.getCode() != 206 || range == null || !range.getValue().startsWith("bytes " + position + "-")
                    || again.getEntity() == null) {
                closeQuietly(again);
                throw new IOException("the server could not resume the download", cause);
            }
            response = again;
            in = again.getEntity().getContent();
        }

        /** Unread, the rest is not drained (HttpClient would, to reuse the connection): the connection is dropped. */
        @Override
        public void close() {
            if (!ended) {
                request.cancel();
            }
            closeQuietly(response);
        }
    }

    private static HttpUriRequestBase request(String method, URI url, Map<String, String> headers, byte[] body,
                                              long from, String validator) {
        HttpUriRequestBase get = new HttpUriRequestBase(method, url);
        headers.forEach(get::setHeader);
        if (body != null) {
            get.setEntity(new ByteArrayEntity(body, null));
        }
        if (from > 0) {
            get.setHeader("Range", "bytes=" + from + "-");
            get.setHeader("If-Range", validator);
        }
        return get;
    }

    private ClassicHttpResponse execute(HttpUriRequestBase get, URI url) {
        try {
            return client.executeOpen(null, get, null);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** A transport failure as the reason a caller can act on; never the resolved address. */
    static ImportFailure failure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ImportFailure f) {
                return f;
            }
            if (t instanceof AddressGuard.BlockedAddressException blocked) {
                return new ImportFailure(ImportReason.BLOCKED_ADDRESS, blocked.getMessage());
            }
            if (t instanceof SocketTimeoutException || t instanceof ConnectTimeoutException) {
                return new ImportFailure(ImportReason.TIMEOUT, "The server did not answer in time (timeout).");
            }
            if (t instanceof UnknownHostException) {
                return new ImportFailure(ImportReason.NOT_FOUND, "The host of this URL is unknown (not_found).");
            }
        }
        return new ImportFailure(ImportReason.FAILED, "The download failed: the connection to the server broke"
                + " and could not be resumed. Try again.");
    }

    static void checkScheme(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "Only http and https URLs can be imported, not '"
                    + (scheme.isEmpty() ? url.toString() : scheme + ":") + "'.");
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "The URL has no host.");
        }
    }

    private static URI resolve(URI base, String location) {
        try {
            return base.resolve(new URI(location.strip().replace(" ", "%20")));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ImportFailure(ImportReason.HTTP_STATUS, "The server redirected to an invalid URL.");
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(String.valueOf(b.getHost()))
                && a.getPort() == b.getPort();
    }

    /** Retry-After in seconds or as an HTTP date; without one, 1, 2, 4 ... seconds. */
    static long retryAfterMillis(Header header, int attempt) {
        long backoff = 1000L << Math.min(attempt, 5);
        if (header == null) {
            return backoff;
        }
        String v = header.getValue().strip();
        try {
            return Math.max(0, Long.parseLong(v)) * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                return Math.max(0, Duration.between(Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).toMillis());
            } catch (RuntimeException notDate) {
                return backoff;
            }
        }
    }

    private static String header(ClassicHttpResponse r, String name) {
        Header h = r.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private static void closeQuietly(Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // the connection is discarded
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
