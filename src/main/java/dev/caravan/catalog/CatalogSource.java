package dev.caravan.catalog;

import java.util.List;

/** Something that contributes tools, resources and prompts to the catalogue: the routes, or an upstream server. */
public interface CatalogSource {
    /** For messages: "routes", "upstream github". */
    String name();

    List<Catalog.Tool> tools();

    List<Catalog.Resource> resources();

    List<Catalog.Prompt> prompts();

    /** Called after the source's features changed. */
    void onChange(Runnable listener);
}
