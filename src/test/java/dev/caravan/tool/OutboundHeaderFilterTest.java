package dev.caravan.tool;

import org.apache.camel.Exchange;
import org.apache.camel.http.common.HttpHeaderFilterStrategy;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the filter around a component's own header strategy lets out and in. */
class OutboundHeaderFilterTest {
    final OutboundHeaderFilter filter = new OutboundHeaderFilter(new HttpHeaderFilterStrategy());
    final Exchange exchange = new DefaultExchange(new DefaultCamelContext());

    @Test
    void caravanHeadersNeverGoOutNorComeInWhateverTheirCase() {
        for (String name : new String[] {"CaravanCaller", "caravancaller", "CARAVANARGUMENTS", "CaravanName", "caravan-x"}) {
            assertThat(filter.applyFilterToCamelHeaders(name, "v", exchange)).as(name).isTrue();
            assertThat(filter.applyFilterToExternalHeaders(name, "v", exchange)).as(name).isTrue();
        }
    }

    @Test
    void theComponentsOwnRulesStillApply() {
        assertThat(filter.applyFilterToCamelHeaders("CamelHttpQuery", "a=1", exchange)).isTrue();
        assertThat(filter.applyFilterToCamelHeaders("X-Request-Id", "1", exchange)).isFalse();
        assertThat(filter.applyFilterToExternalHeaders("Content-Type", "text/plain", exchange)).isFalse();
    }

    @Test
    void anArgumentHeaderStaysInUntilTheRouteSetsItAnew() {
        String city = new String("lisbon");
        Map<String, Object> args = Map.of("city", city, "days", 3);
        exchange.setProperty(OutboundCalls.ARGUMENTS, args);
        args.forEach(exchange.getMessage()::setHeader);

        assertThat(filter.applyFilterToCamelHeaders("city", "lisbon", exchange)).isTrue();
        assertThat(filter.applyFilterToCamelHeaders("days", "3", exchange)).isTrue();
        // A header the route set under its own name goes out, whatever its value.
        exchange.getMessage().setHeader("X-City", city);
        assertThat(filter.applyFilterToCamelHeaders("X-City", "lisbon", exchange)).isFalse();
        // So does one the route set anew under the argument's name.
        exchange.getMessage().setHeader("city", "porto");
        assertThat(filter.applyFilterToCamelHeaders("city", "porto", exchange)).isFalse();
    }

    @Test
    void withoutArgumentsOrADelegateOnlyCaravanHeadersAreKeptIn() {
        OutboundHeaderFilter bare = new OutboundHeaderFilter(null);
        assertThat(bare.applyFilterToCamelHeaders("city", "lisbon", exchange)).isFalse();
        assertThat(bare.applyFilterToCamelHeaders("CaravanCaller", "a/b", exchange)).isTrue();
        assertThat(bare.applyFilterToCamelHeaders("CaravanCaller", "a/b", null)).isTrue();
    }
}
