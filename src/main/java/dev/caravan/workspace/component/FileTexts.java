package dev.caravan.workspace.component;

import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.storage.WorkspacePath;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** What the reading, writing and searching operations share about text: naming paths, telling binary apart. */
final class FileTexts {
    private FileTexts() {
    }

    static WorkspacePath path(Args args, String name, boolean rootByDefault) {
        return WorkspacePath.of(args.path(name, rootByDefault));
    }

    static String show(WorkspacePath p) {
        return p.isRoot() ? "the workspace root" : "'" + p + "'";
    }

    /** A strict UTF-8 reader over the stream; binary content is refused with a pointer to read_media_file. */
    static BufferedReader textReader(InputStream in, WorkspacePath p) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
        buffered.mark(8192);
        byte[] probe = buffered.readNBytes(8192);
        buffered.reset();
        for (byte b : probe) {
            if (b == 0) {
                throw new ToolFailure("File " + show(p) + " looks binary; use read_media_file for images and audio.");
            }
        }
        return new BufferedReader(new InputStreamReader(buffered, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)));
    }

    /** A NUL byte in the first 8 KiB: what git and grep take for binary content. */
    static boolean binary(byte[] data) {
        for (int i = 0; i < Math.min(data.length, 8192); i++) {
            if (data[i] == 0) {
                return true;
            }
        }
        return false;
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
