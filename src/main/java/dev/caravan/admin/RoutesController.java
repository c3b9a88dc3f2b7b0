package dev.caravan.admin;

import dev.caravan.routes.RouteDirectory;
import dev.caravan.routes.RouteFileStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** The route files and whether each loaded; a failed one names its line and reason. */
@RestController
@RequestMapping("/admin/api/routes")
public class RoutesController {
    private final RouteDirectory routes;

    public RoutesController(RouteDirectory routes) {
        this.routes = routes;
    }

    @GetMapping
    public List<RouteFileStatus> list() {
        return routes.status();
    }
}
