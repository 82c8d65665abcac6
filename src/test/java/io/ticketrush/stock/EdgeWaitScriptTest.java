package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EdgeWaitScriptTest {

    @Test
    void decodesTheTimeLeft() {
        assertEquals(Duration.ofMillis(1_250), EdgeWaitScript.decode(1_250L));
        assertEquals(Duration.ZERO, EdgeWaitScript.decode(0L));
        assertEquals(List.of("tr:{e}:stock"), EdgeWaitScript.keys("e"));
    }
}
