package dev.caravan.knowledge;

import java.util.List;
import java.util.Locale;

/** recall@1, recall@5 and MRR over the evaluation questions, for one search mode. */
final class RetrievalEvaluation {
    record Scores(double recallAt1, double recallAt5, double mrr, List<String> misses) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "recall@1 %.3f  recall@5 %.3f  MRR %.3f", recallAt1, recallAt5, mrr);
        }
    }

    private RetrievalEvaluation() {
    }

    /** A hit answers when it is from the right file and holds the passage (whitespace-insensitive). */
    static Scores run(KnowledgeService service, List<Corpus.Question> questions, LuceneIndex.Mode mode) {
        return run(service, "kb", questions, mode);
    }

    static Scores run(KnowledgeService service, String base, List<Corpus.Question> questions, LuceneIndex.Mode mode) {
        int at1 = 0;
        int at5 = 0;
        double rr = 0;
        List<String> misses = new java.util.ArrayList<>();
        for (Corpus.Question q : questions) {
            List<SearchHit> hits = service.search(q.question(), base, 10, SearchFilters.NONE, mode);
            int rank = 0;
            for (int i = 0; i < hits.size(); i++) {
                if (hits.get(i).path().equals(q.path()) && norm(hits.get(i).text()).contains(norm(q.passage()))) {
                    rank = i + 1;
                    break;
                }
            }
            if (rank == 1) {
                at1++;
            }
            if (rank >= 1 && rank <= 5) {
                at5++;
            } else {
                misses.add(q.question() + " -> " + (hits.isEmpty() ? "nothing" : hits.get(0).path()));
            }
            if (rank > 0) {
                rr += 1.0 / rank;
            }
        }
        int n = questions.size();
        return new Scores((double) at1 / n, (double) at5 / n, rr / n, misses);
    }

    private static String norm(String s) {
        return s.replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
