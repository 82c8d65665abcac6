package io.ticketrush.purchase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Eventually;

/** The metrics an operator reads during a sale, in Prometheus text on /metrics. */
@ExtendWith(ArquillianExtension.class)
class MetricsIT {

    @Deployment(testable = false)
    static WebArchive war() {
        return Deployments.builtWar();
    }

    @ArquillianResource
    URL url;

    @Test
    void countsPurchasesByOutcomeAndShowsPermitsScriptTimesAndExpiries() {
        Api api = Api.onPort(url.getPort());
        String event = Deployments.newEventId("metrics");
        double reservedBefore = api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"reserved\"[^}]*\\}");
        api.openSale(event, 2, 1);

        assertEquals(1, api.buy(event, "m1").code());
        assertEquals(-2, api.buy(event, "m1").code());
        assertEquals(1, api.buy(event, "m2").code());
        assertEquals(-1, api.buy(event, "m3").code());

        assertEquals(reservedBefore + 2, api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"reserved\"[^}]*\\}"));
        assertTrue(api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"already_held\"[^}]*\\}") >= 1);
        assertTrue(api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"sold_out_local\"[^}]*\\}") >= 1,
                "the share of two permits was used up, so the third buyer never reached Redis");
        assertEquals(0, api.localPermits(event));
        assertTrue(api.metric("ticketrush_redis_script_seconds_count\\{[^}]*script=\"reserve\"[^}]*\\}") >= 3);

        double returnedBefore = api.metric("ticketrush_expiry_tickets_returned_total(\\{[^}]*\\})?");
        Eventually.within(Duration.ofSeconds(4), () ->
                assertTrue(api.metric("ticketrush_expiry_tickets_returned_total(\\{[^}]*\\})?") >= returnedBefore + 2,
                        "the two unpaid holds expired and came back"));
        assertTrue(api.metric("ticketrush_expiry_sweeps_total(\\{[^}]*\\})?") > 0);
    }
}
