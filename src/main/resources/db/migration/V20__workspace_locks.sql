-- Workspace locks: exclusive or shared, on a path (a directory covers everything under it), until they expire.
-- Only a hash of each lock's token is kept. H2 and PostgreSQL.
create table workspace_lock (
    id          varchar(36)   primary key,
    workspace   varchar(64)   not null,
    path        varchar(4000) not null,
    mode        varchar(16)   not null,
    token_hash  char(64)      not null,
    holder      varchar(256)  not null,
    acquired_at timestamp with time zone not null,
    expires_at  timestamp with time zone not null
);

create unique index workspace_lock_token_hash on workspace_lock (token_hash);
create index workspace_lock_workspace on workspace_lock (workspace, expires_at);

-- One row per workspace that has ever been locked. Acquiring takes this row FOR UPDATE, so conflicting acquires
-- on several nodes happen one after the other; on PostgreSQL a mutation holds it FOR SHARE while it writes.
create table workspace_lock_guard (
    workspace varchar(64) primary key
);
