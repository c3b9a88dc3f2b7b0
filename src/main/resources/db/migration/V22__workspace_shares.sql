-- Share links to workspace files and folders. The token is kept only as its SHA-256 hash, the optional password
-- only as a slow (bcrypt) hash. Uses are counted here so max_uses and revocation hold across nodes at once.
-- Written for both H2 and PostgreSQL.
create table workspace_share (
    id            varchar(36)   primary key,
    token_hash    char(64)      not null,
    workspace     varchar(128)  not null,
    path          varchar(1024) not null,
    folder        boolean       not null,
    permission    varchar(16)   not null,
    password_hash varchar(255),
    max_uses      integer,
    uses          integer       not null,
    created_by    varchar(256),
    created_at    timestamp     not null,
    expires_at    timestamp     not null,
    revoked_at    timestamp
);

create unique index workspace_share_token_hash on workspace_share (token_hash);
create index workspace_share_workspace on workspace_share (workspace);
