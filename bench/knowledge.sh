#!/usr/bin/env bash
# Knowledge bases: recall@1/5 and MRR for vector-only, BM25-only and hybrid search on the evaluation corpus
# (src/test/resources/knowledge), ingestion rate against the raw model's embedAll on the same chunks, and hybrid
# search p50/p99 (query embedding included) at BENCH_KNOWLEDGE_CHUNKS chunks. See bench/README.md.
#
#   bench/knowledge.sh                                  # 100k chunks (about 10 minutes on 2 cores)
#   BENCH_KNOWLEDGE_CHUNKS=20000 bench/knowledge.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# The test peers (npm ci in test-peers/) are not needed for the bench: skip them.
mvn -B -q -o test-compile -Dtest-peers.skip=true
exec mvn -B -q -o exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.caravan.knowledge.KnowledgeBench \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
