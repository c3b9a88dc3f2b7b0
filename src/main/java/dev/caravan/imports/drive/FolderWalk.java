package dev.caravan.imports.drive;

import dev.caravan.imports.ImportFailure;
import dev.caravan.imports.ImportReason;
import dev.caravan.imports.ImportSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A shared folder's tree, breadth first, the same for every drive: each provider only lists one folder's children
 * ({@link Lister}). Sub-folders are entered down to {@code folder-max-depth} levels (deeper ones are reported as
 * skipped); a folder seen twice (a drive that lets an item have two parents) is listed once. Listing stops as soon as
 * the tree holds more files than {@code folder-max-files} (the import then refuses it before any download), and a
 * tree with more folders than that is refused too, so a hostile share cannot keep the job listing empty folders.
 *
 * @param <R> how the provider names a folder to list (an id, a path in the link)
 */
final class FolderWalk<R> {
    /** One child of a folder: a file (its download, made on demand) or a sub-folder ({@code folder} set). */
    record Child<R>(String name, R folder, Supplier<ImportSource.Download> file) {
        static <R> Child<R> file(String name, Supplier<ImportSource.Download> download) {
            return new Child<>(name, null, download);
        }

        static <R> Child<R> folder(String name, R folder) {
            return new Child<>(name, folder, null);
        }
    }

    /** Lists one folder's children into {@code out}, page by page, until {@code enough} says stop. */
    @FunctionalInterface
    interface Lister<R> {
        void list(R folder, Consumer<Child<R>> out, BooleanSupplier enough);
    }

    private record Pending<R>(R folder, List<String> dir) {
    }

    private FolderWalk() {
    }

    static <R> ImportSource.Folder walk(String name, R root, Function<R, String> key, Lister<R> lister,
                                        ImportSource.Context context) {
        List<ImportSource.Item> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Deque<Pending<R>> queue = new ArrayDeque<>();
        queue.add(new Pending<>(root, List.of()));
        seen.add(key.apply(root));
        int max = context.folderMaxFiles();
        int folders = 0;
        BooleanSupplier enough = () -> files.size() > max;
        while (!queue.isEmpty() && !enough.getAsBoolean()) {
            Pending<R> at = queue.poll();
            if (++folders > max) {
                throw new ImportFailure(ImportReason.TOO_LARGE, "The shared folder has more than " + max
                        + " sub-folders (too_large; setting caravan.import.folder-max-files); nothing was imported. "
                        + "Import its sub-folders one by one.");
            }
            lister.list(at.folder(), child -> {
                String path = at.dir().isEmpty() ? child.name() : String.join("/", at.dir()) + "/" + child.name();
                if (child.folder() != null) {
                    if (at.dir().size() + 1 > context.folderMaxDepth()) {
                        skipped.add(path + "/ (deeper than caravan.import.folder-max-depth, "
                                + context.folderMaxDepth() + ")");
                    } else if (seen.add(key.apply(child.folder()))) {
                        List<String> dir = new ArrayList<>(at.dir());
                        dir.add(child.name());
                        queue.add(new Pending<>(child.folder(), dir));
                    }
                } else if (!enough.getAsBoolean()) {
                    try {
                        files.add(new ImportSource.Item(at.dir(), child.file().get()));
                    } catch (ImportFailure e) {
                        if (e.reason() != ImportReason.INVALID_REQUEST) {
                            throw e;
                        }
                        skipped.add(path + " (" + e.getMessage() + ")"); // a Google item with no file to export
                    }
                }
            }, enough);
        }
        return new ImportSource.Folder(name, files, skipped);
    }
}
