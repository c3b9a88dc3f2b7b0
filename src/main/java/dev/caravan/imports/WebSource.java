package dev.caravan.imports;

import java.net.URI;

/** The plain web: the URL is the download; any content, HTML too, is the file. */
final class WebSource implements ImportSource {
    @Override
    public String id() {
        return "web";
    }

    @Override
    public boolean recognises(URI url) {
        return "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
    }

    @Override
    public Resolved resolve(URI url, Context context) {
        return Download.get(url);
    }
}
