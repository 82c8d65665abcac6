package io.ticketrush.purchase;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SingleInstanceIT;

/** The metrics an operator reads during a sale, in Prometheus text on /metrics. */
class MetricsIT extends SingleInstanceIT {

    private static final int HOLD_SECONDS = 3;

    @Test
    void countsPurchasesByOutcomeAndShowsPermitsScriptTimesAndExpiries() {
        String event = Deployments.newEventId("metrics");
        double reservedBefore = api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"reserved\"[^}]*\\}");
        // Holds long enough to outlast the four purchases on a loaded machine (a hold that expired before m3 would
        // give Redis a ticket back, and m3 a wait instead of "sold out"), short enough to watch them expire.
        api.openSale(event, 2, HOLD_SECONDS);

        assertEquals(1, api.buy(event, "m1").code());
        assertEquals(-2, api.buy(event, "m1").code());
        assertEquals(1, api.buy(event, "m2").code());
        assertEquals(-1, api.buyPastBusy(event, "m3").code());

        assertEquals(reservedBefore + 2, api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"reserved\"[^}]*\\}"));
        assertTrue(api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"already_held\"[^}]*\\}") >= 1);
        assertTrue(api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"sold_out_local\"[^}]*\\}") >= 1,
                "the share of two permits was used up, so the third buyer never reached Redis");
        assertEquals(0, api.localPermits(event));
        assertTrue(api.metric("ticketrush_redis_script_seconds_count\\{[^}]*script=\"reserve\"[^}]*\\}") >= 3);

        double returnedBefore = api.metric("ticketrush_expiry_tickets_returned_total(\\{[^}]*\\})?");
        await().atMost(Duration.ofSeconds(HOLD_SECONDS + 4)).ignoreExceptions().untilAsserted(() ->
                assertTrue(api.metric("ticketrush_expiry_tickets_returned_total(\\{[^}]*\\})?") >= returnedBefore + 2,
                        "the two unpaid holds expired and came back"));
        assertTrue(api.metric("ticketrush_expiry_sweeps_total(\\{[^}]*\\})?") > 0);
    }
}
