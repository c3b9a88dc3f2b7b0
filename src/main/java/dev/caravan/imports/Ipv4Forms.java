package dev.caravan.imports;

/**
 * The numeric host forms the C library's inet_aton (and so curl, and many HTTP stacks) accepts for IPv4:
 * {@code 2130706433}, {@code 0x7f000001}, {@code 0177.0.0.1}, {@code 127.1}, {@code 127.0.1}. A URL's host in such a
 * form is the address it denotes, so the guard checks that address, never a name lookup of the text.
 */
final class Ipv4Forms {
    private Ipv4Forms() {
    }

    /** The four bytes the host denotes, or null when it is not a numeric IPv4 form. */
    static byte[] parse(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (h.isEmpty() || !h.matches("(?i)[0-9a-fx.]+") || h.startsWith(".") || h.contains("..")) {
            return null;
        }
        String[] parts = h.split("\\.");
        if (parts.length > 4) {
            return null;
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long v = number(parts[i]);
            if (v == null) {
                return null;
            }
            values[i] = v;
        }
        // The last part fills the bytes the earlier parts leave: a.b.c.d, a.b.(16 bits), a.(24 bits), (32 bits).
        long address = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 0xff) {
                return null;
            }
            address |= values[i] << (8 * (3 - i));
        }
        long last = values[parts.length - 1];
        if (last >= 1L << (8 * (5 - parts.length))) {
            return null;
        }
        address |= last;
        return new byte[] {(byte) (address >> 24), (byte) (address >> 16), (byte) (address >> 8), (byte) address};
    }

    private static Long number(String part) {
        try {
            if (part.length() > 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
                return part.length() > 10 ? null : Long.parseLong(part.substring(2), 16);
            }
            if (part.matches("\\d+")) {
                if (part.length() > 12) {
                    return null;
                }
                return part.length() > 1 && part.startsWith("0") ? Long.parseLong(part, 8) : Long.parseLong(part);
            }
            return null;
        } catch (NumberFormatException e) {
            return null; // "08" is not octal
        }
    }
}
