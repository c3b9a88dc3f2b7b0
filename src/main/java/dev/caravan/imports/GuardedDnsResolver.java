package dev.caravan.imports;

import org.apache.hc.client5.http.DnsResolver;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Why a DnsResolver: java.net.http cannot be told which address to connect to, so checking a name and then letting
 * the client resolve it again leaves a DNS-rebinding window. HttpClient 5 asks its DnsResolver for the addresses it
 * connects to, while the request keeps the original Host header and TLS keeps the name for SNI and certificate
 * checks; answering with the guard's checked addresses closes the window.
 */
final class GuardedDnsResolver implements DnsResolver {
    private final AddressGuard guard;

    GuardedDnsResolver(AddressGuard guard) {
        this.guard = guard;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return guard.resolve(host);
    }

    @Override
    public String resolveCanonicalHostname(String host) {
        return host;
    }
}
