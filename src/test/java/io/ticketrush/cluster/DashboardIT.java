package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Browser;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operations dashboard ({@code /admin/}) in a real Chromium, through nginx on the four instances: it shows the
 * admin API's numbers and every instance, opens and resets a sale, pauses and resumes admission, and refuses a
 * wrong token.
 */
@ExtendWith(SharedCluster.class)
class DashboardIT {

    private static final String[] FIGURES = {"tickets", "reserved", "paid", "available", "handoffLag"};

    @Test
    void showsTheNumbersOfTheAdminApiAndEveryInstanceWithItsShareOfTheRequests(Cluster cluster) throws IOException {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("board");
        assertEquals(200, api.openSale(event, 50, 300).status());
        long reservedBefore = reservedByEveryInstance(api);
        List<String> orders = new ArrayList<>();
        for (String buyer : List.of("u1", "u2", "u3")) {
            Api.Answer bought = api.buy(event, buyer);
            assertEquals(1, bought.json().getInt("code"), bought.body());
            orders.add(bought.data().getString("orderId"));
        }
        assertEquals(200, api.pay(orders.get(0)).status());
        // Each instance publishes its counters with its heartbeat: between them, exactly the three sales made.
        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(reservedBefore + 3, reservedByEveryInstance(api)));

        try (Browser browser = new Browser(api.base(), 1280, 2000)) {
            try {
                signIn(browser);
                browser.type("event", event).click("watch-button");

                // The same numbers as the admin API, the database's included once the hand-off has written them.
                browser.waitUntil("the admin API's figures", d -> {
                    JsonObject sale = api.eventStatus(event).data();
                    JsonObject db = sale.getJsonObject("database");
                    return sale.getInt("handoffLag") == 0
                            && db != null
                            && sameFigures(browser, sale)
                            && browser.text("db-reserved").equals(Integer.toString(db.getInt("reserved")))
                            && browser.text("db-paid").equals(Integer.toString(db.getInt("paid")))
                            && browser.text("expired").equals(Integer.toString(db.getInt("expired")));
                });
                assertEquals(
                        List.of("50", "2", "1", "47"),
                        List.of(
                                browser.text("tickets"),
                                browser.text("reserved"),
                                browser.text("paid"),
                                browser.text("available")));
                long reservedBeforeTraffic = reservedByEveryInstance(api);
                assertTrue(browser.shown("no-queue"));

                // Requests through nginx, and a sale every 50th: the instances' shares follow their weights, 1:2:3:4.
                for (int i = 0; i < 1_000; i++) {
                    api.get("events/" + event + "-none");
                    if (i % 50 == 49) {
                        assertEquals(1, api.buy(event, "later-" + i).json().getInt("code"));
                    }
                }
                browser.waitUntil(
                        "four instances, as the admin API lists them",
                        Duration.ofSeconds(20),
                        d -> instancesTable(browser).equals(instancesOfTheApi(api, event)));
                Map<String, List<String>> rows = instancesTable(browser);
                assertEquals(
                        List.of("instance-1", "instance-2", "instance-3", "instance-4"), List.copyOf(rows.keySet()));
                browser.waitUntil(
                        "each instance's share of the requests near its weight's",
                        Duration.ofSeconds(20),
                        d -> sharesFollowWeights(browser));
                await().atMost(Duration.ofSeconds(5))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertEquals(
                                reservedBeforeTraffic + 20,
                                reservedByEveryInstance(api),
                                "20 more sales, counted once"));
                browser.waitForText("reserved", "22");
                assertTrue(browser.waitUntil(
                                "the rates drawn",
                                d -> browser.script("return document.querySelector('#rates-chart canvas') !== null"))
                        .equals(Boolean.TRUE));
                browser.documentScreenshot("dashboard");
                assertEquals(List.of(), BuyerPageIT.scriptErrors(browser));
                assertEquals(List.of(), BuyerPageIT.unlabelledFields(browser), "every field has a label");
            } catch (AssertionError | RuntimeException e) {
                browser.keepEvidence("dashboard-failure");
                throw e;
            }
        }
        // The token went in a header, never in a URL: nginx's log (flushed every 2 s) has the dashboard's calls only.
        Path log = cluster.runDir().resolve("nginx").resolve("access.log");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            try {
                assertTrue(Files.readString(log, StandardCharsets.UTF_8).contains("GET /admin/instances"));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertFalse(Files.readString(log, StandardCharsets.UTF_8).contains(Api.ADMIN_TOKEN), "no token in nginx's log");
    }

    @Test
    void opensAQueuedSalePausesAndResumesAdmissionAndResetsTheSaleFromThePage(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("board-queued");
        try (Browser browser = new Browser(api.base(), 1280, 1500)) {
            try {
                signIn(browser);
                browser.type("event", event).click("watch-button");
                browser.waitForText("problem", "No sale \"" + event + "\" yet");

                browser.type("open-tickets", "5").type("open-hold", "120").click("open-queue");
                browser.type("open-opens-in", "3600")
                        .type("open-rate", "7")
                        .type("open-window", "45")
                        .type("open-overbook", "1.5")
                        .type("open-pow", "20000")
                        .click("open-button");
                browser.waitForText("open-result", "opened with 5 tickets and a waiting room");
                JsonObject queue = api.eventStatus(event).data().getJsonObject("queue");
                assertEquals(
                        List.of(7, 45, 20_000),
                        List.of(
                                queue.getInt("admitPerSecond"),
                                queue.getInt("admitWindowSeconds"),
                                queue.getInt("proofOfWork")));
                assertEquals(1.5, queue.getJsonNumber("overbook").doubleValue());
                long opensIn = queue.getJsonNumber("opensAt").longValue() - System.currentTimeMillis();
                assertTrue(opensIn > 3_500_000 && opensIn <= 3_600_000, "opens in an hour: " + opensIn);
                browser.waitForText("q-state", "PRE_QUEUE");
                assertEquals("20000", browser.text("q-proofOfWork"));

                browser.click("pause");
                browser.waitUntil(
                        "admission paused",
                        d -> browser.shown("resume") && browser.text("q-state").equals("PRE_QUEUE, admission paused"));
                assertTrue(api.eventStatus(event).data().getJsonObject("queue").getBoolean("paused"));
                browser.click("resume");
                browser.waitUntil(
                        "admission resumed",
                        d -> browser.shown("pause") && browser.text("q-state").equals("PRE_QUEUE"));
                assertFalse(api.eventStatus(event).data().getJsonObject("queue").getBoolean("paused"));

                // A reset discards every order: the page asks first.
                browser.type("open-tickets", "8").click("open-queue").click("open-button");
                browser.waitUntil("the confirmation", d -> d.switchTo().alert()).accept();
                browser.waitForText("open-result", "opened with 8 tickets.");
                JsonObject sale = api.eventStatus(event).data();
                assertEquals(8, sale.getInt("tickets"));
                assertEquals(JsonValue.NULL, sale.get("queue"), "reset without its waiting room");
                browser.waitForText("no-queue", "no waiting room");
                browser.waitForText("tickets", "8");
                assertEquals(List.of(), BuyerPageIT.scriptErrors(browser));
            } catch (AssertionError | RuntimeException e) {
                browser.keepEvidence("dashboard-actions-failure");
                throw e;
            }
        }
    }

    @Test
    void refusesAWrongTokenOnThePageAndKeepsItNowhere(Cluster cluster) {
        try (Browser browser = new Browser(cluster.nginx().base(), 1024, 768)) {
            try {
                browser.open("/admin/").type("token", "not-the-admin-token").click("sign-in-button");
                browser.waitForText("token-problem", "The admin token was refused");
                assertFalse(browser.shown("dashboard"));
                assertNull(browser.script("return sessionStorage.getItem('ticketrush.adminToken')"));
                assertFalse(browser.driver().getCurrentUrl().contains("not-the-admin-token"));
                browser.screenshot("dashboard-refused");
            } catch (AssertionError | RuntimeException e) {
                browser.keepEvidence("dashboard-refused-failure");
                throw e;
            }
        }
    }

    private static void signIn(Browser browser) {
        browser.open("/admin/").type("token", Api.ADMIN_TOKEN).click("sign-in-button");
        browser.waitUntil("the dashboard", d -> browser.shown("dashboard"));
        assertEquals(Api.ADMIN_TOKEN, browser.script("return sessionStorage.getItem('ticketrush.adminToken')"));
    }

    private static long reservedByEveryInstance(Api api) {
        long reserved = 0;
        for (JsonValue value : api.instances().data().getJsonArray("instances")) {
            reserved += value.asJsonObject()
                    .getJsonObject("purchases")
                    .getJsonNumber("reserved")
                    .longValue();
        }
        return reserved;
    }

    private static boolean sameFigures(Browser browser, JsonObject sale) {
        for (String figure : FIGURES) {
            String id = "handoffLag".equals(figure) ? "handoff-lag" : figure;
            if (!browser.text(id)
                    .equals(Long.toString(sale.getJsonNumber(figure).longValue()))) {
                return false;
            }
        }
        return true;
    }

    /** The page's table: instance -> [state, weight, local permits]. */
    private static Map<String, List<String>> instancesTable(Browser browser) {
        @SuppressWarnings("unchecked")
        List<List<String>> rows = (List<List<String>>) browser.script(
                "return [...document.querySelectorAll('#instances tbody tr')].map(r => [r.dataset.instance,"
                        + " r.cells[1].textContent, r.querySelector('[data-field=weight]').textContent,"
                        + " r.querySelector('[data-field=permits]').textContent])");
        Map<String, List<String>> table = new LinkedHashMap<>();
        rows.forEach(row -> table.put(row.get(0), row.subList(1, 4)));
        return table;
    }

    /** The same from {@code GET /admin/instances}. */
    private static Map<String, List<String>> instancesOfTheApi(Api api, String event) {
        Map<String, List<String>> table = new LinkedHashMap<>();
        for (JsonValue value : api.instances().data().getJsonArray("instances")) {
            JsonObject instance = value.asJsonObject();
            JsonObject permits = instance.getJsonObject("permits");
            table.put(
                    instance.getString("name"),
                    List.of(
                            instance.getBoolean("alive") ? "alive" : "down",
                            Objects.toString(instance.get("weight")),
                            permits != null && permits.containsKey(event)
                                    ? permits.get(event).toString()
                                    : "—"));
        }
        return table;
    }

    /** Each alive instance's share of the last minute's requests within 6 points of its share of the weight. */
    private static boolean sharesFollowWeights(Browser browser) {
        @SuppressWarnings("unchecked")
        List<List<String>> rows = (List<List<String>>)
                browser.script("return [...document.querySelectorAll('#instances tbody tr')].map(r =>"
                        + " [r.querySelector('[data-field=share]').textContent,"
                        + " r.querySelector('[data-field=weight-share]').textContent])");
        if (rows.size() != 4) {
            return false;
        }
        for (List<String> row : rows) {
            if (row.get(0).equals("—")) {
                return false;
            }
            double share = Double.parseDouble(row.get(0).replace("%", ""));
            double weight = Double.parseDouble(row.get(1).replace("%", ""));
            if (Math.abs(share - weight) > 6) {
                return false;
            }
        }
        return true;
    }
}
