package dev.caravan.workspace.component;

import dev.caravan.tool.Headers;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.PathTypeException;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.versions.VersionedStorage;
import org.apache.camel.Message;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.caravan.workspace.component.FileOperations.ETAG;
import static dev.caravan.workspace.component.FileOperations.FINAL_NEWLINE;
import static dev.caravan.workspace.component.FileOperations.LINES;
import static dev.caravan.workspace.component.FileOperations.SUMMARY;
import static dev.caravan.workspace.component.FileOperations.TOTAL_LINES;
import static dev.caravan.workspace.component.FileTexts.binary;
import static dev.caravan.workspace.component.FileTexts.path;
import static dev.caravan.workspace.component.FileTexts.show;
import static dev.caravan.workspace.component.FileTexts.textReader;

/** read_text_file, read_media_file, read_multiple_files and get_file_info. */
final class ReadOperations {
    private static final Map<String, String> MEDIA = Map.ofEntries(
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("bmp", "image/bmp"),
            Map.entry("svg", "image/svg+xml"), Map.entry("ico", "image/x-icon"), Map.entry("tif", "image/tiff"),
            Map.entry("tiff", "image/tiff"), Map.entry("mp3", "audio/mpeg"), Map.entry("wav", "audio/wav"),
            Map.entry("ogg", "audio/ogg"), Map.entry("oga", "audio/ogg"), Map.entry("flac", "audio/flac"),
            Map.entry("m4a", "audio/mp4"), Map.entry("aac", "audio/aac"), Map.entry("opus", "audio/opus"),
            Map.entry("weba", "audio/webm"), Map.entry("pdf", "application/pdf"));

    private final FileOperations.Limits limits;

    ReadOperations(FileOperations.Limits limits) {
        this.limits = limits;
    }

    Object text(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        Integer head = args.integer("head", 0, Integer.MAX_VALUE);
        Integer tail = args.integer("tail", 0, Integer.MAX_VALUE);
        Integer offset = args.integer("offset", 1, Integer.MAX_VALUE);
        Integer limit = args.integer("limit", 0, Integer.MAX_VALUE);
        if (head != null && tail != null) {
            throw new ToolFailure("Give head or tail, not both.");
        }
        if ((head != null || tail != null) && (offset != null || limit != null)) {
            throw new ToolFailure("Give head or tail, or offset and limit, not both kinds.");
        }
        int from = offset != null ? offset : 1;
        int max = head != null ? head : limit != null ? limit : Integer.MAX_VALUE;
        // Lines keep their own terminators ("\n" or "\r\n"), so a whole-file read gives the file back byte for
        // byte and read -> edit -> write changes nothing the agent did not change.
        Deque<String> kept = new ArrayDeque<>();
        long keptChars = 0;
        int total = 0;
        int firstKept = 0;
        boolean finalNewline = false;
        FileInfo info;
        try (FileContent content = s.read(p, ByteRange.ALL)) {
            info = content.info();
            InputStream in = content.stream();
            LineReader reader = new LineReader(textReader(in, p));
            String line;
            while ((line = reader.next()) != null) {
                total++;
                finalNewline = line.endsWith("\n");
                if (tail != null) {
                    kept.addLast(line);
                    keptChars += line.length();
                    while (kept.size() > tail || keptChars > limits.maxReadBytes() && !kept.isEmpty()) {
                        keptChars -= kept.removeFirst().length();
                    }
                } else if (total >= from && kept.size() < max) {
                    if (kept.isEmpty()) {
                        firstKept = total;
                    }
                    keptChars += line.length();
                    if (keptChars > limits.maxReadBytes()) {
                        throw new ToolFailure("File " + show(p) + " is too large to return at once (over "
                                + limits.maxReadBytes() / 1024 + " KiB of text); read it in parts with offset and "
                                + "limit, or head / tail.");
                    }
                    kept.addLast(line);
                }
            }
        } catch (IOException e) {
            throw new ToolFailure("File " + show(p) + " could not be read completely; try again.");
        }
        if (tail != null) {
            firstKept = total - kept.size() + 1;
        }
        int lastKept = firstKept + kept.size() - 1;
        StringBuilder text = new StringBuilder();
        kept.forEach(text::append);
        if (!kept.isEmpty() && lastKept < total) {
            // A part that stops before the end ends without its last terminator, as the reference server's head does.
            text.setLength(text.length() - (text.toString().endsWith("\r\n") ? 2 : 1));
        }
        String lines = kept.isEmpty() ? "" : firstKept + "-" + lastKept;
        message.setHeader(ETAG, info.etag());
        message.setHeader(LINES, lines);
        message.setHeader(TOTAL_LINES, total);
        message.setHeader(FINAL_NEWLINE, finalNewline);
        message.setHeader(SUMMARY, "[" + p + ": " + (kept.isEmpty() ? "no lines" : "lines " + lines) + " of " + total
                + (total == 0 ? "" : finalNewline ? ", ends with a newline" : ", no newline at the end")
                + ", " + info.size() + " bytes, etag " + info.etag() + "]");
        return text.toString();
    }

    /** Splits text after each '\n', keeping it (and a '\r' before it) on the line it ends. */
    private static final class LineReader {
        private final Reader in;
        private final char[] buffer = new char[8192];
        private int pos;
        private int end;

        LineReader(Reader in) {
            this.in = in;
        }

        String next() throws IOException {
            StringBuilder line = new StringBuilder();
            while (true) {
                if (pos == end) {
                    end = in.read(buffer);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        return line.length() == 0 ? null : line.toString();
                    }
                }
                char c = buffer[pos++];
                line.append(c);
                if (c == '\n') {
                    return line.toString();
                }
            }
        }
    }

    Object media(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        String name = p.name();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        String mime = MEDIA.getOrDefault(ext, "application/octet-stream");
        byte[] data = readAll(s, p);
        message.setHeader(Headers.MIME_TYPE, mime);
        return data;
    }

    Object multiple(VersionedStorage s, Args args) {
        List<String> paths = args.strings("paths");
        if (paths.isEmpty()) {
            throw new ToolFailure("Argument 'paths' must list at least one file path.");
        }
        if (paths.size() > 100) {
            throw new ToolFailure("Read at most 100 files at once.");
        }
        StringBuilder b = new StringBuilder();
        long budget = limits.maxReadBytes();
        for (String raw : paths) {
            if (b.length() > 0) {
                b.append("\n---\n");
            }
            try {
                WorkspacePath p = WorkspacePath.of(raw);
                byte[] data = readAll(s, p);
                if (data.length > budget) {
                    b.append(raw).append(": Error - skipped: the files so far fill this result; read it separately.");
                    continue;
                }
                budget -= data.length;
                if (binary(data)) {
                    b.append(p).append(": Error - the file looks binary; use read_media_file for images and audio.");
                    continue;
                }
                b.append(p).append(":\n").append(new String(data, StandardCharsets.UTF_8));
            } catch (StorageException | ToolFailure e) {
                b.append(raw).append(": Error - ").append(e.getMessage());
            }
        }
        return b.toString();
    }

    private byte[] readAll(VersionedStorage s, WorkspacePath p) {
        FileInfo info = s.stat(p);
        if (info.isDirectory()) {
            throw new PathTypeException(show(p) + " is a directory, not a file; list it to see its files.");
        }
        if (info.size() > limits.maxReadBytes()) {
            throw new ToolFailure("File " + show(p) + " (" + info.size() + " bytes) is larger than a tool result may "
                    + "carry (" + limits.maxReadBytes() + " bytes); read a text file in parts with offset and limit.");
        }
        try (FileContent content = s.read(p, ByteRange.ALL)) {
            return content.stream().readNBytes((int) Math.min(limits.maxReadBytes(), Integer.MAX_VALUE - 16));
        } catch (IOException e) {
            throw new ToolFailure("File " + show(p) + " could not be read completely; try again.");
        }
    }

    /**
     * The reference server's fields first, with the same names (size in bytes, times, isDirectory, isFile,
     * permissions), then Caravan's: path, type, etag and the versions kept. Workspaces keep no creation or access
     * time, and permissions are what this caller may do here (from its scopes), not host mode bits.
     */
    Object info(VersionedStorage s, Args args, Message message, boolean writable) {
        WorkspacePath p = path(args, "path", true);
        FileInfo info = s.stat(p);
        StringBuilder b = new StringBuilder();
        b.append("size: ").append(info.size()).append('\n');
        b.append("created: unknown\n");
        b.append("modified: ").append(info.modified() != null ? info.modified() : "unknown").append('\n');
        b.append("accessed: unknown\n");
        b.append("isDirectory: ").append(info.isDirectory()).append('\n');
        b.append("isFile: ").append(info.isFile()).append('\n');
        b.append("permissions: ").append(writable ? "rw-" : "r--").append('\n');
        b.append("path: ").append(p.isRoot() ? "/" : p.toString()).append('\n');
        b.append("type: ").append(info.isDirectory() ? "directory" : "file").append('\n');
        if (info.etag() != null) {
            b.append("etag: ").append(info.etag()).append('\n');
            message.setHeader(ETAG, info.etag());
        }
        if (info.isFile()) {
            b.append("versions: ").append(s.versions(p).size()).append('\n');
        }
        return b.toString().stripTrailing();
    }
}
