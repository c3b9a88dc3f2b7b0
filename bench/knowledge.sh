#!/usr/bin/env bash
# Knowledge bases: ingestion rate (files to searchable) against the raw model's embedAll on the same chunks,
# recall@1/5 and MRR for vector-only, BM25-only and hybrid search on the evaluation corpus
# (src/test/resources/knowledge), HNSW recall@10 against exact search, search p50/p99 (query embedding included,
# and each part alone) at BENCH_KNOWLEDGE_CHUNKS chunks, and the heap while BENCH_KNOWLEDGE_HEAP_MB MB are
# ingested. See bench/README.md.
#
#   bench/knowledge.sh                                  # 100k chunks (15-30 minutes on 2 shared cores)
#   BENCH_KNOWLEDGE_CHUNKS=20000 BENCH_KNOWLEDGE_HEAP_MB=0 bench/knowledge.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# The test peers (npm ci in test-peers/) are not needed for the bench: skip them.
mvn -B -q -o test-compile -Dtest-peers.skip=true
exec mvn -B -q -o exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.caravan.knowledge.KnowledgeBench \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
