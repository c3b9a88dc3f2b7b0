package dev.caravan.workspace.component;

import dev.caravan.tool.ToolFailure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ordered oldText/newText replacements on a text, as the reference filesystem server's edit_file does: each
 * oldText must occur exactly once, first as written, else line by line ignoring leading and trailing whitespace
 * (the replacement then takes the indentation of the text it replaces). A miss names the nearest candidate so the
 * agent can correct its oldText; nothing is written unless every edit applies.
 */
final class TextEdits {
    record Edit(String oldText, String newText) {
    }

    private TextEdits() {
    }

    /** The text with every edit applied, in order. Texts use '\n' line ends. */
    static String apply(String text, List<Edit> edits, String path) {
        String current = text;
        for (int i = 0; i < edits.size(); i++) {
            String where = edits.size() == 1 ? "The edit" : "Edit " + (i + 1) + " of " + edits.size();
            current = applyOne(current, edits.get(i), where, path);
        }
        return current;
    }

    private static String applyOne(String text, Edit edit, String where, String path) {
        String old = edit.oldText();
        if (old.isEmpty()) {
            throw new ToolFailure(where + " has an empty oldText; give the exact text to replace. Nothing was written.");
        }
        int first = text.indexOf(old);
        if (first >= 0) {
            int second = text.indexOf(old, first + 1);
            if (second >= 0) {
                throw new ToolFailure(where + ": oldText occurs " + count(text, old) + " times in '" + path
                        + "' (first at line " + lineOf(text, first) + ", next at line " + lineOf(text, second)
                        + "); include more surrounding lines so it matches once. Nothing was written.");
            }
            return text.substring(0, first) + edit.newText() + text.substring(first + old.length());
        }
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        String[] oldLines = trimTrailingEmpty(old.split("\n", -1));
        List<Integer> matches = new ArrayList<>();
        for (int start = 0; start + oldLines.length <= lines.size(); start++) {
            boolean all = true;
            for (int j = 0; j < oldLines.length && all; j++) {
                all = lines.get(start + j).strip().equals(oldLines[j].strip());
            }
            if (all) {
                matches.add(start);
            }
        }
        if (matches.size() > 1) {
            throw new ToolFailure(where + ": oldText matches " + matches.size() + " places in '" + path
                    + "' when whitespace is ignored (lines " + (matches.get(0) + 1) + " and " + (matches.get(1) + 1)
                    + "); include more surrounding lines so it matches once. Nothing was written.");
        }
        if (matches.isEmpty()) {
            throw new ToolFailure(where + ": oldText was not found in '" + path + "'." + nearest(lines, oldLines)
                    + "\nRead the file again and copy the exact text. Nothing was written.");
        }
        int start = matches.get(0);
        String baseIndent = indentOf(lines.get(start));
        String oldIndent = indentOf(oldLines[0]);
        // How the agent's indentation maps to the file's, learned from the lines that matched.
        Map<String, String> indents = new HashMap<>();
        for (int j = 0; j < oldLines.length; j++) {
            if (!oldLines[j].isBlank()) {
                indents.putIfAbsent(indentOf(oldLines[j]), indentOf(lines.get(start + j)));
            }
        }
        String[] newLines = trimTrailingEmpty(edit.newText().split("\n", -1));
        List<String> replaced = new ArrayList<>();
        for (String line : newLines) {
            String indent = indentOf(line);
            String rest = line.substring(indent.length());
            String mapped = indents.get(indent);
            if (mapped == null) {
                // Keep the indentation relative to the old text's first line, under the file's indentation.
                mapped = baseIndent + (indent.startsWith(oldIndent) ? indent.substring(oldIndent.length()) : indent);
            }
            replaced.add(line.isBlank() ? "" : mapped + rest);
        }
        if (edit.newText().isEmpty()) {
            replaced.clear();
        }
        List<String> out = new ArrayList<>(lines.subList(0, start));
        out.addAll(replaced);
        out.addAll(lines.subList(start + oldLines.length, lines.size()));
        return String.join("\n", out);
    }

    private static String[] trimTrailingEmpty(String[] lines) {
        int n = lines.length;
        while (n > 1 && lines[n - 1].isEmpty()) {
            n--;
        }
        return Arrays.copyOf(lines, n);
    }

    private static String indentOf(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return line.substring(0, i);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static int lineOf(String text, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The window of the file most like oldText, line by line, as a hint; empty when nothing is close. */
    private static String nearest(List<String> lines, String[] oldLines) {
        int best = -1;
        double bestScore = 0;
        int window = Math.min(oldLines.length, lines.size());
        for (int start = 0; start + window <= lines.size(); start++) {
            double score = 0;
            for (int j = 0; j < window; j++) {
                score += similarity(lines.get(start + j).strip(), oldLines[j].strip());
            }
            score /= oldLines.length;
            if (score > bestScore) {
                bestScore = score;
                best = start;
            }
        }
        if (best < 0 || bestScore < 0.3) {
            return " No similar text was found.";
        }
        StringBuilder b = new StringBuilder(" The nearest text is at line").append(window > 1 ? "s " : " ")
                .append(best + 1).append(window > 1 ? "-" + (best + window) : "")
                .append(" (").append(Math.round(bestScore * 100)).append("% similar):\n```\n");
        for (int j = 0; j < window; j++) {
            String line = lines.get(best + j);
            b.append(line.length() > 300 ? line.substring(0, 300) + "..." : line).append('\n');
        }
        return b.append("```").toString();
    }

    /** Dice coefficient on character bigrams: 1 for equal strings, near 0 for unrelated ones. */
    static double similarity(String a, String b) {
        if (a.equals(b)) {
            return 1;
        }
        if (a.length() < 2 || b.length() < 2) {
            return 0;
        }
        Map<Integer, Integer> bigrams = new HashMap<>();
        for (int i = 0; i + 1 < a.length(); i++) {
            bigrams.merge(a.charAt(i) << 16 | a.charAt(i + 1), 1, Integer::sum);
        }
        int common = 0;
        for (int i = 0; i + 1 < b.length(); i++) {
            int key = b.charAt(i) << 16 | b.charAt(i + 1);
            Integer n = bigrams.get(key);
            if (n != null && n > 0) {
                bigrams.put(key, n - 1);
                common++;
            }
        }
        return 2.0 * common / (a.length() - 1 + b.length() - 1);
    }

    // ---- unified diff

    /** A unified diff with three lines of context; "" when the texts are equal. */
    static String diff(String before, String after, String path) {
        if (before.equals(after)) {
            return "";
        }
        String[] a = lines(before);
        String[] b = lines(after);
        int prefix = 0;
        while (prefix < a.length && prefix < b.length && a[prefix].equals(b[prefix])) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.length - prefix && suffix < b.length - prefix
                && a[a.length - 1 - suffix].equals(b[b.length - 1 - suffix])) {
            suffix++;
        }
        // Operations over the whole texts: ' ' keep, '-' delete, '+' insert, with their line indexes.
        List<int[]> ops = new ArrayList<>();
        for (int i = 0; i < prefix; i++) {
            ops.add(new int[]{' ', i, i});
        }
        middle(a, b, prefix, a.length - suffix, prefix, b.length - suffix, ops);
        for (int i = 0; i < suffix; i++) {
            ops.add(new int[]{' ', a.length - suffix + i, b.length - suffix + i});
        }
        StringBuilder out = new StringBuilder("--- a/").append(path).append("\n+++ b/").append(path).append('\n');
        int context = 3;
        int i = 0;
        while (i < ops.size()) {
            if (ops.get(i)[0] == ' ') {
                i++;
                continue;
            }
            int start = Math.max(0, i - context);
            int end = i;
            // Extend the hunk while changes are within 2*context of each other.
            int lastChange = i;
            while (end < ops.size()) {
                if (ops.get(end)[0] != ' ') {
                    lastChange = end;
                } else if (end - lastChange > 2 * context) {
                    break;
                }
                end++;
            }
            end = Math.min(ops.size(), lastChange + context + 1);
            int aStart = -1, bStart = -1, aCount = 0, bCount = 0;
            StringBuilder body = new StringBuilder();
            for (int k = start; k < end; k++) {
                int[] op = ops.get(k);
                if (op[0] != '+') {
                    if (aStart < 0) aStart = op[1];
                    aCount++;
                }
                if (op[0] != '-') {
                    if (bStart < 0) bStart = op[2];
                    bCount++;
                }
                String line = op[0] == '+' ? b[op[2]] : a[op[1]];
                boolean unterminated = line.endsWith(NO_NEWLINE);
                body.append((char) op[0]).append(unterminated ? line.substring(0, line.length() - 1) : line).append('\n');
                if (unterminated) {
                    body.append("\\ No newline at end of file\n");
                }
            }
            if (aStart < 0) aStart = firstIndex(ops, start, 1);
            if (bStart < 0) bStart = firstIndex(ops, start, 2);
            out.append("@@ -").append(range(aStart, aCount)).append(" +").append(range(bStart, bCount)).append(" @@\n")
                    .append(body);
            i = end;
        }
        return out.toString();
    }

    /** Marks a last line that has no newline, so it differs from the same text with one; NUL never occurs in text. */
    private static final String NO_NEWLINE = "\u0000";

    /** The text's lines without their '\n'; none for "", and no phantom empty line after a final newline. */
    private static String[] lines(String text) {
        if (text.isEmpty()) {
            return new String[0];
        }
        boolean terminated = text.endsWith("\n");
        String[] lines = (terminated ? text.substring(0, text.length() - 1) : text).split("\n", -1);
        if (!terminated) {
            lines[lines.length - 1] += NO_NEWLINE;
        }
        return lines;
    }

    private static int firstIndex(List<int[]> ops, int start, int side) {
        return start < ops.size() ? ops.get(start)[side] : 0;
    }

    /** Always with its count, as the reference server's diff library writes it (git accepts both forms). */
    private static String range(int start, int count) {
        return count == 0 ? start + ",0" : (start + 1) + "," + count;
    }

    /** LCS over the changed middle; one replaced block when it is too large to compare line by line. */
    private static void middle(String[] a, String[] b, int a0, int a1, int b0, int b1, List<int[]> ops) {
        int n = a1 - a0, m = b1 - b0;
        if ((long) n * m > 4_000_000L) {
            for (int i = a0; i < a1; i++) ops.add(new int[]{'-', i, b0});
            for (int j = b0; j < b1; j++) ops.add(new int[]{'+', a1, j});
            return;
        }
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a[a0 + i].equals(b[b0 + j]) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a[a0 + i].equals(b[b0 + j])) {
                ops.add(new int[]{' ', a0 + i, b0 + j});
                i++;
                j++;
            } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                // Deletions first, as diff prints them.
                ops.add(new int[]{'-', a0 + i, b0 + j});
                i++;
            } else {
                ops.add(new int[]{'+', a0 + i, b0 + j});
                j++;
            }
        }
    }
}
