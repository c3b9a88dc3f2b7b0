package dev.caravan.admin;

import dev.caravan.catalog.Catalog;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Set;

/** The whole catalogue with where each feature comes from, to see what an endpoint's patterns will select. */
@RestController
@RequestMapping("/admin/api")
public class CatalogController {
    private final Catalog catalog;

    public CatalogController(Catalog catalog) {
        this.catalog = catalog;
    }

    public record Entry(String name, String title, String description, Set<String> tags, String source) {
    }

    @GetMapping("/tools")
    public List<Entry> tools() {
        return catalog.tools().stream().map(t -> new Entry(t.definition().name(), t.definition().title(),
                t.definition().description(), t.tags(), t.source())).toList();
    }

    @GetMapping("/resources")
    public List<Entry> resources() {
        return catalog.resources().stream().map(r -> new Entry(r.key(), r.name(),
                r.resource() != null ? r.resource().description() : r.template().description(), r.tags(), r.source()))
                .toList();
    }

    /** Features left out because an earlier source already uses their name. */
    @GetMapping("/collisions")
    public List<Catalog.Collision> collisions() {
        return catalog.collisions();
    }

    @GetMapping("/prompts")
    public List<Entry> prompts() {
        return catalog.prompts().stream().map(p -> new Entry(p.definition().name(), p.definition().title(),
                p.definition().description(), p.tags(), p.source())).toList();
    }
}
