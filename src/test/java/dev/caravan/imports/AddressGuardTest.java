package dev.caravan.imports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressGuardTest {
    /** Names resolve through this map only: no real DNS in the test. */
    private static InetAddress[] dns(String host) throws java.net.UnknownHostException {
        return switch (host) {
            case "public.example" -> new InetAddress[] {InetAddress.getByName("93.184.215.14")};
            case "rebind.example" -> new InetAddress[] {InetAddress.getByName("93.184.215.14"),
                    InetAddress.getByName("10.0.0.5")};
            case "metadata.example" -> new InetAddress[] {InetAddress.getByName("169.254.169.254")};
            case "localhost" -> new InetAddress[] {InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")};
            case "internal.corp" -> new InetAddress[] {InetAddress.getByName("10.1.2.3")};
            default -> throw new java.net.UnknownHostException(host);
        };
    }

    private final AddressGuard guard = new AddressGuard(List.of(), AddressGuardTest::dns);

    @ParameterizedTest
    @ValueSource(strings = {
            // loopback, this network, RFC 1918, CGNAT, link-local incl. cloud metadata
            "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255",
            "192.168.1.1", "100.64.0.1", "100.127.255.255", "169.254.169.254", "169.254.0.1",
            // multicast, reserved, broadcast, documentation/benchmark
            "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1",
            // numeric host forms of 127.0.0.1 and 169.254.169.254: decimal, hex, octal, short dotted, mixed
            "2130706433", "0x7f000001", "0x7F.0.0.1", "0177.0.0.1", "0177.0000.0000.0001", "127.1", "127.0.1",
            "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518", "017700000001", "127.0.0.1.",
            // IPv6 loopback, unspecified, ULA, link-local, site-local, multicast
            "[::1]", "[::]", "[0:0:0:0:0:0:0:1]", "[fc00::1]", "[fd12:3456::1]", "[fe80::1]", "[fe80::1%25eth0]",
            "[fec0::1]", "[ff02::1]",
            // IPv4-mapped and -compatible IPv6, NAT64, 6to4, Teredo
            "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:169.254.169.254]", "[::ffff:8.8.8.8]", "[::127.0.0.1]",
            "[::7f00:1]", "[64:ff9b::7f00:1]", "[64:ff9b::8.8.8.8]", "[64:ff9b:1::1]", "[2002:7f00:1::1]",
            "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
            // names that resolve to refused addresses, or to one among public ones
            "localhost", "LOCALHOST.", "metadata.example", "rebind.example", "internal.corp"})
    void refusesEveryNonPublicForm(String host) {
        assertThatThrownBy(() -> guard.resolve(host)).isInstanceOf(AddressGuard.BlockedAddressException.class)
                .hasMessageContaining("blocked_address").hasMessageNotContaining("10.0.0.5");
    }

    @Test
    void passesPublicAddressesAndConnectsToTheCheckedOnes() throws Exception {
        assertThat(guard.resolve("public.example")).extracting(InetAddress::getHostAddress)
                .containsExactly("93.184.215.14");
        assertThat(guard.resolve("8.8.8.8")[0].getHostAddress()).isEqualTo("8.8.8.8");
        assertThat(guard.resolve("134744072")[0].getHostAddress()).isEqualTo("8.8.8.8"); // decimal form, checked as such
        assertThat(guard.resolve("[2606:4700::1111]")[0].getHostAddress()).startsWith("2606:4700");
        assertThat(guard.resolve("100.128.0.1")).hasSize(1); // just outside CGNAT
        assertThat(guard.resolve("172.32.0.1")).hasSize(1); // just outside 172.16/12
    }

    @Test
    void refusesHostsThatAreNotNames() {
        assertThatThrownBy(() -> guard.resolve("exa mple.com")).isInstanceOf(AddressGuard.BlockedAddressException.class);
        assertThatThrownBy(() -> guard.resolve("0x1.0x2.0x3.0x4.5")).isInstanceOf(java.net.UnknownHostException.class);
    }

    @Test
    void theAllowListLetsNamedHostsAddressesAndBlocksThrough() throws Exception {
        AddressGuard allowing = new AddressGuard(List.of("127.0.0.1", "internal.corp", "fd00::/8", " 192.168.0.0/16 "),
                AddressGuardTest::dns);
        assertThat(allowing.resolve("127.0.0.1")[0].getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(allowing.resolve("internal.corp")[0].getHostAddress()).isEqualTo("10.1.2.3");
        assertThat(allowing.resolve("[fd12::1]")).hasSize(1);
        assertThat(allowing.resolve("192.168.7.7")).hasSize(1);
        // only what is listed: the rest of loopback, localhost's ::1, and metadata stay refused
        assertThatThrownBy(() -> allowing.resolve("127.0.0.2")).isInstanceOf(AddressGuard.BlockedAddressException.class);
        assertThatThrownBy(() -> allowing.resolve("localhost")).isInstanceOf(AddressGuard.BlockedAddressException.class);
        assertThatThrownBy(() -> allowing.resolve("169.254.169.254"))
                .isInstanceOf(AddressGuard.BlockedAddressException.class);
        assertThatThrownBy(() -> new AddressGuard(List.of("10.0.0.0/40"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesLoopbackByDefault() {
        assertThatThrownBy(() -> new AddressGuard(List.of()).resolve("127.0.0.1"))
                .isInstanceOf(AddressGuard.BlockedAddressException.class);
    }

    @Test
    void numericFormsDenoteTheirAddress() {
        assertThat(Ipv4Forms.parse("2130706433")).containsExactly(127, 0, 0, 1);
        assertThat(Ipv4Forms.parse("0x7f.1")).containsExactly(127, 0, 0, 1);
        assertThat(Ipv4Forms.parse("10.1")).containsExactly(10, 0, 0, 1);
        assertThat(Ipv4Forms.parse("256.0.0.1")).isNull();
        assertThat(Ipv4Forms.parse("08.0.0.1")).isNull();
        assertThat(Ipv4Forms.parse("example.com")).isNull();
        assertThat(Ipv4Forms.parse("4294967296")).isNull();
    }
}
