package dev.caravan.workspace.storage;

import java.util.Objects;

/**
 * What must be true of a path before it is written, replaced or deleted: nothing, that it does not exist yet
 * (create-only, never overwrite), or that it is the file version with a given etag (compare-and-swap).
 */
public final class Precondition {
    public enum Kind { NONE, ABSENT, ETAG }

    private static final Precondition NONE = new Precondition(Kind.NONE, null);
    private static final Precondition ABSENT = new Precondition(Kind.ABSENT, null);

    private final Kind kind;
    private final String etag;

    private Precondition(Kind kind, String etag) {
        this.kind = kind;
        this.etag = etag;
    }

    /** Whatever is there (a file, or nothing) may be replaced. */
    public static Precondition none() {
        return NONE;
    }

    /** Nothing may exist at the path yet. */
    public static Precondition absent() {
        return ABSENT;
    }

    /** The path must be a file whose current etag is {@code etag}. */
    public static Precondition etag(String etag) {
        if (etag == null || etag.isBlank()) {
            throw new IllegalArgumentException("etag must not be blank");
        }
        return new Precondition(Kind.ETAG, unquote(etag));
    }

    /** Etags may arrive quoted, as HTTP sends them; the storage compares them bare. */
    static String unquote(String etag) {
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
    }

    public Kind kind() {
        return kind;
    }

    /** The expected etag for {@link Kind#ETAG}; null otherwise. */
    public String etag() {
        return etag;
    }

    /**
     * Checks the precondition against what is at {@code path} now (null: nothing).
     *
     * @throws PathExistsException    for {@link #absent()} when something exists
     * @throws EtagMismatchException  for {@link #etag} when the file is gone or another version
     * @throws PathTypeException      for {@link #etag} when the path is a directory
     */
    void check(WorkspacePath path, FileInfo current) {
        switch (kind) {
            case NONE -> { }
            case ABSENT -> {
                if (current != null) {
                    throw PathExistsException.of(path);
                }
            }
            case ETAG -> {
                if (current == null) {
                    throw EtagMismatchException.gone(path);
                }
                if (current.isDirectory()) {
                    throw PathTypeException.noEtag(path);
                }
                if (!etag.equals(current.etag())) {
                    throw EtagMismatchException.changed(path);
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Precondition p && p.kind == kind && Objects.equals(p.etag, etag);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, etag);
    }

    @Override
    public String toString() {
        return kind == Kind.ETAG ? "etag " + etag : kind.name().toLowerCase();
    }
}
