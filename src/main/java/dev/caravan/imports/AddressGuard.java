package dev.caravan.imports;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SSRF guard: deny by default every address that is not plainly on the public internet (loopback, private,
 * link-local with the cloud metadata address, CGNAT, "this network", multicast, reserved and documentation blocks,
 * IPv6 loopback, ULA, link-local, IPv4-mapped and -compatible, NAT64, 6to4 and Teredo, which embed IPv4 addresses).
 * A host on the allow-list ({@code caravan.import.allowed-hosts}: names, addresses or blocks) passes.
 * <p>
 * {@link #resolve} resolves a host once and returns only checked addresses; the HTTP client connects to exactly
 * those (see {@link GuardedDnsResolver}), so a name cannot resolve to a public address for the check and a private
 * one for the connection.
 */
public final class AddressGuard {
    private static final List<Cidr> DENIED = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
            "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "::ffff:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
            "2001::/32", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8")
            .stream().map(Cidr::parse).toList();

    /** Thrown by {@link #resolve}; an UnknownHostException so the HTTP client passes it through unchanged. */
    public static final class BlockedAddressException extends UnknownHostException {
        BlockedAddressException(String message) {
            super(message);
        }
    }

    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Set<String> allowedNames = new TreeSet<>();
    private final List<Cidr> allowedBlocks = new ArrayList<>();
    private final Resolver resolver;

    public AddressGuard(Collection<String> allowList) {
        this(allowList, InetAddress::getAllByName);
    }

    AddressGuard(Collection<String> allowList, Resolver resolver) {
        this.resolver = resolver;
        for (String entry : allowList) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            if (Cidr.literal(e.split("/", 2)[0]) != null) {
                allowedBlocks.add(Cidr.parse(e));
            } else if (e.contains("/")) {
                throw new IllegalArgumentException("caravan.import.allowed-hosts: '" + e + "' is not a valid block");
            } else {
                allowedNames.add(normalise(e));
            }
        }
    }

    /**
     * The addresses to connect to for {@code host}, every one checked; throws when any of them is refused (a name
     * with one private address among public ones is refused whole, since the client could pick either).
     */
    public InetAddress[] resolve(String host) throws UnknownHostException {
        String name = normalise(host);
        boolean nameAllowed = allowedNames.contains(name);
        InetAddress[] addresses;
        byte[] literal = literal(name);
        if (literal != null) {
            // Connect to the address the literal denotes (InetAddress folds a mapped form to its IPv4 address).
            addresses = new InetAddress[] {InetAddress.getByAddress(name, literal)};
        } else {
            if (!name.matches("[a-z0-9._-]+")) {
                throw new BlockedAddressException("'" + host + "' is not a host name imports can use (blocked_address).");
            }
            addresses = resolver.resolve(name);
        }
        for (InetAddress a : addresses) {
            if (!nameAllowed && !allowed(literal != null ? literal : a.getAddress())) {
                throw new BlockedAddressException("The host " + host + " is a private, loopback, link-local or "
                        + "otherwise reserved address, which imports may not reach (blocked_address). If it is an "
                        + "internal host you trust, an administrator can add it to caravan.import.allowed-hosts.");
            }
        }
        return addresses;
    }

    /** Whether a connection to {@code address} may be made. */
    boolean allowed(byte[] raw) {
        for (Cidr allowed : allowedBlocks) {
            if (allowed.contains(raw)) {
                return true;
            }
        }
        for (Cidr denied : DENIED) {
            if (denied.contains(raw)) {
                return false;
            }
        }
        return raw.length == 4 || (raw[0] & 0xe0) == 0x20; // IPv6: only global unicast 2000::/3
    }

    /** An IP literal in any accepted form, IPv6 kept 16 bytes (so mapped forms meet their IPv6 blocks). */
    private static byte[] literal(String name) {
        if (name.contains(":")) {
            return Cidr.literal(name);
        }
        return Ipv4Forms.parse(name);
    }

    private static String normalise(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (!h.contains(":")) {
            try {
                h = IDN.toASCII(h, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                return h;
            }
            if (h.endsWith(".") && h.length() > 1) {
                h = h.substring(0, h.length() - 1);
            }
        }
        return h;
    }
}
