-- Knowledge bases on several nodes: the chunk tables are the source of truth and every node's Lucene index follows
-- them through this feed. Every change of a document's chunks (upsert), its removal (delete: the tombstone) and the
-- removal of a whole base (clear) gets the next number of knowledge_sequence in the transaction that makes the
-- change. Taking the number locks the single counter row until commit, so numbers become visible in order and
-- without gaps: a follower that has seen number N has seen every change up to N. H2 and PostgreSQL.
create table knowledge_sequence (
    id   integer primary key,
    seq  bigint  not null
);

insert into knowledge_sequence (id, seq) values (1, 0);

create table knowledge_change (
    seq         bigint        primary key,
    base        varchar(64)   not null,
    workspace   varchar(64),
    path        varchar(1024),
    kind        varchar(8)    not null,
    created_at  timestamp with time zone not null
);

create index knowledge_change_base on knowledge_change (base, seq);
create index knowledge_change_created on knowledge_change (created_at);

-- Parent-child chunking: a small chunk is matched (embedded, full-text indexed) and its parent, the larger passage
-- around it, is what search returns. Null for the plain mode.
alter table knowledge_chunk add column context varchar(100000);
