-- The per-file report of an import of a shared folder (a JSON list: name, path, state, reason, bytes, sha256).
-- Null for single-file imports. H2 and PostgreSQL.
alter table import_job add column files varchar(32000);
