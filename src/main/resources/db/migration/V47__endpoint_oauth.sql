-- An endpoint's OAuth 2.1 protected-resource policy: access tokens from the operator's identity provider open the
-- endpoint beside its keys. The policy is JSON (issuer, audience, scopes, scope-to-operation mapping) and holds no
-- secret (an introspection client secret is named by environment variable). H2 and PostgreSQL.
create table endpoint_oauth (
    endpoint    varchar(64)   primary key references endpoint (name) on delete cascade,
    policy      varchar(8000) not null,
    updated_at  timestamp     not null
);
