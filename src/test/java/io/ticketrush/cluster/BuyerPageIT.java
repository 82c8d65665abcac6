package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Altcha;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Browser;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;

/**
 * The buyer's page ({@code /}) in a real Chromium, through nginx on the four instances: a queued sale from joining
 * to paying, the buyer behind told it is sold out, and a sale without a queue bought with the keyboard alone.
 * Every ticket sold is checked against the admin API: sold to the buyer the page showed it to, and no more.
 */
@ExtendWith(SharedCluster.class)
class BuyerPageIT {

    /** From the sale's creation, with both browsers started: long enough to join before it, on a loaded machine. */
    private static final Duration OPENING = Duration.ofSeconds(15);

    @Test
    void aBuyerJoinsAQueuedSaleWaitsIsAdmittedBuysAndPaysAndTheOneBehindIsToldItIsSoldOut(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("page-queued");

        try (Browser alice = new Browser(api.base(), 1024, 900);
                Browser bob = new Browser(api.base(), 390, 844)) {
            long opensAt = System.currentTimeMillis() + OPENING.toMillis();
            Api.Answer opened = api.openQueuedSale(event, 1, 300, opensAt, 1, 120);
            assertEquals(200, opened.status(), opened.body());
            try {
                alice.open("/?event=" + event).type("user-id", "alice").click("look");
                alice.waitForText("tickets-left", "1 of 1 tickets left");
                alice.waitForText("opens-countdown", "in ");
                alice.click("join");
                alice.waitForText("queue-state", "Waiting for the sale to open");
                assertEquals("drawn at the opening", alice.text("position"));

                // Alice is the whole pre-queue, so position 1; the one ticket is hers to buy once it opens.
                alice.waitUntil("alice's turn", OPENING.plusSeconds(30), d -> alice.shown("buy"));
                alice.waitForText("queue-state", "Your turn");
                assertEquals("1", alice.text("position"));
                assertEquals("0", alice.text("ahead"));
                alice.waitForText("admission-countdown", " s");

                // Bob joins after the opening: behind her, and not admitted, for nothing is left to admit him for.
                bob.open("/?event=" + event).type("user-id", "bob").click("look");
                bob.click("join");
                bob.waitForText("position", "2");
                bob.waitForText("queue-state", "In the queue");
                bob.waitForText("ahead", "0");
                alice.documentScreenshot("buyer-page");

                alice.click("buy");
                alice.waitForText("order-status", "Reserved, not paid yet");
                String orderId = alice.text("order-id");
                alice.waitForText("hold-countdown", "min");
                assertTrue(alice.shown("pay"));
                alice.click("pay");
                alice.waitForText("order-status", "Paid");

                // Every ticket is paid now: bob's live poll says so, in words.
                bob.waitForText("message", "Sold out: every ticket has been sold");
                bob.waitForText("queue-state", "Sold out");
                assertTrue(
                        (Boolean) bob.script("return document.documentElement.scrollWidth <= window.innerWidth"),
                        "at a phone's width nothing is wider than the screen");
                bob.screenshot("buyer-page-sold-out-phone");

                JsonObject order = api.get("orders/" + orderId).data();
                assertEquals("PAID", order.getString("status"));
                assertEquals(
                        "alice", order.getString("userId"), "the ticket is known to the buyer the page showed it to");
                JsonObject sale = api.eventStatus(event).data();
                assertEquals(
                        List.of(1, 0, 1, 0),
                        List.of(
                                sale.getInt("tickets"),
                                sale.getInt("reserved"),
                                sale.getInt("paid"),
                                sale.getInt("available")),
                        sale.toString());
                JsonObject queue = sale.getJsonObject("queue");
                assertEquals(
                        List.of(2, 1, 1, 0),
                        List.of(
                                queue.getInt("joined"),
                                queue.getInt("admitted"),
                                queue.getInt("bought"),
                                queue.getInt("waiting")),
                        queue.toString());
                assertEquals(1, queue.getInt("toldSoldOut"), "bob, never reached, is told sold out");
                assertEquals(List.of(), scriptErrors(alice));
                assertEquals(List.of(), scriptErrors(bob));
            } catch (AssertionError | RuntimeException e) {
                alice.keepEvidence("buyer-queued-alice-failure");
                bob.keepEvidence("buyer-queued-bob-failure");
                throw e;
            }
        }
    }

    @Test
    void aBuyerSolvesTheSalesProofOfWorkInWorkersWatchingItsProgressAndGetsAPlace(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("page-pow");
        // Small enough for a loaded test machine (a fraction of a second), large enough for the workers to report.
        long work = 50_000;
        Api.Answer opened = api.openQueuedSale(event, 5, 300, System.currentTimeMillis() + 600_000, 5, 60, work);
        assertEquals(200, opened.status(), opened.body());

        try (Browser browser = new Browser(api.base(), 1024, 900)) {
            try {
                browser.open("/?event=" + event).type("user-id", "gwen").click("look");
                browser.waitForText("message", "This sale has a waiting room");
                assertTrue(!browser.shown("pow"), "no proof of work before joining");
                // Every text and value the progress shows, as the buyer would have seen them go by.
                browser.script("window.powSeen = [];"
                        + "const note = () => window.powSeen.push(document.getElementById('pow-status').textContent"
                        + " + ' @' + document.getElementById('pow-progress').value);"
                        + "new MutationObserver(note).observe(document.getElementById('pow'),"
                        + " {subtree: true, childList: true, characterData: true, attributes: true});");
                browser.click("join");
                browser.waitForText("queue-state", "Waiting for the sale to open");

                assertTrue(browser.shown("pow"), "the progress stays, done");
                String done = browser.text("pow-status");
                assertTrue(done.matches("Done: [0-9,]+ tries in [0-9.]+ s\\."), done);
                assertEquals("1", browser.script("return String(document.getElementById('pow-progress').value)"));
                @SuppressWarnings("unchecked")
                List<String> seen = (List<String>) browser.script("return window.powSeen");
                System.out.println("[BuyerPageIT] the proof of work's progress as shown: " + seen);
                assertTrue(seen.stream().anyMatch(s -> s.startsWith("Starting")), "its start was shown: " + seen);
                assertTrue(seen.get(seen.size() - 1).startsWith("Done:"), "its end was shown: " + seen);

                JsonObject queue = api.eventStatus(event).data().getJsonObject("queue");
                assertEquals(1, queue.getInt("joined"), "the page joined, once: " + queue);
                String place = api.join(
                                event,
                                "gwen",
                                Altcha.solved(api.challenge(event, "gwen").data()))
                        .data()
                        .getString("place");
                assertEquals(1, Api.placeNumber(place), "the page's join gave gwen the first place");
                assertEquals(List.of(), scriptErrors(browser));
                browser.screenshot("buyer-page-proof-of-work");

                measureTheWorkersHashRate(browser);
            } catch (AssertionError | RuntimeException e) {
                browser.keepEvidence("buyer-pow-failure");
                throw e;
            }
        }
    }

    /**
     * The hash rate of one pow-worker.js in this Chromium, for docs/design.md: a challenge no number solves, so it
     * tries every number of the range.
     */
    private static void measureTheWorkersHashRate(Browser browser) {
        int numbers = 200_000;
        browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(120));
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) ((JavascriptExecutor) browser.driver())
                .executeAsyncScript(
                        "const done = arguments[arguments.length - 1];"
                                + "const worker = new Worker('/pow-worker.js');"
                                + "worker.onmessage = (m) => { if (m.data.number !== undefined) { worker.terminate(); done(m.data); } };"
                                + "worker.postMessage({challenge: '00'.repeat(32),"
                                + " salt: '0123456789abcdef01234567?expires=1796225871&event=concert&buyer=alice&',"
                                + " from: 0, to: arguments[0] - 1});",
                        numbers);
        double ms = ((Number) result.get("ms")).doubleValue();
        assertEquals(numbers, ((Number) result.get("tried")).intValue());
        System.out.printf(
                "[BuyerPageIT] pow-worker.js, one worker: %d SHA-256 in %.0f ms = %.0f a second%n",
                numbers, ms, numbers / ms * 1000);
    }

    @Test
    void aSaleWithoutAQueueIsBoughtStraightAwayWithTheKeyboardAloneAndSellsExactlyItsTickets(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("page-direct");
        assertEquals(200, api.openSale(event, 2, 300).status());

        try (Browser browser = new Browser(api.base(), 1024, 800)) {
            try {
                Set<String> orders = new HashSet<>();
                String davesOrder = null;
                for (String buyer : List.of("carol", "dave")) {
                    String orderId = buyWithTheKeyboard(browser, event, buyer);
                    davesOrder = "dave".equals(buyer) ? orderId : davesOrder;
                    assertEquals("Reserved, not paid yet", browser.text("order-status"));
                    assertTrue(orders.add(orderId), "a new order for " + buyer);
                    JsonObject order = api.get("orders/" + orderId).data();
                    assertEquals(buyer, order.getString("userId"), "the ticket is known to its buyer");
                }
                // Dave again, in another spelling, on a browser that forgot his order: the server's answer to his
                // purchase is the order he holds, not a second one.
                browser.script("localStorage.clear()");
                browser.open("/?event=" + event)
                        .type("user-id", "DAVE")
                        .find("user-id")
                        .sendKeys(Keys.ENTER);
                assertEquals(0L, browser.script("return localStorage.length"), "nothing remembered for dave");
                browser.click("buy");
                browser.waitForText("message", "You already hold a ticket for this sale");
                assertEquals(davesOrder, browser.text("order-id"), "dave's order, as the server holds it");
                assertTrue(!browser.shown("buy"));

                // Both tickets held: erin tries, and is told in words. (The count shown may be nginx's, up to two
                // seconds old, so it is not what decides.)
                browser.open("/?event=" + event)
                        .type("user-id", "erin")
                        .find("user-id")
                        .sendKeys(Keys.ENTER);
                browser.click("buy");
                browser.waitForText("message", "Sold out");
                assertEquals("Sold out.", browser.text("tickets-left"));
                assertTrue(!browser.shown("order"), "no order for erin");
                JsonObject sale = api.eventStatus(event).data();
                assertEquals(
                        List.of(2, 2, 0, 0),
                        List.of(
                                sale.getInt("tickets"),
                                sale.getInt("reserved"),
                                sale.getInt("paid"),
                                sale.getInt("available")),
                        sale.toString());
                assertEquals(List.of(), unlabelledFields(browser), "every field has a label");
                assertEquals(List.of(), scriptErrors(browser));
            } catch (AssertionError | RuntimeException e) {
                browser.keepEvidence("buyer-direct-failure");
                throw e;
            }
        }
    }

    @Test
    void aBadUserIdAndAnUnknownSaleAreToldInWordsNotAsJson(Cluster cluster) {
        Api api = cluster.nginx();
        try (Browser browser = new Browser(api.base(), 1024, 800)) {
            try {
                browser.open("/")
                        .type("user-id", "bad id!")
                        .type("event-id", "default")
                        .click("look");
                String problem = browser.waitForText("problem", "Your user id may only hold");
                browser.type("user-id", "frank")
                        .type("event-id", "no-such-sale")
                        .click("look");
                problem = browser.waitForText("problem", "There is no sale called \"no-such-sale\"");
                assertTrue(!problem.contains("{") && !problem.contains("code"), "never a raw JSON dump: " + problem);
                assertTrue(!browser.shown("sale"));
            } catch (AssertionError | RuntimeException e) {
                browser.keepEvidence("buyer-bad-input-failure");
                throw e;
            }
        }
    }

    @Test
    void servesThePagesAndTheirLibraryWithTheirPolicyAndNothingOfTheWarsInsides(Cluster cluster) {
        Api api = cluster.nginx();
        for (String page : List.of("", "admin/")) {
            Api.Answer answer = api.get(page);
            assertEquals(200, answer.status(), page);
            assertEquals(
                    "text/html;charset=UTF-8", answer.header("Content-Type").replace(" ", ""), page);
            assertTrue(answer.header("Content-Security-Policy").contains("script-src 'self'"), page);
            assertEquals("nosniff", answer.header("X-Content-Type-Options"), page);
            assertTrue(answer.body().startsWith("<!DOCTYPE html>"), page);
        }
        // The pages' scripts are modules: served as JavaScript (a browser refuses a module of another type), and no
        // inline script (the policy would refuse it).
        for (String module : List.of("buyer.js", "signin.js", "buyer/queue.js", "js/api.js", "admin/dashboard.js")) {
            Api.Answer script = api.get(module);
            assertEquals(200, script.status(), module);
            assertTrue(script.header("Content-Type").matches("(text|application)/javascript.*"), module);
        }
        for (String page : List.of("", "admin/")) {
            assertFalse(
                    java.util.regex.Pattern.compile("<script(?![^>]*\\bsrc=)")
                            .matcher(api.get(page).body())
                            .find(),
                    "an inline script in " + page);
        }
        Api.Answer redirect = api.get("admin");
        assertEquals(301, redirect.status());
        assertEquals("/admin/", redirect.header("Location"), "relative, so nginx's port is kept");

        // The chart library, from its WebJar in the WAR, at the version the page names.
        java.util.regex.Matcher library = java.util.regex.Pattern.compile("/(webjars/uplot/[^\"]+\\.js)")
                .matcher(api.get("admin/").body());
        assertTrue(library.find(), "the dashboard loads uPlot from a WebJar");
        Api.Answer script = api.get(library.group(1));
        assertEquals(200, script.status(), library.group(1));
        assertTrue(script.body().contains("uPlot"));

        for (String inside : List.of("WEB-INF/web.xml", "META-INF/MANIFEST.MF", "WEB-INF/lib/", "webjars/uplot/")) {
            Api.Answer refused = api.get(inside);
            assertEquals(404, refused.status(), inside);
            assertEquals(-404, refused.json().getInt("code"), inside);
        }
        Api.Answer post = api.post("", java.util.Map.of("a", "b"));
        assertEquals(404, post.status(), "a page is read, never posted to");
        assertEquals(-404, post.json().getInt("code"));
    }

    /** Types the buyer, presses Enter, then Enter on the button the page moved the focus to; answers the order id. */
    private static String buyWithTheKeyboard(Browser browser, String event, String buyer) {
        browser.open("/?event=" + event).type("user-id", buyer).find("user-id").sendKeys(Keys.ENTER);
        browser.waitForText("message", "No queue for this sale");
        assertEquals("buy", browser.script("return document.activeElement.id"), "the focus is on the buy button");
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.waitUntil(
                "the order",
                d -> browser.shown("order") && !browser.text("order-id").isEmpty());
        String orderId = browser.text("order-id");
        assertNotEquals("", orderId);
        return orderId;
    }

    static List<String> unlabelledFields(Browser browser) {
        @SuppressWarnings("unchecked")
        List<String> ids =
                (List<String>) browser.script("return [...document.querySelectorAll('input, select, textarea')]"
                        + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.id)");
        return ids;
    }

    /** The console's errors that are the page's fault: a script error or a refused policy, not a 4xx answer. */
    static List<String> scriptErrors(Browser browser) {
        return browser.consoleErrors().stream()
                .filter(line -> !line.contains("Failed to load resource"))
                .toList();
    }
}
