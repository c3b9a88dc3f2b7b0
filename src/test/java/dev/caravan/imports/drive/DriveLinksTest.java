package dev.caravan.imports.drive;

import dev.caravan.imports.ImportFailure;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which drive a URL belongs to, and what id it names; hostile links are refused, never sent on. */
class DriveLinksTest {
    final DriveProperties properties = new DriveProperties();
    final GoogleDriveSource google = new GoogleDriveSource(null, properties);
    final OneDriveSource onedrive = new OneDriveSource(null, properties);
    final DropboxSource dropbox = new DropboxSource(null, properties);
    final BoxSource box = new BoxSource(null, properties);

    @Test
    void googleDriveLinksOfEveryDocumentedShapeNameTheirId() {
        for (String url : new String[]{"https://drive.google.com/file/d/1AbC_dE-fG/view?usp=sharing",
                "https://drive.google.com/open?id=1AbC_dE-fG", "https://drive.google.com/uc?id=1AbC_dE-fG&export=download",
                "https://docs.google.com/document/d/1AbC_dE-fG/edit", "https://docs.google.com/spreadsheets/d/1AbC_dE-fG/edit#gid=0",
                "https://docs.google.com/presentation/d/1AbC_dE-fG/edit", "https://drive.google.com/drive/u/1/folders/1AbC_dE-fG"}) {
            assertThat(google.recognises(URI.create(url))).as(url).isTrue();
            assertThat(GoogleDriveSource.link(URI.create(url)).id()).as(url).isEqualTo("1AbC_dE-fG");
        }
        assertThat(GoogleDriveSource.link(URI.create("https://drive.google.com/file/d/1AbC_dE-fG/view?resourcekey=0-k_Y"))
                .resourceKey()).isEqualTo("0-k_Y");
        assertThat(GoogleDriveSource.link(URI.create("1AbC_dE-fGhI")).id()).isEqualTo("1AbC_dE-fGhI");
    }

    @Test
    void hostileGoogleLinksAreRefused() {
        for (String url : new String[]{"https://drive.google.com/open?id=..%2F..%2Fabout", "https://drive.google.com/",
                "https://drive.google.com/open?id=1AbC%0d%0aX-Evil:%201", "../../etc/passwd", "id with spaces"}) {
            assertThatThrownBy(() -> GoogleDriveSource.link(URI.create(url.replace(" ", "%20")))).as(url)
                    .isInstanceOf(ImportFailure.class).hasMessageContaining("Google Drive");
        }
        // a resource key is sent as a header: anything but its own alphabet is dropped
        assertThat(GoogleDriveSource.link(URI.create("https://drive.google.com/file/d/1AbC_dE-fG?resourcekey=0-a%0d%0aB"))
                .resourceKey()).isEqualTo("0-aB");
    }

    @Test
    void eachDriveRecognisesOnlyItsOwnHosts() {
        assertThat(onedrive.recognises(URI.create("https://1drv.ms/t/s!AkLm"))).isTrue();
        assertThat(onedrive.recognises(URI.create("https://contoso.sharepoint.com/:w:/s/team/EaBc"))).isTrue();
        assertThat(onedrive.recognises(URI.create("https://sharepoint.com.evil.example/x"))).isFalse();
        assertThat(dropbox.recognises(URI.create("https://www.dropbox.com/scl/fi/abc/x.pdf?rlkey=k"))).isTrue();
        assertThat(dropbox.recognises(URI.create("https://www.dropbox.com/home"))).isFalse();
        assertThat(box.recognises(URI.create("https://app.box.com/s/p7ul4ch2qnlq8"))).isTrue();
        assertThat(box.recognises(URI.create("https://example.app.box.com/s/p7ul4ch2qnlq8"))).isTrue();
        assertThat(box.recognises(URI.create("https://box.com.evil.example/s/x"))).isFalse();
        assertThat(google.recognises(URI.create("https://drive.google.com.evil.example/file/d/1AbC_dE-fG"))).isFalse();
        assertThat(google.recognises(URI.create("ftp://drive.google.com/file/d/1AbC_dE-fG"))).isFalse();
    }

    @Test
    void graphShareIdsAreUnpaddedBase64UrlOfTheLink() {
        String link = "https://onedrive.live.com/redir?resid=1231244193912!12&authKey=1201919!12921!1";
        String id = OneDriveSource.shareId(link);
        assertThat(id).startsWith("u!").doesNotContain("=").doesNotContain("+").doesNotContain("/");
        assertThat(new String(Base64.getUrlDecoder().decode(id.substring(2)), StandardCharsets.UTF_8)).isEqualTo(link);
    }

    @Test
    void headerArgumentsAreAsciiJson() {
        assertThat(DriveSource.arg(java.util.Map.of("url", "https://www.dropbox.com/s/x/r\u00e9sum\u00e9.pdf")))
                .isEqualTo("{\"url\":\"https://www.dropbox.com/s/x/r\\u00E9sum\\u00E9.pdf\"}");
    }

    @Test
    void exportFormatsAreTheDocumentedOnesByWordOrMimeType() {
        assertThat(GoogleExports.word(".PDF")).isEqualTo("pdf");
        assertThat(GoogleExports.word("text/markdown")).isEqualTo("md");
        assertThatThrownBy(() -> GoogleExports.word("exe\r\nX")).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("no format 'exe??X'").hasMessageContaining("xlsx");
        String doc = "application/vnd.google-apps.document";
        String sheet = "application/vnd.google-apps.spreadsheet";
        assertThat(GoogleExports.choose(doc, null, true).word()).isEqualTo("docx");
        assertThat(GoogleExports.choose(sheet, "csv", true).mime()).isEqualTo("text/csv");
        // a folder's items that lack the format keep their default; a single item names what it has
        assertThat(GoogleExports.choose(sheet, "md", false).word()).isEqualTo("xlsx");
        assertThatThrownBy(() -> GoogleExports.choose(sheet, "md", true)).hasMessageContaining("xlsx, ods, pdf");
        assertThat(GoogleExports.choose("application/vnd.google-apps.drawing", null, true).extension()).isEqualTo(".pdf");
    }
}
