package dev.caravan.imports;

import java.util.Locale;

/** Where an import job is: queued and running lead to one of the terminal states done and failed. */
public enum ImportState {
    QUEUED, RUNNING, DONE, FAILED;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this == DONE || this == FAILED;
    }

    static ImportState of(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
