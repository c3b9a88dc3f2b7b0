package dev.caravan.upstream;

import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Where a declaration (as a mapping) holds secrets: {@code auth.token}, {@code auth.client_secret},
 * {@code auth.headers.*} and {@code env.*}. A value holding a {@code ${ENV}} reference is not itself a secret.
 */
final class SecretFields {

    private SecretFields() {
    }

    static boolean isReference(String value) {
        return value.contains("${");
    }

    /** Replaces each secret value (as text) with what {@code change} returns for its path and value. */
    @SuppressWarnings("unchecked")
    static void each(Map<String, Object> declaration, BiFunction<String, String, String> change) {
        if (declaration.get("auth") instanceof Map<?, ?> auth) {
            Map<String, Object> a = (Map<String, Object>) auth;
            visit(a, "token", "auth.token", change);
            visit(a, "client_secret", "auth.client_secret", change);
            if (a.get("headers") instanceof Map<?, ?> headers) {
                for (Object k : List.copyOf(headers.keySet())) {
                    visit((Map<String, Object>) headers, String.valueOf(k), "auth.headers." + k, change);
                }
            }
        }
        if (declaration.get("env") instanceof Map<?, ?> env) {
            for (Object k : List.copyOf(env.keySet())) {
                visit((Map<String, Object>) env, String.valueOf(k), "env." + k, change);
            }
        }
    }

    /** The secret at a path, as text, or null. */
    static String get(Map<String, Object> declaration, String path) {
        String[] found = new String[1];
        each(declaration, (p, v) -> {
            if (p.equals(path)) {
                found[0] = v;
            }
            return v;
        });
        return found[0];
    }

    private static void visit(Map<String, Object> map, String key, String path,
                              BiFunction<String, String, String> change) {
        Object v = map.get(key);
        if (v != null && !(v instanceof Map) && !(v instanceof List)) {
            map.put(key, change.apply(path, String.valueOf(v)));
        }
    }
}
