package io.ticketrush.purchase;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SingleInstanceIT;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The metrics an operator reads during a sale, in Prometheus text on /metrics. */
class MetricsIT extends SingleInstanceIT {

    private static final int HOLD_SECONDS = 3;

    private static final String RESERVED = "ticketrush_purchases_total\\{[^}]*outcome=\"reserved\"[^}]*\\}";
    private static final String ALREADY_HELD = "ticketrush_purchases_total\\{[^}]*outcome=\"already_held\"[^}]*\\}";
    private static final String SOLD_OUT_LOCAL = "ticketrush_purchases_total\\{[^}]*outcome=\"sold_out_local\"[^}]*\\}";
    private static final String RESERVE_SCRIPT =
            "ticketrush_redis_script_seconds_count\\{[^}]*script=\"reserve\"[^}]*\\}";
    private static final String RETURNED = "ticketrush_expiry_tickets_returned_total(\\{[^}]*\\})?";
    private static final String SWEEPS = "ticketrush_expiry_sweeps_total(\\{[^}]*\\})?";

    /**
     * The counters are the instance's, shared with every test before: each is read before and after this test's
     * own requests, and the difference is what they did. The purchase counters move only with purchases, so their
     * differences are exact; the sweeper also returns other sales' expired holds, so the tickets returned are this
     * sale's two at least, and the sale's own stock shows them back.
     */
    @Test
    void countsPurchasesByOutcomeAndShowsPermitsScriptTimesAndExpiries() {
        String event = Deployments.newEventId("metrics");
        double reservedBefore = api.metric(RESERVED);
        double heldBefore = api.metric(ALREADY_HELD);
        double soldOutLocalBefore = api.metric(SOLD_OUT_LOCAL);
        double scriptsBefore = api.metricOrZero(RESERVE_SCRIPT);
        // Holds long enough to outlast the four purchases on a loaded machine (a hold that expired before m3 would
        // give Redis a ticket back, and m3 a wait instead of "sold out"), short enough to watch them expire.
        api.openSale(event, 2, HOLD_SECONDS);

        assertEquals(1, api.buy(event, "m1").code());
        assertEquals(-2, api.buy(event, "m1").code());
        assertEquals(1, api.buy(event, "m2").code());
        assertEquals(-1, api.buyPastBusy(event, "m3").code());

        assertEquals(reservedBefore + 2, api.metric(RESERVED), "m1 and m2 reserved");
        assertEquals(heldBefore + 1, api.metric(ALREADY_HELD), "m1 pressed again");
        assertEquals(
                soldOutLocalBefore + 1,
                api.metric(SOLD_OUT_LOCAL),
                "the share of two permits was used up, so the third buyer never reached Redis");
        assertEquals(0, api.localPermits(event));
        assertEquals(scriptsBefore + 3, api.metric(RESERVE_SCRIPT), "m1 twice and m2 reached reserve.lua, m3 not");

        double returnedBefore = api.metricOrZero(RETURNED);
        double sweepsBefore = api.metricOrZero(SWEEPS);
        await().atMost(Duration.ofSeconds(HOLD_SECONDS + 4))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(
                        2, api.eventStatus(event).data().getInt("available"), "the two unpaid holds came back"));
        assertTrue(api.metric(RETURNED) >= returnedBefore + 2, "the two tickets counted as returned");
        assertTrue(api.metric(SWEEPS) > sweepsBefore, "the sweeps that returned them counted");
    }
}
