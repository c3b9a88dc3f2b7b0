package dev.caravan.imports;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The sources by provider word; picks one from the URL when the caller names none (drives first, the web last). */
final class ImportSources {
    static final String WEB = "web";

    private final Map<String, ImportSource> byId = new LinkedHashMap<>();

    ImportSources(List<ImportSource> sources) {
        sources.forEach(s -> byId.put(s.id(), s));
    }

    ImportSource get(String id) {
        ImportSource s = byId.get(id);
        if (s == null) {
            throw new ImportFailure(ImportReason.INVALID_REQUEST, "Unknown provider '" + id + "' (known: "
                    + String.join(", ", byId.keySet()) + ").");
        }
        return s;
    }

    /** The provider word for {@code url}: the named one (checked), else the first that recognises the URL. */
    String choose(String named, URI url) {
        if (named != null && !named.isBlank() && !named.equalsIgnoreCase("auto")) {
            return get(named.strip().toLowerCase(Locale.ROOT)).id();
        }
        return byId.values().stream().filter(s -> s.recognises(url)).findFirst().map(ImportSource::id)
                .orElseThrow(() -> new ImportFailure(ImportReason.INVALID_REQUEST,
                        "Only http and https URLs can be imported."));
    }
}
