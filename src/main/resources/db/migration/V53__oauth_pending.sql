-- Authorization flows started and not finished (upstream OAuth, drive connections), shared by every node so that
-- the provider's callback may land on any of them. The state is kept as its SHA-256 only; the flow (with the PKCE
-- verifier) sealed like upstream_token. A used row stays until it expires so a replayed callback is told so.
create table oauth_pending (
    state_hash  varchar(64)    primary key,
    kind        varchar(16)    not null,
    owner       varchar(200)   not null,
    sealed      varchar(16000) not null,
    expires_at  timestamp      not null,
    used_at     timestamp
);
create index oauth_pending_owner on oauth_pending (kind, owner);
