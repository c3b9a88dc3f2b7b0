package dev.caravan.tool;

import dev.caravan.support.Fuzz;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Fuzzes argument binding against tool declarations made as routes make them ({@code parameter.NAME=TYPE},
 * {@code .required}, {@code .enum}): a call binds exactly when every required argument is there and every declared
 * one has its type and allowed value, only declared arguments come out, and a refusal is an
 * {@link ArgumentException} naming the argument.
 */
class ArgumentBinderPropertyTest {
    private static final String[] TYPES = {"string", "integer", "number", "boolean", "array", "object"};

    /** One declared parameter: its type, whether required, and its enum (strings as written in the route), if any. */
    record Param(String name, String type, boolean required, List<String> enumValues) {
    }

    record Case(List<Param> params, Map<String, Object> arguments) {
    }

    @Test
    void bindsExactlyTheValidCallsAndNamesTheArgumentOtherwise() {
        Fuzz.forAll(5000, ArgumentBinderPropertyTest::generate, c -> {
            ToolSpec spec = ToolSpec.parse("fuzzed", new UriOptions(null, "ai-tool:fuzzed", options(c.params())));
            boolean valid = c.params().stream().allMatch(p -> accepts(p, c.arguments().get(p.name())));
            Map<String, Object> bound;
            try {
                bound = spec.arguments().bind(c.arguments());
            } catch (ArgumentException e) {
                assertThat(valid).as("refused a valid call: " + e.getMessage()).isFalse();
                assertThat(c.params()).as(e.getMessage())
                        .anyMatch(p -> e.getMessage().contains("'" + p.name() + "'") && !accepts(p, c.arguments().get(p.name())));
                return;
            }
            assertThat(valid).as("bound an invalid call").isTrue();
            List<String> declared = c.params().stream().map(Param::name).toList();
            assertThat(declared).containsAll(bound.keySet());
            for (Param p : c.params()) {
                Object value = c.arguments().get(p.name());
                if (value != null) {
                    assertThat(bound).containsEntry(p.name(), value);
                }
            }
        });
    }

    @Test
    void namesStartingWithCamelAreRefusedInAnyCase() {
        Fuzz.forAll(500, f -> flipCase(f, "camel") + f.ascii(0, 8, "abcXYZ_09"), name ->
                assertThatThrownBy(() -> ToolSpec.parse("t", new UriOptions(null, "ai-tool:t",
                        new LinkedHashMap<>(Map.of("parameter." + name, "string")))))
                        .isInstanceOf(RouteDefinitionException.class)
                        .hasMessageContaining("'" + name + "'").hasMessageContaining("reserved"));
    }

    /** Found by the property above: a numeric enum never matched, "must be one of [1.5], got 1.5". */
    @Test
    void numericEnumsMatchNumbersAndArePublishedAsNumbers() {
        ToolSpec spec = ToolSpec.parse("t", new UriOptions(null, "ai-tool:t", new LinkedHashMap<>(Map.of(
                "parameter.ratio", "number", "parameter.ratio.enum", "1.5,2",
                "parameter.count", "integer", "parameter.count.enum", "1,2,3"))));
        assertThat(spec.arguments().bind(Map.of("ratio", 1.5, "count", 2))).containsEntry("ratio", 1.5).containsEntry("count", 2);
        assertThat(spec.arguments().bind(Map.of("ratio", 2, "count", 3L))).containsEntry("count", 3L);
        assertThatThrownBy(() -> spec.arguments().bind(Map.of("count", 4)))
                .isInstanceOf(ArgumentException.class).hasMessage("Argument 'count' must be one of [1, 2, 3], got 4.");
        assertThatThrownBy(() -> spec.arguments().bind(Map.of("count", "2")))
                .isInstanceOf(ArgumentException.class).hasMessageContaining("'count' must be an integer");
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) spec.inputSchema().get("properties");
        assertThat(properties.get("count").get("enum")).asList().containsExactly(BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(3));
        assertThatThrownBy(() -> ToolSpec.parse("t", new UriOptions(null, "ai-tool:t", new LinkedHashMap<>(Map.of(
                "parameter.count", "integer", "parameter.count.enum", "1,two")))))
                .isInstanceOf(RouteDefinitionException.class).hasMessageContaining("'count' is of type integer but its enum lists 'two'");
    }

    // ------------------------------------------------------------------------------------------ the oracle

    private static boolean accepts(Param p, Object value) {
        if (value == null) {
            return !p.required();
        }
        if (!hasType(value, p.type())) {
            return false;
        }
        return p.enumValues() == null || p.enumValues().stream().anyMatch(e -> sameValue(e, value, p.type()));
    }

    private static boolean hasType(Object value, String type) {
        return switch (type) {
            case "string" -> value instanceof String;
            case "integer" -> value instanceof Number n && new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0;
            case "number" -> value instanceof Number;
            case "boolean" -> value instanceof Boolean;
            case "array" -> value instanceof List<?>;
            default -> value instanceof Map<?, ?>;
        };
    }

    /** An enum entry as written in the route against a call's value: numbers by value, the rest by text. */
    private static boolean sameValue(String written, Object value, String type) {
        if (value instanceof Number n && (type.equals("integer") || type.equals("number"))) {
            try {
                return new BigDecimal(written).compareTo(new BigDecimal(n.toString())) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return value instanceof String s ? s.equals(written)
                : value instanceof Boolean b && type.equals("boolean") && written.equalsIgnoreCase(b.toString());
    }

    // ------------------------------------------------------------------------------------------ generators

    private static Case generate(Fuzz f) {
        List<Param> params = new ArrayList<>();
        int n = f.between(0, 5);
        for (int i = 0; i < n; i++) {
            String type = f.pick(TYPES);
            List<String> enumValues = null;
            if (f.chance(0.4) && (type.equals("string") || type.equals("integer") || type.equals("number"))) {
                enumValues = f.list(3, () -> written(f, type));
                if (enumValues.isEmpty()) {
                    enumValues.add(written(f, type));
                }
            }
            params.add(new Param("p" + i + f.ascii(0, 6, "abcdefghijklmnopqrstuvwxyzABC_0123456789"), type,
                    f.chance(0.4), enumValues));
        }
        Map<String, Object> arguments = new LinkedHashMap<>();
        for (Param p : params) {
            if (f.chance(0.8)) {
                arguments.put(p.name(), f.chance(0.75) ? valueFor(f, p) : anyValue(f));
            }
        }
        int extra = f.between(0, 3);
        for (int i = 0; i < extra; i++) {
            arguments.put(f.pick("undeclared", "camelHttpUri", "CamelFileName", "x" + i), anyValue(f));
        }
        return new Case(params, arguments);
    }

    private static String written(Fuzz f, String type) {
        return switch (type) {
            case "integer" -> String.valueOf(f.between(-3, 3));
            case "number" -> f.pick("0", "1.5", "-2", "2.0", "1e2");
            default -> f.ascii(1, 5, "abc");
        };
    }

    /** A value a client would send for the parameter: of its type, often from its enum. */
    private static Object valueFor(Fuzz f, Param p) {
        if (p.enumValues() != null && f.chance(0.7)) {
            String e = f.pick(p.enumValues());
            return switch (p.type()) {
                case "integer" -> f.chance(0.5) ? (Object) Integer.parseInt(e) : Long.valueOf(e);
                case "number" -> f.chance(0.5) ? (Object) new BigDecimal(e).doubleValue() : new BigDecimal(e);
                default -> e;
            };
        }
        return switch (p.type()) {
            case "string" -> f.text(8);
            case "integer" -> f.pick((Object) f.between(-5, 5), (long) f.between(-5, 5), BigInteger.TEN.pow(30), 3.0);
            case "number" -> f.pick((Object) f.between(-5, 5), f.random().nextDouble(), 2.5, Long.MAX_VALUE);
            case "boolean" -> f.random().nextBoolean();
            case "array" -> f.list(3, () -> anyValue(f));
            default -> Map.of("k", f.text(3));
        };
    }

    /** Any JSON value as Jackson maps it: strings, Integer/Long/BigInteger/Double, booleans, lists, maps, null. */
    private static Object anyValue(Fuzz f) {
        return switch (f.between(0, 8)) {
            case 0 -> f.text(6);
            case 1 -> f.between(-9, 9);
            case 2 -> f.random().nextLong();
            case 3 -> new BigInteger(80, f.random());
            case 4 -> f.pick(0.5, -1.0, 1e300, 3.0);
            case 5 -> f.random().nextBoolean();
            case 6 -> List.of(f.text(2));
            case 7 -> Map.of(f.text(2), 1);
            default -> f.pick("1", "true", "");
        };
    }

    private static Map<String, Object> options(List<Param> params) {
        Map<String, Object> options = new LinkedHashMap<>();
        for (Param p : params) {
            options.put("parameter." + p.name(), p.type());
            if (p.required()) {
                options.put("parameter." + p.name() + ".required", "true");
            }
            if (p.enumValues() != null) {
                options.put("parameter." + p.name() + ".enum", String.join(",", p.enumValues()));
            }
        }
        return options;
    }

    private static String flipCase(Fuzz f, String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(f.chance(0.5) ? Character.toUpperCase(c) : c);
        }
        return b.toString();
    }

}
