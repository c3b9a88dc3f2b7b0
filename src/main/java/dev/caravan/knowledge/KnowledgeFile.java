package dev.caravan.knowledge;

import dev.caravan.connectors.ConnectorConfigException;
import dev.caravan.connectors.ConnectorYaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads {@code connectors/knowledge.yaml}: a top-level {@code knowledgeBases} list of declarations. */
final class KnowledgeFile {
    private KnowledgeFile() {
    }

    static List<KnowledgeBase> read(Path file, KnowledgeBaseParser parser) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ConnectorYaml.readList(yaml, file.getFileName().toString(), new ConnectorYaml.ListLayout<>(
                "knowledgeBases", "name and sources", true, m -> {
                    try {
                        return parser.parse(m);
                    } catch (KnowledgeBaseException e) {
                        throw new IllegalArgumentException(e.getMessage(), e);
                    }
                }, KnowledgeBase::name, ConnectorConfigException::new));
    }
}
