package dev.caravan.tool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The tools, resources and prompts that running routes define. Refuses a second definition of the same name
 * loudly, naming both sources (the SDK would silently replace the first).
 */
public class FeatureRegistry {
    private final Map<String, RouteFeature> features = new ConcurrentHashMap<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> updateListeners = new CopyOnWriteArrayList<>();

    public void register(RouteFeature feature) {
        String id = id(feature);
        synchronized (this) {
            RouteFeature existing = features.get(id);
            if (existing != null && existing.consumer() != feature.consumer()) {
                throw new RouteDefinitionException(feature.kind() + " '" + feature.key() + "' in " + feature.source()
                        + " collides with the " + existing.kind() + " of the same name in " + existing.source()
                        + "; rename one of them");
            }
            features.put(id, feature);
        }
        changeListeners.forEach(Runnable::run);
    }

    public void unregister(RouteFeature feature) {
        if (features.remove(id(feature), feature)) {
            changeListeners.forEach(Runnable::run);
        }
    }

    public List<RouteTool> tools() {
        return of(RouteTool.class);
    }

    public List<RouteResource> resources() {
        return of(RouteResource.class);
    }

    public List<RoutePrompt> prompts() {
        return of(RoutePrompt.class);
    }

    private <T extends RouteFeature> List<T> of(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (RouteFeature f : features.values()) {
            if (type.isInstance(f)) {
                out.add(type.cast(f));
            }
        }
        out.sort(Comparator.comparing(RouteFeature::key));
        return out;
    }

    /** Called after any tool, resource or prompt appears, changes or goes. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    /** Called with a resource URI whose content a route announced as updated. */
    public void onResourceUpdated(Consumer<String> listener) {
        updateListeners.add(listener);
    }

    void resourceUpdated(String uri) {
        updateListeners.forEach(l -> l.accept(uri));
    }

    private static String id(RouteFeature f) {
        // Resources and templates share one namespace of URIs; tools and prompts have their own.
        return (f instanceof RouteResource ? "resource" : f.kind()) + ":" + f.key();
    }
}
