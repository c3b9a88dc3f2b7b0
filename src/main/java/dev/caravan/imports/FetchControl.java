package dev.caravan.imports;

import java.time.Instant;

/** What a running fetch asks as it goes: stop now (cancelled, past the deadline)? */
interface FetchControl {
    /** Throws {@link ImportFailure} ({@code cancelled}, {@code timeout}) when the job must stop. */
    void check();

    /** When the whole job must be over. */
    Instant deadline();

    /** Sleeps up to {@code millis}, waking early to stop (through {@link #check()}). */
    default void pause(long millis) {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            check();
            try {
                Thread.sleep(Math.min(200, Math.max(1, end - System.currentTimeMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImportFailure(ImportReason.CANCELLED, "The import was stopped.");
            }
        }
        check();
    }
}
