package dev.caravan.workspace.component;

import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Precondition;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.storage.WriteOptions;
import dev.caravan.workspace.versions.VersionedStorage;
import org.apache.camel.Message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.caravan.workspace.component.FileOperations.BYTES;
import static dev.caravan.workspace.component.FileOperations.ETAG;
import static dev.caravan.workspace.component.FileTexts.binary;
import static dev.caravan.workspace.component.FileTexts.path;
import static dev.caravan.workspace.component.FileTexts.show;

/** write_file, edit_file, create_directory, move_file, copy_file and delete_file. */
final class WriteOperations {
    private final FileOperations.Limits limits;

    WriteOperations(FileOperations.Limits limits) {
        this.limits = limits;
    }

    Object write(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        String content = args.string("content");
        if (content == null) {
            throw new ToolFailure("Argument 'content' is required (use \"\" for an empty file).");
        }
        String encoding = args.string("encoding");
        byte[] bytes;
        if (encoding == null || encoding.equalsIgnoreCase("text") || encoding.equalsIgnoreCase("utf-8")) {
            bytes = content.getBytes(StandardCharsets.UTF_8);
        } else if (encoding.equalsIgnoreCase("base64")) {
            try {
                bytes = Base64.getMimeDecoder().decode(content);
            } catch (IllegalArgumentException e) {
                throw new ToolFailure("Argument 'content' is not valid base64; nothing was written.");
            }
        } else {
            throw new ToolFailure("Argument 'encoding' must be text or base64, got '" + encoding + "'.");
        }
        boolean existed = s.find(p).map(FileInfo::isFile).orElse(false);
        FileInfo written = s.write(p, new ByteArrayInputStream(bytes), options(args).withSize(bytes.length));
        message.setHeader(ETAG, written.etag());
        message.setHeader(BYTES, bytes.length);
        return "Wrote " + show(p) + " (" + bytes.length + " bytes, etag " + written.etag() + ")."
                + (existed && s.keep() > 0 ? " The previous content is kept as a version (see list_versions)." : "");
    }

    private static WriteOptions options(Args args) {
        String ifMatch = args.string("ifMatch");
        boolean createOnly = args.bool("createOnly");
        if (ifMatch != null && !ifMatch.isBlank() && createOnly) {
            throw new ToolFailure("Give ifMatch or createOnly, not both.");
        }
        if (createOnly) {
            return WriteOptions.createOnly();
        }
        return ifMatch != null && !ifMatch.isBlank() ? WriteOptions.ifMatch(ifMatch) : WriteOptions.overwrite();
    }

    Object edit(VersionedStorage s, Args args, Message message) {
        WorkspacePath p = path(args, "path", false);
        List<TextEdits.Edit> edits = new ArrayList<>();
        for (Map<?, ?> e : args.objects("edits")) {
            Object oldText = e.get("oldText");
            Object newText = e.get("newText");
            if (!(oldText instanceof String o) || !(newText instanceof String n)) {
                throw new ToolFailure("Each edit needs oldText and newText as strings.");
            }
            edits.add(new TextEdits.Edit(o.replace("\r\n", "\n"), n.replace("\r\n", "\n")));
        }
        if (edits.isEmpty()) {
            throw new ToolFailure("Argument 'edits' must list at least one {oldText, newText} edit.");
        }
        boolean dryRun = args.bool("dryRun");
        String ifMatch = args.string("ifMatch");
        FileInfo info = s.stat(p);
        if (ifMatch != null && !ifMatch.isBlank() && info.isFile()
                && !Precondition.etag(ifMatch).etag().equals(info.etag())) {
            throw new ToolFailure("File " + show(p) + " was changed since you read it (etag mismatch); read it again "
                    + "and retry. Nothing was written.");
        }
        String raw;
        String etag;
        try (FileContent content = s.read(p, ByteRange.ALL)) {
            if (content.length() > limits.maxReadBytes()) {
                throw new ToolFailure("File " + show(p) + " is too large to edit here (over " + limits.maxReadBytes()
                        + " bytes); write it in smaller files.");
            }
            etag = content.info().etag();
            byte[] data = content.stream().readAllBytes();
            if (binary(data)) {
                throw new ToolFailure("File " + show(p) + " looks binary; edit_file changes text files only.");
            }
            raw = new String(data, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ToolFailure("File " + show(p) + " could not be read completely; try again.");
        }
        boolean crlf = raw.contains("\r\n");
        String before = crlf ? raw.replace("\r\n", "\n") : raw;
        String after = TextEdits.apply(before, edits, p.toString());
        String diff = TextEdits.diff(before, after, p.toString());
        String shownDiff = diff.isEmpty() ? "(no changes)" : "```diff\n" + diff + "```";
        if (dryRun) {
            message.setHeader(ETAG, etag);
            return "Dry run: nothing was written. These edits would change " + show(p) + ":\n" + shownDiff;
        }
        if (diff.isEmpty()) {
            message.setHeader(ETAG, etag);
            return "The edits leave " + show(p) + " unchanged; nothing was written.";
        }
        byte[] out = (crlf ? after.replace("\n", "\r\n") : after).getBytes(StandardCharsets.UTF_8);
        // Swap only the version just read, so an edit never silently undoes someone else's write.
        FileInfo written = s.write(p, new ByteArrayInputStream(out), WriteOptions.ifMatch(etag).withSize(out.length));
        message.setHeader(ETAG, written.etag());
        message.setHeader(BYTES, out.length);
        return "Edited " + show(p) + " (etag " + written.etag() + ")" + (s.keep() > 0 ? "; the previous content is "
                + "kept as a version" : "") + ":\n" + shownDiff;
    }

    Object createDirectory(VersionedStorage s, Args args) {
        WorkspacePath p = path(args, "path", false);
        boolean existed = s.find(p).isPresent();
        s.createDirectory(p);
        return existed ? "Directory " + show(p) + " already exists." : "Created directory " + show(p) + ".";
    }

    Object transfer(VersionedStorage s, Args args, boolean move) {
        WorkspacePath source = path(args, "source", false);
        WorkspacePath destination = path(args, "destination", false);
        boolean overwrite = args.bool("overwrite");
        boolean replaced = overwrite && s.find(destination).map(FileInfo::isFile).orElse(false);
        Precondition target = overwrite ? Precondition.none() : Precondition.absent();
        FileInfo result = move ? s.move(source, destination, target) : s.copy(source, destination, target);
        return (move ? "Moved " : "Copied ") + show(source) + " to " + show(destination)
                + (result.etag() != null ? " (etag " + result.etag() + ")" : "") + "."
                + (replaced && s.keep() > 0 ? " The file it replaced is kept as a version (see list_versions)." : "");
    }

    Object delete(VersionedStorage s, Args args) {
        WorkspacePath p = path(args, "path", false);
        String ifMatch = args.string("ifMatch");
        boolean file = s.find(p).map(FileInfo::isFile).orElse(false);
        s.delete(p, ifMatch == null || ifMatch.isBlank() ? Precondition.none() : Precondition.etag(ifMatch));
        return "Deleted " + show(p) + "." + (file && s.keep() > 0
                ? " Its last content is kept as a version: list_versions and restore_version bring it back." : "");
    }
}
