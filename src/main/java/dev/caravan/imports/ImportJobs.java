package dev.caravan.imports;

import dev.caravan.core.Periodic;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.audit.AuditEvent;
import dev.caravan.workspace.audit.AuditOutcome;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.WorkspacePath;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The import jobs: queued as rows, run by a bounded pool of this node's own, each under a lease it renews while
 * it works ({@link #tick}); a job whose node died is found by its stale lease and queued again or ended
 * {@code interrupted}. Every job ends done or failed with a reason, and is audited as {@code import}.
 */
public class ImportJobs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImportJobs.class);
    static final Set<String> CONFLICTS = Set.of("rename", "overwrite", "fail");

    /**
     * What a caller asks for.
     *
     * @param format   a Google Docs export format (docx, pdf, md ...; the source checks it), or null
     * @param password a Dropbox or Box link's password, or null; sealed into the job row, never shown
     */
    public record Request(String workspace, String url, String path, String provider, String onConflict,
                          String format, String password) {
        public Request(String workspace, String url, String path, String provider, String onConflict) {
            this(workspace, url, path, provider, onConflict, null, null);
        }

        @Override
        public String toString() { // the password stays out of any log line that prints a request
            return "Request[workspace=" + workspace + ", url=" + url + ", path=" + path + ", provider=" + provider
                    + ", onConflict=" + onConflict + ", format=" + format + ", password="
                    + (password == null ? "none" : "(given)") + "]";
        }
    }

    private final ImportJobRepository repository;
    private final ImportRunner runner;
    private final ImportSources sources;
    private final LinkPasswords passwords;
    private final AuditTrail audit;
    private final ImportProperties properties;
    private final Clock clock;
    private final String node = UUID.randomUUID().toString();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final ExecutorService pool;
    private final Periodic ticker;
    private final Periodic claimer;

    private static final class Running {
        final ImportRunner.Progress progress = new ImportRunner.Progress();
        volatile boolean cancelled;
        volatile boolean leaseLost;
    }

    ImportJobs(ImportJobRepository repository, ImportRunner runner, ImportSources sources, LinkPasswords passwords,
               AuditTrail audit, ImportProperties properties, Clock clock) {
        this.repository = repository;
        this.passwords = passwords;
        this.runner = runner;
        this.sources = sources;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(properties.getWorkers(), r -> {
            Thread t = new Thread(r, "caravan-import-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.ticker = Periodic.every("imports", properties.getPollInterval(), this::tick);
        this.claimer = Periodic.onRequest("imports-claim", Duration.ZERO, this::claim);
    }

    public void start() {
        ticker.start();
        claimer.start();
        claimer.request();
    }

    /** Checks the request and queues the job; the worker picks it up at once when one is free. */
    public ImportJob submit(Request request, String principal, String endpoint) {
        if (request.url() == null || request.url().isBlank()) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "Argument 'url' is required: the http or https "
                    + "URL of the file to import.");
        }
        URI url;
        try {
            url = new URI(request.url().strip());
        } catch (URISyntaxException e) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "The URL is not valid: " + e.getReason() + ".");
        }
        String provider = sources.choose(request.provider(), url);
        if (provider.equals(ImportSources.WEB) || url.getScheme() != null) {
            WebFetcher.checkScheme(url); // a drive also takes a bare file id
        }
        String onConflict = request.onConflict() == null || request.onConflict().isBlank() ? "rename"
                : request.onConflict().strip().toLowerCase(Locale.ROOT);
        if (!CONFLICTS.contains(onConflict)) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "onConflict must be rename, overwrite or fail, "
                    + "not '" + request.onConflict() + "'.");
        }
        String target = request.path() == null || request.path().isBlank() ? "" : request.path().strip();
        ImportRunner.target(target, FileNames.FALLBACK); // a refused path fails here, not in the job
        if (!target.isEmpty() && !target.endsWith("/") && WorkspacePath.of(target).isRoot()) {
            target = "";
        }
        ImportSource source = sources.get(provider);
        String format = request.format() == null || request.format().isBlank() ? null
                : source.exportFormat(request.format().strip());
        boolean password = request.password() != null && !request.password().isEmpty();
        if (password && !source.takesLinkPassword()) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "A link password is for Dropbox and Box links only "
                    + "(provider " + provider + " takes none); start again without it.");
        }
        Instant now = clock.instant();
        String id = UUID.randomUUID().toString();
        ImportJob job = ImportJob.queued(id, request.workspace(), target, url.toString(), provider, onConflict,
                principal, endpoint, now, format, passwords.seal(id, request.password()));
        repository.insert(job);
        claimer.request();
        return job;
    }

    public Optional<ImportJob> find(String id) {
        return repository.find(id).map(this::live);
    }

    public List<ImportJob> list(String principal, int limit) {
        return (principal == null ? repository.all(limit) : repository.byPrincipal(principal, limit)).stream()
                .map(this::live).toList();
    }

    /** Jobs in {@code state}, across all nodes. */
    public int count(ImportState state) {
        return repository.count(state);
    }

    /** Stops a job: at once when queued; a running one stops at its next read, here or on its node. */
    public Optional<ImportJob> cancel(String id) {
        Optional<ImportJob> job = repository.cancel(id, clock.instant());
        Running r = running.get(id);
        if (r != null) {
            r.cancelled = true;
        }
        job.filter(j -> j.state() == ImportState.FAILED && j.reason() == ImportReason.CANCELLED && j.attempts() == 0)
                .ifPresent(j -> record(j, 0));
        return job.map(this::live);
    }

    /** The job with the bytes this node has counted since its last heartbeat. */
    private ImportJob live(ImportJob j) {
        Running r = running.get(j.id());
        if (r == null || j.state() != ImportState.RUNNING) {
            return j;
        }
        return new ImportJob(j.id(), j.workspace(), j.target(), j.url(), j.provider(), j.onConflict(), j.principal(),
                j.endpoint(), j.state(), j.reason(), j.detail(), j.httpStatus(), r.progress.bytes.get(),
                r.progress.total, j.writtenPath(), j.etag(), j.sha256(), j.contentType(), j.attempts(),
                j.cancelRequested(), j.leaseOwner(), j.leaseUntil(), j.createdAt(), j.updatedAt(), j.finishedAt(),
                j.files(), j.exportFormat(), j.linkPassword());
    }

    /** Renews this node's leases (noting cancellations asked for on other nodes), recovers dead nodes' jobs, claims. */
    void tick() {
        Instant now = clock.instant();
        for (Map.Entry<String, Running> e : running.entrySet()) {
            Running r = e.getValue();
            if (!repository.heartbeat(e.getKey(), node, r.progress.bytes.get(), r.progress.total, now,
                    now.plus(properties.getLease()))) {
                r.leaseLost = true; // another node took it over: stop without recording an end
            } else if (repository.cancelRequested(e.getKey())) {
                r.cancelled = true;
            }
        }
        int recovered = repository.recoverExpired(now, properties.getMaxAttempts());
        if (recovered > 0) {
            log.info("{} import job(s) whose node stopped were queued again or ended interrupted", recovered);
        }
        repository.purgeFinished(now.minus(properties.getRetention()));
        claim();
    }

    private synchronized void claim() {
        while (busy.get() < properties.getWorkers()) {
            Instant now = clock.instant();
            Optional<ImportJob> job = repository.claimNext(node, now, now.plus(properties.getLease()));
            if (job.isEmpty()) {
                return;
            }
            Running r = new Running();
            running.put(job.get().id(), r);
            busy.incrementAndGet();
            pool.execute(() -> {
                try {
                    execute(job.get(), r);
                } finally {
                    running.remove(job.get().id());
                    busy.decrementAndGet();
                    claimer.request();
                }
            });
        }
    }

    private void execute(ImportJob job, Running r) {
        long started = System.nanoTime();
        Instant deadline = clock.instant().plus(properties.getMaxDuration());
        FetchControl control = new FetchControl() {
            @Override
            public void check() {
                if (r.cancelled) {
                    throw new ImportFailure(ImportReason.CANCELLED, "The import was cancelled; nothing was written.");
                }
                if (r.leaseLost) {
                    throw new ImportFailure(ImportReason.INTERRUPTED, "This node lost the job.");
                }
                if (clock.instant().isAfter(deadline)) {
                    throw new ImportFailure(ImportReason.TIMEOUT, "The import took longer than "
                            + properties.getMaxDuration() + " (timeout); nothing was written.");
                }
            }

            @Override
            public Instant deadline() {
                return deadline;
            }
        };
        ImportJobRepository.Outcome outcome;
        try {
            outcome = runner.run(job, r.progress, control);
        } catch (ImportFailure f) {
            outcome = failed(f.reason(), f.getMessage(), f.httpStatus(), r);
        } catch (StorageException | ToolFailure e) {
            outcome = failed(ImportReason.FAILED, e.getMessage(), null, r);
        } catch (RuntimeException e) {
            log.warn("Import job {} failed", job.id(), e);
            outcome = failed(ImportReason.FAILED, "The import failed unexpectedly; the log has the details.", null, r);
        }
        if (r.leaseLost) {
            return;
        }
        if (repository.finish(job.id(), node, outcome, clock.instant())) {
            repository.find(job.id()).ifPresent(j -> record(j, (System.nanoTime() - started) / 1_000_000));
        }
    }

    private static ImportJobRepository.Outcome failed(ImportReason reason, String message, Integer status, Running r) {
        return ImportJobRepository.Outcome.failed(reason, message, status, r.progress.bytes.get(), r.progress.total,
                null);
    }

    /** One audit record per ended job: the URL without its query (which may carry a token), the file written. */
    private void record(ImportJob j, long millis) {
        if (audit == null) {
            return;
        }
        String outcome = j.state() == ImportState.DONE || j.reason() == null ? AuditOutcome.OK : j.reason().word();
        String detail = j.reason() == null ? null : j.reason().word() + ": " + j.detail();
        audit.record(AuditEvent.of(clock.instant(), j.principal(), j.endpoint(), j.workspace(), "import",
                j.writtenPath() != null ? j.writtenPath() : j.target(), withoutQuery(j.url()), outcome, detail,
                j.state() == ImportState.DONE ? j.bytes() : 0, millis));
    }

    static String withoutQuery(String url) {
        try {
            URI u = new URI(url);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.replaceFirst("[?#].*", "");
        }
    }

    @Override
    public void close() {
        ticker.close();
        claimer.close();
        pool.shutdownNow();
    }
}
