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
}
