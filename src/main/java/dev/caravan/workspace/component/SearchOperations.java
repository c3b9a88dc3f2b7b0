package dev.caravan.workspace.component;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.tool.ToolFailure;
import dev.caravan.workspace.storage.ByteRange;
import dev.caravan.workspace.storage.FileContent;
import dev.caravan.workspace.storage.FileInfo;
import dev.caravan.workspace.storage.Listing;
import dev.caravan.workspace.storage.StorageException;
import dev.caravan.workspace.storage.WalkOptions;
import dev.caravan.workspace.storage.WorkspacePath;
import dev.caravan.workspace.versions.VersionedStorage;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static dev.caravan.workspace.component.FileTexts.human;
import static dev.caravan.workspace.component.FileTexts.path;
import static dev.caravan.workspace.component.FileTexts.show;
import static dev.caravan.workspace.component.FileTexts.textReader;

/** list_directory, list_directory_with_sizes, directory_tree, search_files and grep_files. */
final class SearchOperations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileOperations.Limits limits;

    SearchOperations(FileOperations.Limits limits) {
        this.limits = limits;
    }

    Object list(VersionedStorage s, Args args, boolean sizes) {
        WorkspacePath p = path(args, "path", true);
        Listing listing = s.list(p, limits.maxEntries());
        List<FileInfo> entries = new ArrayList<>(listing.entries());
        if (sizes && "size".equalsIgnoreCase(args.string("sortBy"))) {
            entries.sort(Comparator.comparingLong(FileInfo::size).reversed());
        }
        if (entries.isEmpty()) {
            return show(p).substring(0, 1).toUpperCase() + show(p).substring(1) + " is empty.";
        }
        StringBuilder b = new StringBuilder();
        long total = 0;
        int files = 0;
        for (FileInfo e : entries) {
            b.append(e.isDirectory() ? "[DIR] " : "[FILE] ").append(e.name());
            if (sizes && e.isFile()) {
                b.append("  ").append(human(e.size()));
                total += e.size();
            }
            files += e.isFile() ? 1 : 0;
            b.append('\n');
        }
        if (sizes) {
            b.append("\nTotal: ").append(files).append(" files, ").append(entries.size() - files)
                    .append(" directories\nCombined size: ").append(human(total)).append('\n');
        }
        if (listing.truncated()) {
            b.append("(only the first ").append(limits.maxEntries()).append(" entries are shown)\n");
        }
        return b.toString().stripTrailing();
    }

    private WalkOptions walkOptions(WorkspacePath base, Args args, String excludeArg) {
        Predicate<String> excluded = Globs.any(args.strings(excludeArg));
        Integer maxDepth = args.integer("maxDepth", 1, 100);
        Integer maxEntries = args.integer("maxEntries", 1, limits.maxEntries());
        WalkOptions options = new WalkOptions(maxEntries == null ? limits.maxEntries() : maxEntries,
                maxDepth == null ? Integer.MAX_VALUE : maxDepth,
                path -> excluded.test(path.relativeTo(base).toString()), limits.walkTimeLimit());
        return options;
    }

    Object tree(VersionedStorage s, Args args) {
        WorkspacePath base = path(args, "path", true);
        Listing walk = s.walk(base, walkOptions(base, args, "excludePatterns"));
        List<Map<String, Object>> roots = new ArrayList<>();
        Map<WorkspacePath, List<Map<String, Object>>> children = new HashMap<>();
        children.put(base, roots);
        for (FileInfo e : walk.entries()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("name", e.name());
            node.put("type", e.isDirectory() ? "directory" : "file");
            if (e.isDirectory()) {
                List<Map<String, Object>> kids = new ArrayList<>();
                node.put("children", kids);
                children.put(e.path(), kids);
            }
            List<Map<String, Object>> parent = children.get(e.path().parent());
            if (parent != null) {
                parent.add(node);
            }
        }
        try {
            String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(roots);
            return walk.truncated() ? json + "\n(The tree was cut at " + walk.entries().size() + " entries or "
                    + limits.walkTimeLimit().toSeconds() + " s; narrow it with path, maxDepth or excludePatterns.)"
                    : json;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Object search(VersionedStorage s, Args args) {
        WorkspacePath base = path(args, "path", true);
        Predicate<String> pattern = Globs.nameOrPath(args.required("pattern"));
        WalkOptions options = walkOptions(base, args, "excludePatterns");
        // Walk wider than the result cap: most entries will not match.
        Listing walk = s.walk(base, new WalkOptions(Math.max(options.maxEntries(), 100_000), options.maxDepth(),
                options.exclude(), options.timeLimit()));
        List<String> found = new ArrayList<>();
        for (FileInfo e : walk.entries()) {
            if (pattern.test(e.path().relativeTo(base).toString())) {
                found.add(e.path() + (e.isDirectory() ? "/" : ""));
                if (found.size() >= options.maxEntries()) {
                    break;
                }
            }
        }
        boolean cut = walk.truncated() || found.size() >= options.maxEntries();
        if (found.isEmpty()) {
            return "No matches" + (walk.truncated() ? " in the part searched (the search hit its limit; narrow path)."
                    : ".");
        }
        return String.join("\n", found) + (cut ? "\n(results were capped; narrow path or pattern)" : "");
    }

    Object grep(VersionedStorage s, Args args) {
        WorkspacePath base = path(args, "path", true);
        String query = args.required("query");
        boolean regex = args.bool("regex");
        boolean caseSensitive = args.bool("caseSensitive");
        Integer maxResults = args.integer("maxResults", 1, limits.maxEntries());
        int cap = maxResults == null ? 100 : maxResults;
        Pattern pattern;
        try {
            int flags = caseSensitive ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
            pattern = regex ? Pattern.compile(query, flags) : Pattern.compile(Pattern.quote(query), flags);
        } catch (PatternSyntaxException e) {
            throw new ToolFailure("'" + query + "' is not a valid regular expression: " + e.getDescription() + ".");
        }
        String include = args.string("include");
        Predicate<String> included = include == null || include.isBlank() ? x -> true : Globs.nameOrPath(include);
        long deadline = System.nanoTime() + limits.walkTimeLimit().toNanos();
        WalkOptions options = walkOptions(base, args, "excludePatterns");
        Listing walk = s.walk(base, new WalkOptions(100_000, options.maxDepth(), options.exclude(), limits.walkTimeLimit()));
        List<String> hits = new ArrayList<>();
        boolean cut = walk.truncated();
        outer:
        for (FileInfo e : walk.entries()) {
            if (!e.isFile() || e.size() > limits.maxReadBytes() || !included.test(e.path().relativeTo(base).toString())) {
                continue;
            }
            if (System.nanoTime() > deadline) {
                cut = true;
                break;
            }
            try (FileContent content = s.read(e.path(), ByteRange.ALL)) {
                BufferedReader reader = textReader(content.stream(), e.path());
                String line;
                int n = 0;
                while ((line = reader.readLine()) != null) {
                    n++;
                    if (pattern.matcher(line).find()) {
                        String shown = line.strip();
                        hits.add(e.path() + ":" + n + ": " + (shown.length() > 300 ? shown.substring(0, 300) + "..." : shown));
                        if (hits.size() >= cap) {
                            cut = true;
                            break outer;
                        }
                    }
                }
            } catch (ToolFailure | StorageException | IOException skipped) {
                // binary, vanished or unreadable: not a match
            }
        }
        if (hits.isEmpty()) {
            return "No matches for '" + query + "'" + (cut ? " in the part searched (the search hit its limit)." : ".");
        }
        return String.join("\n", hits) + (cut ? "\n(results were capped at " + hits.size() + "; narrow path, include "
                + "or query)" : "");
    }
}
