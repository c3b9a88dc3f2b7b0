-- Upstream MCP servers created through the admin API (connectors/upstreams.yaml holds the others). The
-- declaration is the JSON the API accepted; literal secrets in it (auth token, header values, client secret,
-- stdio env values) are sealed with AES-GCM, environment references are kept as written. H2 and PostgreSQL.
create table managed_upstream (
    name         varchar(64)    primary key,
    declaration  varchar(16000) not null,
    created_at   timestamp      not null,
    updated_at   timestamp      not null
);
