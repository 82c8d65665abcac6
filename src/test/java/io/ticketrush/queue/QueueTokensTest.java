package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class QueueTokensTest {

    private static final byte[] KEY = "a key of at least sixteen bytes".getBytes(StandardCharsets.UTF_8);
    private final QueueTokens tokens = new QueueTokens(KEY);
    private final QueueTokens.Place place = new QueueTokens.Place("gig", "alice", 7, 42);
    private final QueueTokens.Admission admission = new QueueTokens.Admission("gig", "alice", 7, 42, 3, 10_000);

    @Test
    void aPlaceAndAnAdmissionComeBackAsTheyWereSigned() {
        assertEquals(place, tokens.checkPlace(tokens.place(place), "gig"));
        assertEquals(admission, tokens.checkAdmission(tokens.admission(admission), "gig", "alice", 9_999));
    }

    @Test
    void anAdmissionIsRefusedAtItsDeadlineAndForAnotherBuyerOrEvent() {
        String token = tokens.admission(admission);
        assertEquals("the admission expired", refusal(() -> tokens.checkAdmission(token, "gig", "alice", 10_000)));
        assertEquals("the admission is another buyer's", refusal(() -> tokens.checkAdmission(token, "gig", "bob", 0)));
        assertEquals(
                "the admission is for another event", refusal(() -> tokens.checkAdmission(token, "other", "alice", 0)));
        assertEquals("the place is for another event", refusal(() -> tokens.checkPlace(tokens.place(place), "other")));
    }

    @Test
    void aTokenSignedWithAnotherKeyOrChangedIsForged() {
        QueueTokens otherKey = new QueueTokens("another key, also sixteen bytes".getBytes(StandardCharsets.UTF_8));
        assertEquals(
                "the admission is forged: its signature does not match",
                refusal(() -> tokens.checkAdmission(otherKey.admission(admission), "gig", "alice", 0)));
        String genuine = tokens.admission(admission);
        String mac = genuine.substring(genuine.indexOf('.'));
        String later = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("a|gig|alice|7|42|3|99999999".getBytes(StandardCharsets.UTF_8));
        assertEquals(
                "the admission is forged: its signature does not match",
                refusal(() -> tokens.checkAdmission(later + mac, "gig", "alice", 0)),
                "a deadline moved by hand");
    }

    @Test
    void aPlaceIsNotAnAdmissionNorTheOtherWayRound() {
        assertEquals(
                "the admission is not an admission token",
                refusal(() -> tokens.checkAdmission(tokens.place(place), "gig", "alice", 0)));
        assertEquals(
                "the place is not a place token", refusal(() -> tokens.checkPlace(tokens.admission(admission), "gig")));
    }

    @Test
    void garbageIsNotATokenThisServiceIssued() {
        for (String garbage : new String[] {"x", "a.b.c", "!!!.???", ".", "a".repeat(600) + ".b"}) {
            assertEquals(
                    "the admission is not a token this service issued",
                    refusal(() -> tokens.checkAdmission(garbage, "gig", "alice", 0)),
                    garbage);
        }
    }

    @Test
    void placeHashesAreStableHexAndNeverTheUserId() {
        String hash = tokens.placeHash("gig", "alice");
        assertEquals(hash, tokens.placeHash("gig", "alice"));
        assertEquals(32, hash.length());
        assertNotEquals(hash, tokens.placeHash("gig", "bob"));
        assertNotEquals(hash, tokens.placeHash("other", "alice"));
    }

    private static String refusal(org.junit.jupiter.api.function.Executable check) {
        return assertThrows(QueueTokens.Refused.class, check).getMessage();
    }
}
