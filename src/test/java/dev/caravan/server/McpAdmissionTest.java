package dev.caravan.server;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class McpAdmissionTest {
    @Test
    void capsOverallAndPerClientAndFreesSlots() {
        McpAdmission admission = new McpAdmission(3, 2);
        assertThat(admission.tryEnter()).isTrue();
        assertThat(admission.tryEnter()).isTrue();
        assertThat(admission.tryEnter()).isTrue();
        assertThat(admission.tryEnter()).isFalse();
        admission.leave();
        assertThat(admission.tryEnter()).isTrue();

        assertThat(admission.tryEnterClient("a")).isTrue();
        assertThat(admission.tryEnterClient("a")).isTrue();
        assertThat(admission.tryEnterClient("a")).isFalse();
        assertThat(admission.tryEnterClient("b")).isTrue();
        admission.leaveClient("a");
        assertThat(admission.tryEnterClient("a")).isTrue();
    }

    @Test
    void capsPerAddressApartFromCredentials() {
        McpAdmission admission = new McpAdmission(100, 100, 2);
        assertThat(admission.tryEnterAddress("127.0.0.2")).isTrue();
        assertThat(admission.tryEnterAddress("127.0.0.2")).isTrue();
        assertThat(admission.tryEnterAddress("127.0.0.2")).isFalse();
        assertThat(admission.tryEnterAddress("::1")).isTrue();
        assertThat(admission.tryEnterClient("credential:x")).isTrue();
        admission.leaveAddress("127.0.0.2");
        assertThat(admission.tryEnterAddress("127.0.0.2")).isTrue();
        assertThat(admission.perAddress()).isEqualTo(2);
    }
}
