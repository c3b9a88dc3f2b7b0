-- Published endpoints and the credentials that open them. Written for both H2 and PostgreSQL.
create table endpoint (
    name        varchar(64)   primary key,
    tools       varchar(4000) not null,
    enabled     boolean       not null,
    created_at  timestamp     not null,
    updated_at  timestamp     not null
);

create table credential (
    id            varchar(36)  primary key,
    endpoint_name varchar(64)  not null references endpoint (name) on delete cascade,
    name          varchar(128) not null,
    token_hash    char(64)     not null,
    created_at    timestamp    not null,
    last_used_at  timestamp,
    expires_at    timestamp
);

create unique index credential_token_hash on credential (token_hash);
create index credential_endpoint on credential (endpoint_name);
