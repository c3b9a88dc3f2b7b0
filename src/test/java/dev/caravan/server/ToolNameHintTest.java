package dev.caravan.server;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ToolNameHintTest {
    @Test
    void suggestsTheNearestShownNameOnlyWhenItIsPlausible() {
        List<String> shown = List.of("crm_lookup_customer", "crm_list_tickets", "report_sales");
        assertThat(ToolNameHint.closest("crm_lookup_custmer", shown)).isEqualTo("crm_lookup_customer");
        assertThat(ToolNameHint.closest("CRM_LIST_TICKET", shown)).isEqualTo("crm_list_tickets");
        assertThat(ToolNameHint.closest("weather", shown)).isNull();
        assertThat(ToolNameHint.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(ToolNameHint.unknownTool("x".repeat(500), shown)).hasSizeLessThan(300);
        assertThat(ToolNameHint.unknownTool("a", List.of())).contains("shows no tools");
    }
}
