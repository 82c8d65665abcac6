package io.ticketrush.web.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ticketrush.model.QueueSettings;
import io.ticketrush.web.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SaleSettingsTest {

    @Test
    void readsTicketsAndHoldTime() {
        SaleSettings settings = SaleSettings.parse("{\"tickets\":500,\"holdSeconds\":300}");
        assertEquals(new SaleSettings(500, 300), settings);
        assertEquals(300_000, settings.holdMillis());
    }

    @Test
    void acceptsIntegralNumbersWrittenAsDecimals() {
        assertEquals(new SaleSettings(10, 60), SaleSettings.parse("{\"tickets\":10.0,\"holdSeconds\":6e1}"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"tickets\":-1,\"holdSeconds\":1}",
                "{\"tickets\":1000000001,\"holdSeconds\":1}",
                "{\"tickets\":1.5,\"holdSeconds\":1}",
                "{\"tickets\":\"1\",\"holdSeconds\":1}",
                "{\"tickets\":null,\"holdSeconds\":1}",
                "{\"tickets\":1e999999999,\"holdSeconds\":1}",
                "{\"tickets\":true,\"holdSeconds\":1}"
            })
    void refusesBadTickets(String body) {
        assertEquals("tickets must be an integer from 0 to 1000000000", refusal(body));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"tickets\":1,\"holdSeconds\":0}",
                "{\"tickets\":1,\"holdSeconds\":86401}",
                "{\"tickets\":1,\"holdSeconds\":[]}"
            })
    void refusesBadHoldTimes(String body) {
        assertEquals("holdSeconds must be an integer from 1 to 86400", refusal(body));
    }

    @Test
    void namesAMissingField() {
        assertEquals("tickets is required", refusal("{\"holdSeconds\":1}"));
        assertEquals("holdSeconds is required", refusal("{\"tickets\":1}"));
    }

    @Test
    void refusesAnUnknownFieldNamingIt() {
        assertEquals(
                "handof is not a setting; the settings are [tickets, holdSeconds, handoff, queue]",
                refusal("{\"tickets\":1,\"holdSeconds\":1,\"handof\":false}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "tickets=1", "{\"tickets\":1,}", "\u00ff\u00fe"})
    void refusesWhatIsNotJson(String body) {
        assertEquals("body is not valid JSON", refusal(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "42", "null", "\"text\""})
    void refusesJsonThatIsNotAnObject(String body) {
        assertEquals("body must be a JSON object {\"tickets\":N,\"holdSeconds\":S}", refusal(body));
    }

    private static String refusal(String body) {
        ApiException e = assertThrows(ApiException.class, () -> SaleSettings.parse(body));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void readsAWaitingRoom() {
        SaleSettings settings = SaleSettings.parse("{\"tickets\":500,\"holdSeconds\":300,\"queue\":"
                + "{\"opensAt\":1767225600000,\"admitPerSecond\":50,\"admitWindowSeconds\":120}}");
        assertEquals(new QueueSettings(1_767_225_600_000L, 50, 120, 1.0), settings.queue());
        assertEquals(120_000, settings.queue().windowMillis());
        assertEquals(
                2.5,
                SaleSettings.parse("{\"tickets\":5,\"holdSeconds\":3,\"queue\":{\"opensAt\":0,"
                                + "\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"overbook\":2.5}}")
                        .queue()
                        .overbook());
        assertEquals(0, settings.queue().proofOfWork(), "no proof of work unless asked for");
        assertEquals(
                50_000,
                SaleSettings.parse("{\"tickets\":5,\"holdSeconds\":3,\"queue\":{\"opensAt\":0,"
                                + "\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"proofOfWork\":50000}}")
                        .queue()
                        .proofOfWork());
        assertEquals(
                0,
                SaleSettings.parse("{\"tickets\":5,\"holdSeconds\":3,\"queue\":{\"opensAt\":0,"
                                + "\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"proofOfWork\":0}}")
                        .queue()
                        .proofOfWork(),
                "0 is off");
        assertNull(SaleSettings.parse("{\"tickets\":5,\"holdSeconds\":3}").queue(), "no queue, no waiting room");
        assertNull(SaleSettings.parse("{\"tickets\":5,\"holdSeconds\":3,\"queue\":null}")
                .queue());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "\"x\"|queue must be an object {\"opensAt\":ms,\"admitPerSecond\":R,\"admitWindowSeconds\":W}",
                "{\"admitPerSecond\":1,\"admitWindowSeconds\":1}|queue.opensAt is required",
                "{\"opensAt\":-1,\"admitPerSecond\":1,\"admitWindowSeconds\":1}|queue.opensAt must be an integer from 0 to 253402300799999",
                "{\"opensAt\":0,\"admitPerSecond\":0,\"admitWindowSeconds\":1}|queue.admitPerSecond must be an integer from 1 to 1000000",
                "{\"opensAt\":0,\"admitPerSecond\":1.5,\"admitWindowSeconds\":1}|queue.admitPerSecond must be an integer from 1 to 1000000",
                "{\"opensAt\":0,\"admitPerSecond\":1}|queue.admitWindowSeconds is required",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":86401}|queue.admitWindowSeconds must be an integer from 1 to 86400",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"overbook\":0.5}|queue.overbook must be a number from 1 to 10",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"overbook\":\"2\"}|queue.overbook must be a number from 1 to 10",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"proofOfWork\":-1}|queue.proofOfWork must be an integer from 0 to 10000000",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"proofOfWork\":1000.5}|queue.proofOfWork must be an integer from 0 to 10000000",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"proofOfWork\":\"50000\"}|queue.proofOfWork must be an integer from 0 to 10000000",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"proofOfWork\":10000001}|queue.proofOfWork must be an integer from 0 to 10000000",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"proofOfWork\":1e300}|queue.proofOfWork must be an integer from 0 to 10000000",
                "{\"opensAt\":0,\"admitPerSecond\":1,\"admitWindowSeconds\":1,\"rate\":2}|queue.rate is not a setting; the settings are [opensAt, admitPerSecond, admitWindowSeconds, overbook, proofOfWork]"
            })
    void refusesABadWaitingRoomNamingTheField(String queue, String problem) {
        assertEquals(problem, refusal("{\"tickets\":5,\"holdSeconds\":3,\"queue\":" + queue + "}"));
    }
}
