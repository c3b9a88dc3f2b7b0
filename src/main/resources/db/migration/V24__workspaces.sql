-- Workspaces created at runtime (admin API, workspace_create) and the ownership of every workspace.
-- Written for both H2 and PostgreSQL.

-- A runtime workspace's declaration, as JSON shaped like an entry of workspaces.yaml (secrets only as environment references).
create table workspace (
    name         varchar(40)   primary key,
    declaration  varchar(4000) not null,
    created_at   timestamp     not null,
    created_by   varchar(200)  not null
);

-- The owner principal (endpoint/credential) of a workspace; a workspace without a row belongs to the administrator.
-- Not tied to the workspace table: workspaces declared in workspaces.yaml can have owners too.
create table workspace_owner (
    workspace   varchar(40)  primary key,
    owner       varchar(200) not null,
    updated_at  timestamp    not null
);

-- Principals other than the owner with full access (e.g. a previous owner who kept access on transfer).
create table workspace_grant (
    workspace   varchar(40)  not null,
    principal   varchar(200) not null,
    granted_at  timestamp    not null,
    granted_by  varchar(200) not null,
    primary key (workspace, principal)
);

-- Single-use tokens that hand a workspace to whoever redeems them (or only to for_principal); stored hashed.
create table workspace_claim (
    token_hash     char(64)     primary key,
    workspace      varchar(40)  not null,
    issued_by      varchar(200) not null,
    for_principal  varchar(200),
    keep_access    boolean      not null,
    created_at     timestamp    not null,
    expires_at     timestamp    not null,
    used_at        timestamp,
    used_by        varchar(200)
);

create index workspace_claim_workspace on workspace_claim (workspace);
