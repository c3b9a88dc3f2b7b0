package dev.caravan.workspace.storage;

import java.util.List;

/**
 * Entries of a directory listing or tree walk, sorted by path.
 *
 * @param truncated true when more entries exist than were returned (an entry cap or time limit was reached)
 */
public record Listing(List<FileInfo> entries, boolean truncated) {
    public Listing {
        entries = List.copyOf(entries);
    }
}
