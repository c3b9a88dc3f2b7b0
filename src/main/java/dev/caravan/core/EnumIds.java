package dev.caravan.core;

import java.util.Locale;

/** Enum constants as tools, routes, APIs and the database name them: in lower case ({@code write_file}). */
public final class EnumIds {
    private EnumIds() {
    }

    public static String id(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The constant {@code name} names, in any case; null for null or no such constant. */
    public static <E extends Enum<E>> E of(Class<E> type, String name) {
        if (name == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
