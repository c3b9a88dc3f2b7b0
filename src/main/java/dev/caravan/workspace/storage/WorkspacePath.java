package dev.caravan.workspace.storage;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A path inside one workspace, relative to its root, checked once when it is made. Every backend receives only
 * these, so path safety lives here and not in each backend: no {@code ..}, no drive-letter paths, no
 * backslashes, no percent-encoded sequences, no control, invisible or text-direction characters, no names reserved
 * for Caravan. A workspace is a virtual root, so a leading {@code /} means that root ({@code /notes/a.md} is
 * {@code notes/a.md}; nothing outside can be named). {@code .} segments, repeated, leading and trailing slashes are
 * dropped, and names are normalised to Unicode NFC, so {@code café} typed either way is one file. The canonical form
 * joins the segments with {@code /}, and the root is the empty path.
 */
public final class WorkspacePath implements Comparable<WorkspacePath> {
    public static final WorkspacePath ROOT = new WorkspacePath(List.of());

    /** Caravan's own files (e.g. temp files of writes in progress) carry this prefix; users cannot name them. */
    public static final String RESERVED_PREFIX = ".caravan-";
    /** Most file systems refuse longer names. */
    static final int MAX_SEGMENT_BYTES = 255;
    /** S3's key limit, which local disks easily allow too. */
    static final int MAX_PATH_BYTES = 1024;

    private static final Pattern PERCENT_ENCODED = Pattern.compile("%[0-9A-Fa-f]{2}");
    private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");
    private static final Pattern ONLY_DOTS = Pattern.compile("^\\.{3,}$");

    private final List<String> segments;
    private final String text;

    private WorkspacePath(List<String> segments) {
        this.segments = List.copyOf(segments);
        this.text = String.join("/", segments);
    }

    /**
     * Parses a path given by a user or agent. {@code ""}, {@code "."}, {@code "./"} and {@code "/"} are the root.
     *
     * @throws PathRejectedException with a message that says how to write the path instead
     */
    public static WorkspacePath of(String raw) {
        if (raw == null) {
            throw new PathRejectedException("A path is required; give one relative to the workspace root, e.g. "
                    + "'docs/notes.md'.");
        }
        String shown = shown(raw);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new PathRejectedException("Path " + shown + " contains a control character (such as NUL or a "
                        + "line break); remove it.");
            }
        }
        raw.codePoints().filter(WorkspacePath::disguising).findFirst().ifPresent(cp -> {
            throw new PathRejectedException("Path " + shown + " contains " + codePoint(cp) + ", an invisible or "
                    + "text-direction character that can disguise a name; remove it.");
        });
        if (raw.indexOf('\\') >= 0) {
            throw new PathRejectedException("Path " + shown + " contains a backslash; separate directories with '/', "
                    + "e.g. 'docs/notes.md'.");
        }
        if (PERCENT_ENCODED.matcher(raw).find()) {
            throw new PathRejectedException("Path " + shown + " contains a percent-encoded sequence (such as '%2e' or "
                    + "'%2f'); give the plain, decoded path.");
        }
        if (DRIVE.matcher(raw.replaceFirst("^/+", "")).matches()) {
            throw new PathRejectedException("Path " + shown + " starts with a drive letter; give it relative to the "
                    + "workspace root, e.g. 'docs/notes.md'.");
        }
        if (!encodable(raw)) {
            throw new PathRejectedException("Path " + shown + " is not valid Unicode text.");
        }
        // After the checks above, so no character is hidden from them; NFC never makes a '/', '.' or '\\'.
        String normal = Normalizer.normalize(raw, Normalizer.Form.NFC);
        List<String> segments = new ArrayList<>();
        for (String segment : normal.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            checkSegment(segment, shown);
            segments.add(segment);
        }
        if (!segments.isEmpty() && DRIVE.matcher(segments.get(0)).matches()) {
            // The check above misses a drive behind "./" or "//"; the first segment is what counts.
            throw new PathRejectedException("Path " + shown + " starts with a drive letter; give it relative to the "
                    + "workspace root, e.g. 'docs/notes.md'.");
        }
        WorkspacePath path = new WorkspacePath(segments);
        if (path.text.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new PathRejectedException("Path " + shown + " is longer than " + MAX_PATH_BYTES
                    + " bytes; use shorter names or fewer directories.");
        }
        return path;
    }

    private static void checkSegment(String segment, String shown) {
        if (segment.equals("..")) {
            throw new PathRejectedException("Path " + shown + " contains '..'; paths cannot leave the workspace. Give "
                    + "the path relative to the workspace root, e.g. 'docs/notes.md'.");
        }
        if (ONLY_DOTS.matcher(segment).matches()) {
            throw new PathRejectedException("Path " + shown + " has a name made only of dots; choose another name.");
        }
        if (segment.startsWith(RESERVED_PREFIX)) {
            throw new PathRejectedException("Path " + shown + " uses a name starting with '" + RESERVED_PREFIX
                    + "', which is reserved for Caravan; choose another name.");
        }
        if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
            throw new PathRejectedException("Path " + shown + " has a name longer than " + MAX_SEGMENT_BYTES
                    + " bytes; use a shorter name.");
        }
    }

    /**
     * Characters that change how a name looks without showing themselves: format characters (bidi overrides and
     * isolates, zero-width spaces and joiners, the byte-order mark, soft hyphen), C1 controls such as U+0085, and the
     * line and paragraph separators U+2028/U+2029. C0 controls get their own message above.
     */
    private static boolean disguising(int cp) {
        int type = Character.getType(cp);
        return cp >= 0x80 && (type == Character.FORMAT || type == Character.CONTROL
                || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR);
    }

    private static String codePoint(int cp) {
        String name = Character.getName(cp);
        return String.format("U+%04X", cp) + (name == null ? "" : " (" + name + ")");
    }

    /** The input quoted for a message: control and disguising characters escaped, long input cut. */
    private static String shown(String raw) {
        StringBuilder b = new StringBuilder("'");
        String cut = raw.length() > 120 ? raw.substring(0, 120) : raw;
        cut.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || disguising(cp)) {
                b.append(cp > 0xFFFF ? String.format("\\U%06X", cp) : String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append(raw.length() > 120 ? "...'" : "'").toString();
    }

    private static boolean encodable(String raw) {
        try {
            StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(raw));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * A path in one of Caravan's own areas: the segment {@code RESERVED_PREFIX + area} followed by {@code rest}.
     * No user or agent input can produce it ({@link #of} refuses reserved names) and listings and walks leave it out,
     * so wrappers such as file versions can keep their data inside the workspace, out of sight.
     */
    public static WorkspacePath reserved(String area, WorkspacePath rest) {
        if (area == null || !area.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("a reserved area is 1-40 of a-z, 0-9 and '-'");
        }
        List<String> joined = new ArrayList<>();
        joined.add(RESERVED_PREFIX + area);
        joined.addAll(rest.segments);
        return checkedLength(new WorkspacePath(joined));
    }

    /** One more segment; the name is checked like any user input. */
    public WorkspacePath child(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.contains("/")) {
            throw new PathRejectedException("'" + name + "' is not a single file or directory name.");
        }
        WorkspacePath single = of(name);
        List<String> joined = new ArrayList<>(segments);
        joined.addAll(single.segments);
        return checkedLength(new WorkspacePath(joined));
    }

    /** This path followed by {@code other}'s segments. */
    public WorkspacePath resolve(WorkspacePath other) {
        List<String> joined = new ArrayList<>(segments);
        joined.addAll(other.segments);
        return checkedLength(new WorkspacePath(joined));
    }

    private static WorkspacePath checkedLength(WorkspacePath path) {
        if (path.text.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new PathRejectedException("Path '" + shown(path.text) + "' would be longer than " + MAX_PATH_BYTES
                    + " bytes; use shorter names or fewer directories.");
        }
        return path;
    }

    /** The segments after {@code base}, which this path must start with. */
    public WorkspacePath relativeTo(WorkspacePath base) {
        if (!startsWith(base)) {
            throw new IllegalArgumentException(this + " is not under " + base);
        }
        return new WorkspacePath(segments.subList(base.segments.size(), segments.size()));
    }

    public boolean isRoot() {
        return segments.isEmpty();
    }

    /** The last segment; empty for the root. */
    public String name() {
        return isRoot() ? "" : segments.get(segments.size() - 1);
    }

    /** The directory holding this path; the root has none. */
    public WorkspacePath parent() {
        if (isRoot()) {
            throw new IllegalStateException("the workspace root has no parent");
        }
        return new WorkspacePath(segments.subList(0, segments.size() - 1));
    }

    /** The first {@code n} segments. */
    WorkspacePath head(int n) {
        return new WorkspacePath(segments.subList(0, n));
    }

    /** Every directory from the root's first child down to this path's parent, outermost first. */
    public List<WorkspacePath> ancestors() {
        List<WorkspacePath> result = new ArrayList<>();
        for (int i = 1; i < segments.size(); i++) {
            result.add(new WorkspacePath(segments.subList(0, i)));
        }
        return result;
    }

    public List<String> segments() {
        return segments;
    }

    public int depth() {
        return segments.size();
    }

    /** Segment-wise: {@code a/b} starts with {@code a} but {@code a2/b} does not. Every path starts with the root. */
    public boolean startsWith(WorkspacePath other) {
        return other.segments.size() <= segments.size()
                && segments.subList(0, other.segments.size()).equals(other.segments);
    }

    /** Segment by segment, so a directory's entries sort right after it ({@code a}, {@code a/b}, {@code a-b}). */
    @Override
    public int compareTo(WorkspacePath other) {
        int n = Math.min(segments.size(), other.segments.size());
        for (int i = 0; i < n; i++) {
            int c = segments.get(i).compareTo(other.segments.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(segments.size(), other.segments.size());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkspacePath p && p.segments.equals(segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }

    /** The canonical form: segments joined with '/', no leading or trailing slash; "" for the root. */
    @Override
    public String toString() {
        return text;
    }
}
