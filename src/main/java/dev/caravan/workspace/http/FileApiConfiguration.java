package dev.caravan.workspace.http;

import dev.caravan.admin.AdminToken;
import dev.caravan.server.EndpointService;
import dev.caravan.workspace.WorkspaceAccess;
import dev.caravan.workspace.audit.AuditTrail;
import dev.caravan.workspace.lock.LockService;
import dev.caravan.workspace.share.Shares;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.filter.OrderedFormContentFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the HTTP faces of workspaces: the file API under {@code /files/} and the {@code /s/} share links. */
@Configuration
public class FileApiConfiguration {

    @Bean
    FileApiAccess fileApiAccess(AdminToken admin, EndpointService endpoints, WorkspaceAccess access) {
        return new FileApiAccess(admin, endpoints, access);
    }

    @Bean
    WorkspaceWrites workspaceWrites(LockService locks, AuditTrail audit) {
        return new WorkspaceWrites(locks, audit);
    }

    /**
     * Spring Boot's form filter reads the whole body of a PUT sent as application/x-www-form-urlencoded (curl's
     * default for --data-binary) into memory; file bodies must stream, so it leaves the file faces alone.
     */
    @Bean
    OrderedFormContentFilter formContentFilter() {
        return new OrderedFormContentFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                String path = request.getRequestURI().substring(request.getContextPath().length());
                return path.startsWith(FilesController.PREFIX) || path.startsWith(Shares.PATH_PREFIX);
            }
        };
    }
}
