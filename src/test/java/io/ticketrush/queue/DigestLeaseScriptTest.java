package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class DigestLeaseScriptTest {

    @Test
    void decodesEveryStandingWithTheLease() {
        assertEquals(DigestLeaseScript.Lease.HELD, DigestLeaseScript.decode(1L));
        assertEquals(DigestLeaseScript.Lease.TAKEN, DigestLeaseScript.decode(0L));
        assertEquals(DigestLeaseScript.Lease.NOTHING_TO_DO, DigestLeaseScript.decode(-1L));
    }

    @Test
    void namesTheGenerationHolderAndLeaseTime() {
        assertEquals(List.of("77", "i1/abc", "3000"), DigestLeaseScript.arguments(77, "i1/abc", 3000));
        assertEquals(List.of("tr:{e}:queue", "tr:{e}:digestlease"), DigestLeaseScript.keys("e"));
    }
}
