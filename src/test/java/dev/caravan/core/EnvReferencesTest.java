package dev.caravan.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvReferencesTest {

    @Test
    void replacesEveryReferenceAndHandsOverEachValue() {
        List<String> seen = new ArrayList<>();
        String out = EnvReferences.resolve("Bearer ${TOKEN} on ${HOST}", Map.of("TOKEN", "t0k3n", "HOST", "h")::get,
                seen::add);
        assertThat(out).isEqualTo("Bearer t0k3n on h");
        assertThat(seen).containsExactly("t0k3n", "h");
    }

    @Test
    void anUnsetOrEmptyVariableIsNamedWithoutAnyValue() {
        assertThatThrownBy(() -> EnvReferences.resolve("${SET}-${EMPTY}", Map.of("SET", "s3cret", "EMPTY", "")::get,
                v -> {
                })).isInstanceOf(EnvReferences.MissingVariable.class)
                .hasMessage("the environment variable EMPTY is not set");
    }

    @Test
    void aValueWithoutReferencesOrNullStaysAsItIs() {
        assertThat(EnvReferences.resolve("$HOME {x} $", name -> "no", v -> {
        })).isEqualTo("$HOME {x} $");
        assertThat(EnvReferences.resolve(null, name -> "no", v -> {
        })).isNull();
    }

    @Test
    void globsMatchWholeNamesWithStarAndQuestionMark() {
        assertThat(Globs.compile("team-*").matcher("team-a").matches()).isTrue();
        assertThat(Globs.compile("team-?").matcher("team-ab").matches()).isFalse();
        assertThat(Globs.compile("a.b").matcher("axb").matches()).isFalse();
    }
}
