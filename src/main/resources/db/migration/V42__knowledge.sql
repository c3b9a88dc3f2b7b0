-- Knowledge bases (RAG): the bases declared through the admin API, each document's ingestion state (claimed with a
-- lease so that one worker handles it and a dead worker's document is retried), its chunks with their vectors
-- (the source of truth: search indexes are rebuilt from here), and an embedding cache by chunk hash and model.
-- H2 and PostgreSQL.
create table knowledge_base (
    name        varchar(64)   primary key,
    definition  varchar(20000) not null,
    created_at  timestamp with time zone not null
);

create table knowledge_document (
    base            varchar(64)   not null,
    workspace       varchar(64)   not null,
    path            varchar(1024) not null,
    status          varchar(16)   not null,
    reason          varchar(500),
    content_hash    char(64),
    etag            varchar(256),
    mime_type       varchar(128),
    extracted_chars bigint        not null,
    chunked_chars   bigint        not null,
    chunk_count     integer       not null,
    attempts        integer       not null,
    lease_owner     varchar(64),
    lease_until     timestamp with time zone,
    queued_at       timestamp with time zone not null,
    updated_at      timestamp with time zone not null,
    primary key (base, workspace, path)
);

create index knowledge_document_status on knowledge_document (status, queued_at);

create table knowledge_chunk (
    base        varchar(64)   not null,
    chunk_id    char(40)      not null,
    workspace   varchar(64)   not null,
    path        varchar(1024) not null,
    ordinal     integer       not null,
    chunk_hash  char(64)      not null,
    model       varchar(128)  not null,
    page        integer       not null,
    heading     varchar(1000),
    text_start  integer       not null,
    text_end    integer       not null,
    content     varchar(100000) not null,
    primary key (base, chunk_id)
);

create index knowledge_chunk_document on knowledge_chunk (base, workspace, path);

create table knowledge_embedding (
    model       varchar(128)  not null,
    chunk_hash  char(64)      not null,
    vector      bytea         not null,
    primary key (model, chunk_hash)
);
