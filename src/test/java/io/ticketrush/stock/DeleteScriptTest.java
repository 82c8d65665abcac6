package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ticketrush.stock.GlobalStock.Deletion;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeleteScriptTest {

    @Test
    void readsADeletionWithTheCountsTheSaleHad() {
        Deletion deletion = DeleteScript.decode(List.of(1L, 10L, 2L, 3L));

        assertEquals(new Deletion(Deletion.Outcome.DELETED, 10, 2, 3, 0), deletion);
        assertEquals(5, deletion.available());
    }

    @Test
    void readsARepeatedRequestWithTheCountsOfItsFirstTime() {
        assertEquals(new Deletion(Deletion.Outcome.REPEATED, 4, 0, 4, 0), DeleteScript.decode(List.of(2L, 4L, 0L, 4L)));
    }

    @Test
    void readsHowFarTheHandoffLags() {
        assertEquals(
                new Deletion(Deletion.Outcome.HANDOFF_LAGS, 0, 0, 0, 17), DeleteScript.decode(List.of(-409L, 17L)));
    }

    @Test
    void readsNoSuchSaleAndARequestIdUsedForAnotherRequest() {
        assertEquals(new Deletion(Deletion.Outcome.NO_SUCH_EVENT, 0, 0, 0, 0), DeleteScript.decode(List.of(-404L)));
        assertEquals(new Deletion(Deletion.Outcome.ID_REUSED, 0, 0, 0, 0), DeleteScript.decode(List.of(-422L)));
    }

    @Test
    void refusesACodeTheScriptDoesNotList() {
        assertThrows(IllegalStateException.class, () -> DeleteScript.decode(List.of(-1L)));
        assertThrows(IllegalStateException.class, () -> DeleteScript.decode(List.of(1L, 10L)));
    }
}
