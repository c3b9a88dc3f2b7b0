package dev.caravan.imports;

import dev.caravan.core.TokenCipher;

import java.util.function.Supplier;

/**
 * A drive link's password at rest: sealed into the job row with {@code caravan.secret-key} (AES-GCM, bound to the
 * job's id so it cannot be moved to another job), opened only by the node that runs the job, and cleared from the
 * row when the job ends. It is never logged, shown or audited.
 */
final class LinkPasswords {
    static final int MAX_CHARS = 256;
    private final Supplier<TokenCipher> cipher;
    private volatile TokenCipher opened;

    LinkPasswords(Supplier<TokenCipher> cipher) {
        this.cipher = cipher;
    }

    private TokenCipher cipher() {
        TokenCipher c = opened;
        if (c == null) {
            c = cipher.get();
            opened = c;
        }
        return c;
    }

    /** Checks a password a caller gave (the message never repeats it) and seals it; null stays null. */
    String seal(String jobId, String password) {
        if (password == null || password.isEmpty()) {
            return null;
        }
        if (password.length() > MAX_CHARS || password.chars().anyMatch(Character::isISOControl)) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "The link password must be at most " + MAX_CHARS
                    + " characters without control characters.");
        }
        return cipher().seal(password, context(jobId));
    }

    /** The job's password in clear, for the drive's API only; null when it has none. */
    String open(ImportJob job) {
        if (job.linkPassword() == null) {
            return null;
        }
        try {
            return cipher().open(job.linkPassword(), context(job.id()));
        } catch (TokenCipher.Unreadable e) {
            throw new ImportFailure(ImportReason.FAILED, "The link password of this job cannot be decrypted (was "
                    + "caravan.secret-key changed?); start the import again with the password.");
        }
    }

    private static String context(String jobId) {
        return "import-link-password:" + jobId;
    }
}
