-- URL import jobs. Every node sees them; the node running one holds a lease (lease_owner, lease_until) it renews
-- while it works, so a job whose node died is found by its stale lease and queued again once or ended
-- 'interrupted'. A job ends in done or failed with a reason word (blocked_address, http_status, ...). H2 and
-- PostgreSQL.
create table import_job (
    id            varchar(36)   primary key,
    workspace     varchar(128)  not null,
    target        varchar(4000) not null,
    url           varchar(8000) not null,
    provider      varchar(32)   not null,
    on_conflict   varchar(16)   not null,
    principal     varchar(256)  not null,
    endpoint      varchar(128),
    state         varchar(16)   not null,
    reason        varchar(32),
    detail        varchar(1000),
    http_status   integer,
    bytes         bigint        not null,
    total         bigint,
    written_path  varchar(4000),
    etag          varchar(256),
    sha256        char(64),
    content_type  varchar(255),
    attempts      integer       not null,
    cancel_requested boolean    not null,
    lease_owner   varchar(64),
    lease_until   timestamp with time zone,
    created_at    timestamp with time zone not null,
    updated_at    timestamp with time zone not null,
    finished_at   timestamp with time zone
);

create index import_job_state on import_job (state, created_at);
create index import_job_principal on import_job (principal, created_at);
