package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MembersReportScriptTest {

    @Test
    void readsTheRollOfInstancesAliveAndGoneWithTheirLastReports() {
        List<Object> reply = List.of(
                1_000_000L,
                List.of("instance-2", "1002000", "instance-1", "1001500"),
                List.of("instance-1", "1", "instance-2", "2"),
                List.of("instance-1", "999800 {\"requests\":3}", "instance-3", "990000 {\"weight\":3}"));

        Members.Roll roll = MembersReportScript.decode(reply);

        assertEquals(1_000_000L, roll.now());
        assertEquals(
                List.of(
                        new Members.Member("instance-1", true, 1L, 999_800L, "{\"requests\":3}"),
                        new Members.Member("instance-2", true, 2L, null, null),
                        new Members.Member("instance-3", false, null, 990_000L, "{\"weight\":3}")),
                roll.members(),
                "by name: alive ones with their weights, a gone one from its report alone");
    }

    @Test
    void readsAnEmptyRollWhenNoInstanceEverBeat() {
        Members.Roll roll = MembersReportScript.decode(List.of(5L, List.of(), List.of(), List.of()));

        assertEquals(new Members.Roll(5L, List.of()), roll);
    }

    @Test
    void refusesAReplyWithoutTheInstancesAlive() {
        assertThrows(IllegalStateException.class, () -> MembersReportScript.decode(List.of(5L)));
    }
}
