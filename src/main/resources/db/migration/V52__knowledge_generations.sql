-- Knowledge bases by embedding model: each base serves search from one model's vectors (its active generation) and,
-- while its model is being changed, re-embeds into a second one (the target) that replaces it once complete, so a
-- search never mixes models. spec is the generation's embedding and chunking as declared (an API key only as the
-- reference to its environment variable), so that any node can serve and follow it; generation numbers its index
-- directory (0: the base's first, under the base's name). Chunks of both generations sit in knowledge_chunk, told apart by their model.
-- H2 and PostgreSQL.
create table knowledge_generation (
    base        varchar(64)   not null,
    role        varchar(8)    not null,
    model       varchar(128)  not null,
    spec        varchar(4000) not null,
    generation  bigint        not null,
    started_at  timestamp with time zone not null,
    primary key (base, role)
);

create index knowledge_chunk_model on knowledge_chunk (base, model, workspace, path);
