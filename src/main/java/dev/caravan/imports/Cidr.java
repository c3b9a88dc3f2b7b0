package dev.caravan.imports;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address block such as 10.0.0.0/8 or fc00::/7; an IPv4 block never matches an IPv6 address or back. */
record Cidr(byte[] network, int prefix) {
    static Cidr parse(String text) {
        String[] parts = text.strip().split("/", 2);
        byte[] address = literal(parts[0]);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an address or an address block (CIDR)");
        }
        int prefix = parts.length == 1 ? address.length * 8 : Integer.parseInt(parts[1].strip());
        if (prefix < 0 || prefix > address.length * 8) {
            throw new IllegalArgumentException("'" + text + "': prefix length out of range");
        }
        return new Cidr(address, prefix);
    }

    boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    boolean contains(byte[] a) {
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    /**
     * The bytes of an IP literal (dotted IPv4 or IPv6, no name lookup), or null. IPv4-mapped IPv6 literals stay 16
     * bytes here, unlike InetAddress, so a block can name them.
     */
    static byte[] literal(String text) {
        String t = text.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.contains(":")) {
            if (!t.matches("[0-9A-Fa-f:.]+")) {
                return null;
            }
            try {
                byte[] b = InetAddress.getByName(t).getAddress();
                if (b.length == 4) { // InetAddress folded ::ffff:a.b.c.d to IPv4; keep it mapped
                    byte[] mapped = new byte[16];
                    mapped[10] = (byte) 0xff;
                    mapped[11] = (byte) 0xff;
                    System.arraycopy(b, 0, mapped, 12, 4);
                    return mapped;
                }
                return b;
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return t.matches("\\d{1,3}(\\.\\d{1,3}){3}") ? Ipv4Forms.parse(t) : null;
    }
}
