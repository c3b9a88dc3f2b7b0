-- Workspace scopes of a credential: comma-separated workspace names/globs and operations (read, write, lock,
-- share, admin). Null means all, so credentials made before scopes keep full access. Written for H2 and PostgreSQL.
alter table credential add column workspace_scopes varchar(4000);
alter table credential add column operation_scopes varchar(200);
