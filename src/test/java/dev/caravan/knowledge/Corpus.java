package dev.caravan.knowledge;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xssf.usermodel.XSSFRow;
import org.apache.poi.xssf.usermodel.XSSFSheet;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation corpus (src/test/resources/knowledge/corpus), written for this project: Markdown, HTML, CSV, code
 * and text as they are; the PDF, DOCX and XLSX generated here from their text sources (PDFBox and POI), so the
 * repository holds no binaries.
 */
final class Corpus {
    static final String[] FILES = {"expenses.md", "onboarding.md", "security.html", "warehouse.csv", "deploy.py",
            "notes.txt", "returns.pdf.txt", "leave.docx.txt", "catalogue.xlsx.tsv"};

    record Question(String question, String path, String passage) {
    }

    private Corpus() {
    }

    static String source(String name) throws IOException {
        try (InputStream in = Corpus.class.getResourceAsStream("/knowledge/corpus/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static List<Question> questions() throws IOException {
        try (InputStream in = Corpus.class.getResourceAsStream("/knowledge/questions.tsv")) {
            List<Question> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                out.add(new Question(f[0], f[1], f[2]));
            }
            return out;
        }
    }

    /** Writes every corpus file into {@code dir} (e.g. a workspace's kb/ folder); returns the names written. */
    static List<String> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> names = new ArrayList<>();
        for (String f : FILES) {
            String text = source(f);
            if (f.endsWith(".pdf.txt")) {
                names.add(write(dir, "returns.pdf", out -> pdf(text, out)));
            } else if (f.endsWith(".docx.txt")) {
                names.add(write(dir, "leave.docx", out -> docx(text, out)));
            } else if (f.endsWith(".xlsx.tsv")) {
                names.add(write(dir, "catalogue.xlsx", out -> xlsx(text, out)));
            } else {
                Files.writeString(dir.resolve(f), text);
                names.add(f);
            }
        }
        return names;
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static String write(Path dir, String name, Writer w) throws IOException {
        try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
            w.write(out);
        }
        return name;
    }

    /** One page per "==PAGE==" part, lines wrapped at 90 characters. */
    static void pdf(String text, OutputStream out) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (String pageText : text.split("==PAGE==\n?")) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.beginText();
                    cs.setFont(font, 11);
                    cs.setLeading(15);
                    cs.newLineAtOffset(50, 740);
                    for (String line : pageText.split("\n")) {
                        cs.showText(line);
                        cs.newLine();
                    }
                    cs.endText();
                }
            }
            doc.save(out);
        }
    }

    /** Lines starting with '#' become Heading1 paragraphs. */
    static void docx(String text, OutputStream out) throws IOException {
        try (XWPFDocument doc = new XWPFDocument()) {
            // A new document has no styles part: declare "heading 1" as Word does, so that readers see headings.
            org.openxmlformats.schemas.wordprocessingml.x2006.main.CTStyle ct =
                    org.openxmlformats.schemas.wordprocessingml.x2006.main.CTStyle.Factory.newInstance();
            ct.setStyleId("Heading1");
            ct.addNewName().setVal("heading 1");
            ct.setType(org.openxmlformats.schemas.wordprocessingml.x2006.main.STStyleType.PARAGRAPH);
            doc.createStyles().addStyle(new org.apache.poi.xwpf.usermodel.XWPFStyle(ct));
            for (String line : text.split("\n")) {
                XWPFParagraph p = doc.createParagraph();
                if (line.startsWith("#")) {
                    p.setStyle("Heading1");
                    p.createRun().setText(line.substring(1));
                } else {
                    p.createRun().setText(line);
                }
            }
            doc.write(out);
        }
    }

    static void xlsx(String tsv, OutputStream out) throws IOException {
        try (XSSFWorkbook book = new XSSFWorkbook()) {
            XSSFSheet sheet = book.createSheet("Catalogue");
            String[] lines = tsv.split("\n");
            for (int r = 0; r < lines.length; r++) {
                XSSFRow row = sheet.createRow(r);
                String[] cells = lines[r].split("\t");
                for (int c = 0; c < cells.length; c++) {
                    if (r > 0 && cells[c].matches("[0-9.]+")) {
                        row.createCell(c).setCellValue(Double.parseDouble(cells[c]));
                    } else {
                        row.createCell(c).setCellValue(cells[c]);
                    }
                }
            }
            book.write(out);
        }
    }
}
