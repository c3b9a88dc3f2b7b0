-- OAuth state of upstream MCP servers: client registration and tokens, sealed with AES-GCM (key from
-- CARAVAN_SECRET_KEY or DATA_DIR/secret.key); nothing here is readable without the key. H2 and PostgreSQL.
create table upstream_token (
    upstream    varchar(64)    primary key,
    server_url  varchar(2000)  not null,
    sealed      varchar(16000) not null,
    updated_at  timestamp      not null
);
