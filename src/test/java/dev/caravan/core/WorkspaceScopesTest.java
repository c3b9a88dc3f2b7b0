package dev.caravan.core;

import dev.caravan.core.WorkspaceScopes.Operation;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkspaceScopesTest {

    @Test
    void hostileScopesAreRefusedWithTheEntryNamed() {
        for (String bad : Arrays.asList("../etc", "a/b", "", " ", "x".repeat(41), "team,other", "${ENV}", null)) {
            assertThatThrownBy(() -> WorkspaceScopes.parse(Arrays.asList(bad), null)).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workspace scope");
        }
        for (String bad : Arrays.asList("delete", "READ ALL", "*", "", null)) {
            assertThatThrownBy(() -> WorkspaceScopes.parse(null, Arrays.asList(bad))).as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read, write, lock, share, admin");
        }
    }

    @Test
    void noScopesMeansEverything() {
        assertThat(WorkspaceScopes.parse(null, null)).isEqualTo(WorkspaceScopes.ALL);
        assertThat(WorkspaceScopes.parse(List.of(), List.of())).isEqualTo(WorkspaceScopes.ALL);
        assertThat(WorkspaceScopes.ALL.unrestricted()).isTrue();
        assertThat(new Caller("e", "c").scopes()).isEqualTo(WorkspaceScopes.ALL);
        // A caller nobody authenticated holds nothing: the workspace component swaps in the unattended caller.
        assertThat(Caller.NONE.scopes().unrestricted()).isFalse();
        assertThat(Caller.NONE.scopes().allows(Operation.READ)).isFalse();
        assertThat(new Caller("e", "c", null).principal()).isEqualTo("e/c");
    }

    @Test
    void globsMatchWholeNamesOnly() {
        WorkspaceScopes s = WorkspaceScopes.parse(List.of("team-*", "notes", "q?"), List.of("Read", "write"));
        assertThat(s.unrestricted()).isFalse();
        assertThat(s.covers("team-a")).isTrue();
        assertThat(s.covers("team-")).isTrue();
        assertThat(s.covers("my-team-a")).isFalse();
        assertThat(s.covers("notes")).isTrue();
        assertThat(s.covers("notes2")).isFalse();
        assertThat(s.covers("q1")).isTrue();
        assertThat(s.covers("q10")).isFalse();
        assertThat(s.covers(null)).isFalse();
        assertThat(s.allows("team-a", Operation.WRITE)).isTrue();
        assertThat(s.allows("team-a", Operation.LOCK)).isFalse();
        assertThat(s.operationIds()).containsExactly("read", "write");
        assertThat(s.describe()).isEqualTo("read, write on team-*, notes, q?");
        // Regex characters in a name are literal (the pattern check refuses most of them anyway).
        assertThat(WorkspaceScopes.parse(List.of("a-b"), null).covers("axb")).isFalse();
    }

    @Test
    void aToolIsShownOnlyWhenEveryScopeTagItCarriesIsHeld() {
        Set<Operation> read = EnumSet.of(Operation.READ);
        assertThat(WorkspaceScopes.shows(Set.of("workspace", "workspace-read"), read)).isTrue();
        assertThat(WorkspaceScopes.shows(Set.of("workspace", "workspace-write"), read)).isFalse();
        assertThat(WorkspaceScopes.shows(Set.of("workspace-read", "workspace-share"), read)).isFalse();
        assertThat(WorkspaceScopes.shows(Set.of("workspace"), read)).isTrue();
        assertThat(WorkspaceScopes.shows(Set.of("crm", "workspace-unknown"), read)).isTrue();
        assertThat(WorkspaceScopes.shows(Set.of("workspace-admin"), EnumSet.allOf(Operation.class))).isTrue();
    }
}
