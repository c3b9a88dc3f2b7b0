package dev.caravan.imports;

import dev.caravan.core.TokenCipher;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A link password is sealed to its job: unreadable in the row, unusable in another job's, refused when malformed. */
class LinkPasswordsTest {
    final LinkPasswords passwords = new LinkPasswords(() -> TokenCipher.from("test passphrase", Path.of("unused")));

    static ImportJob job(String id, String sealed) {
        return ImportJob.queued(id, "default", "", "https://app.box.com/s/x", "box", "rename", "p", null,
                Instant.EPOCH, null, sealed);
    }

    @Test
    void aSealedPasswordOpensOnlyForItsOwnJob() {
        String sealed = passwords.seal("job-1", "s3cret pass");
        assertThat(sealed).startsWith("v1:").doesNotContain("s3cret");
        assertThat(passwords.open(job("job-1", sealed))).isEqualTo("s3cret pass");
        assertThatThrownBy(() -> passwords.open(job("job-2", sealed))).isInstanceOf(ImportFailure.class)
                .hasMessageContaining("cannot be decrypted").hasMessageNotContaining("s3cret");
        assertThat(passwords.open(job("job-3", null))).isNull();
        assertThat(passwords.seal("job-4", "")).isNull();
    }

    @Test
    void aPasswordWithControlCharactersOrTooLongIsRefusedWithoutRepeatingIt() {
        for (String bad : new String[]{"pass\r\nX-Evil: 1", "p".repeat(LinkPasswords.MAX_CHARS + 1)}) {
            assertThatThrownBy(() -> passwords.seal("job", bad)).isInstanceOf(ImportFailure.class)
                    .hasMessageContaining("link password").hasMessageNotContaining("Evil")
                    .satisfies(e -> assertThat(((ImportFailure) e).reason()).isEqualTo(ImportReason.INVALID_REQUEST));
        }
    }

    @Test
    void aRequestPrintsNoPassword() {
        assertThat(new ImportJobs.Request("w", "u", null, null, null, null, "hunter2").toString())
                .doesNotContain("hunter2").contains("password=(given)");
    }
}
