package dev.caravan.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A small property-test runner: a property runs against {@code tries} generated inputs from one seeded
 * {@link Random}. A failure names the seed, the try and the input, so {@code -Dcaravan.fuzz.seed=SEED} replays it.
 * Each run picks a new seed unless one is given, so the suite keeps exploring; failures found are kept as example
 * tests. (No shrinking: inputs are kept small instead.)
 */
public final class Fuzz {
    private final Random random;

    private Fuzz(long seed) {
        this.random = new Random(seed);
    }

    @FunctionalInterface
    public interface Check<T> {
        void accept(T input) throws Exception;
    }

    /** Runs {@code property} on {@code tries} inputs made by {@code generator}. */
    public static <T> void forAll(int tries, Function<Fuzz, T> generator, Check<T> property) {
        String given = System.getProperty("caravan.fuzz.seed");
        long seed = given != null ? Long.parseLong(given) : new Random().nextLong();
        Fuzz fuzz = new Fuzz(seed);
        for (int i = 0; i < tries; i++) {
            T input = generator.apply(fuzz);
            try {
                property.accept(input);
            } catch (Throwable t) {
                throw new AssertionError("property failed at try " + i + " with seed " + seed
                        + " (replay with -Dcaravan.fuzz.seed=" + seed + ") for input " + show(input) + ": " + t, t);
            }
        }
    }

    private static String show(Object input) {
        String s = input instanceof byte[] b ? "bytes " + java.util.Arrays.toString(b)
                : input instanceof String str ? escape(str) : String.valueOf(input);
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    /** Java-literal style, so invisible characters in a failing input can be copied into a test. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.chars().forEach(c -> b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        return b.append('"').toString();
    }

    public Random random() {
        return random;
    }

    public int between(int min, int max) {
        return min + random.nextInt(max - min + 1);
    }

    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    @SafeVarargs
    public final <T> T pick(T... values) {
        return values[random.nextInt(values.length)];
    }

    public <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** One of the suppliers, chosen evenly. */
    @SafeVarargs
    public final <T> T oneOf(Supplier<? extends T>... choices) {
        return choices[random.nextInt(choices.length)].get();
    }

    public <T> List<T> list(int max, Supplier<T> element) {
        int n = between(0, max);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.get());
        }
        return out;
    }

    public byte[] bytes(int max) {
        byte[] b = new byte[between(0, max)];
        random.nextBytes(b);
        return b;
    }

    /** Any code point: ASCII mostly, then control, format (bidi, zero-width), combining marks, CJK, emoji, surrogates. */
    public int codePoint() {
        return switch (random.nextInt(12)) {
            case 0, 1, 2, 3 -> between(0x20, 0x7e);
            case 4 -> between(0, 0x1f);
            case 5 -> pick(0x7f, 0x85, 0xa0, 0xad, 0x200b, 0x200d, 0x200e, 0x202e, 0x2066, 0x2028, 0xfeff, 0xfffd);
            case 6 -> between(0x300, 0x36f);           // combining marks (NFC composes some)
            case 7 -> between(0xc0, 0x24f);            // Latin with accents, precomposed and not
            case 8 -> between(0xd800, 0xdfff);         // a lone surrogate
            case 9 -> between(0x1f300, 0x1faff);       // emoji, four bytes in UTF-8
            case 10 -> between(0x4e00, 0x9fff);        // CJK, three bytes
            default -> random.nextInt(0x110000);
        };
    }

    public String string(int maxCodePoints) {
        StringBuilder b = new StringBuilder();
        int n = between(0, maxCodePoints);
        for (int i = 0; i < n; i++) {
            b.appendCodePoint(codePoint());
        }
        return b.toString();
    }

    /** Like {@link #string} but valid Unicode (no lone surrogate), so it survives UTF-8 unchanged. */
    public String text(int maxCodePoints) {
        StringBuilder b = new StringBuilder();
        int n = between(0, maxCodePoints);
        while (b.codePointCount(0, b.length()) < n) {
            int cp = codePoint();
            if (cp < 0xd800 || cp > 0xdfff) {
                b.appendCodePoint(cp);
            }
        }
        return b.toString();
    }

    public String ascii(int min, int max, String alphabet) {
        StringBuilder b = new StringBuilder();
        int n = between(min, max);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
