package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * ALTCHA challenges and their solutions: a solved one is accepted, and everything else is refused naming why.
 * Solved here as a client would, by counting up from 0.
 */
class ProofOfWorkTest {

    private static final byte[] SECRET = "unit-test-queue-secret".getBytes(StandardCharsets.UTF_8);
    private static final long NOW = 1_796_225_271_945L;
    private static final long MAX = 2_000;

    private final ProofOfWork work = new ProofOfWork(SECRET);

    @Test
    void acceptsASolvedChallengeOfThisEventAndBuyer() {
        ProofOfWork.Challenge challenge = work.challenge("concert", "alice", MAX, NOW);

        assertEquals("SHA-256", challenge.algorithm());
        assertEquals(MAX, challenge.maxnumber());
        assertTrue(
                challenge
                        .salt()
                        .matches("[0-9a-f]{24}\\?expires=" + (NOW / 1000 + 600) + "&event=concert&buyer=alice&"),
                challenge.salt());
        String pow = payload(challenge, solve(challenge));
        assertDoesNotThrow(() -> work.check(pow, "concert", "alice", NOW));
        assertDoesNotThrow(() -> work.check(pow, "concert", "alice", NOW + 599_000), "the same solution again, later");
    }

    @Test
    void drawsANewSaltAndNumberForEveryChallenge() {
        ProofOfWork.Challenge first = work.challenge("concert", "alice", 1_000_000, NOW);
        ProofOfWork.Challenge second = work.challenge("concert", "alice", 1_000_000, NOW);

        assertNotEquals(first.salt(), second.salt());
        assertNotEquals(first.challenge(), second.challenge());
    }

    @Test
    void refusesAWrongNumber() {
        ProofOfWork.Challenge challenge = work.challenge("concert", "alice", MAX, NOW);
        long number = solve(challenge);

        assertEquals(
                "the proof of work's number does not solve its challenge",
                refusal(payload(challenge, number + 1), "concert", "alice", NOW));
        assertEquals(
                "the proof of work's number does not solve its challenge",
                refusal(payload(challenge, -number - 1), "concert", "alice", NOW));
        assertEquals(
                "the proof of work's number does not solve its challenge",
                refusal(
                        encode(object(challenge, challenge.salt(), challenge.signature())
                                .add("number", number + 0.5)
                                .build()
                                .toString()),
                        "concert",
                        "alice",
                        NOW));
    }

    @Test
    void refusesATamperedSignatureOrAChallengeSignedUnderAnotherKey() {
        ProofOfWork.Challenge challenge = work.challenge("concert", "alice", MAX, NOW);
        long number = solve(challenge);
        char last = challenge.signature().charAt(63);
        String tampered = challenge.signature().substring(0, 63) + (last == '0' ? '1' : '0');

        assertEquals(
                "the proof of work's challenge is not one this service issued: its signature does not match",
                refusal(
                        encode(object(challenge, challenge.salt(), tampered)
                                .add("number", number)
                                .build()
                                .toString()),
                        "concert",
                        "alice",
                        NOW));
        assertEquals(
                "the proof of work's challenge is not one this service issued: its signature does not match",
                refusal(
                        encode(object(challenge, challenge.salt(), "not hex")
                                .add("number", number)
                                .build()
                                .toString()),
                        "concert",
                        "alice",
                        NOW));
        ProofOfWork.Challenge foreign = new ProofOfWork("another-queue-secret".getBytes(StandardCharsets.UTF_8))
                .challenge("concert", "alice", MAX, NOW);
        assertEquals(
                "the proof of work's challenge is not one this service issued: its signature does not match",
                refusal(payload(foreign, solve(foreign)), "concert", "alice", NOW));
    }

    @Test
    void refusesAnExpiredChallenge() {
        ProofOfWork.Challenge challenge = work.challenge("concert", "alice", MAX, NOW);
        String pow = payload(challenge, solve(challenge));

        assertEquals(
                "the proof of work's challenge expired: ask GET /queue/concert/challenge for a new one",
                refusal(pow, "concert", "alice", (NOW / 1000 + ProofOfWork.EXPIRES_SECONDS) * 1000));
    }

    @Test
    void refusesAnotherBuyersSolutionWhateverTheSpelling() {
        ProofOfWork.Challenge challenge = work.challenge("concert", "alice", MAX, NOW);
        String pow = payload(challenge, solve(challenge));

        assertEquals("the proof of work is another buyer's", refusal(pow, "concert", "bob", NOW));
        assertEquals("the proof of work is another buyer's", refusal(pow, "concert", "alice2", NOW));
    }

    @Test
    void refusesAnotherEventsSolution() {
        ProofOfWork.Challenge challenge = work.challenge("concert", "alice", MAX, NOW);

        assertEquals(
                "the proof of work is for another event",
                refusal(payload(challenge, solve(challenge)), "opera", "alice", NOW));
    }

    @Test
    void refusesASaltChangedToNameAnotherBuyerOrMoveDigitsOutOfTheNumber() {
        ProofOfWork.Challenge challenge;
        long number;
        do {
            // A number of two digits or more whose second is not 0, so that its tail is a number of its own.
            challenge = work.challenge("concert", "a", MAX, NOW);
            number = solve(challenge);
        } while (number < 10 || Long.toString(number).charAt(1) == '0');
        String salt = challenge.salt();
        String otherBuyer = salt.replace("&buyer=a&", "&buyer=b&");

        assertEquals(
                "the proof of work's number does not solve its challenge",
                refusal(
                        encode(object(challenge, otherBuyer, challenge.signature())
                                .add("number", number)
                                .build()
                                .toString()),
                        "concert",
                        "b",
                        NOW));
        // "…&buyer=a&" + "123" hashes as "…&buyer=a&1" + "23": refused, for a salt ends with '&'.
        String digits = Long.toString(number);
        String moved = salt + digits.charAt(0);
        assertEquals(
                "the proof of work's challenge is not one this service issued",
                refusal(
                        encode(object(challenge, moved, challenge.signature())
                                .add("number", Long.parseLong(digits.substring(1)))
                                .build()
                                .toString()),
                        "concert",
                        "a",
                        NOW));
    }

    @Test
    void refusesWhatIsNotAnAltchaPayload() {
        String expected =
                "pow is not an ALTCHA payload: base64 of {\"algorithm\",\"challenge\",\"number\",\"salt\",\"signature\"}";
        ProofOfWork.Challenge challenge = work.challenge("concert", "alice", MAX, NOW);

        assertEquals(expected, refusal("not base64!", "concert", "alice", NOW));
        assertEquals(expected, refusal(encode("{\"algorithm\":"), "concert", "alice", NOW), "not JSON");
        assertEquals(expected, refusal(encode("[1,2]"), "concert", "alice", NOW), "not an object");
        assertEquals(expected, refusal(encode("{}"), "concert", "alice", NOW), "no fields");
        assertEquals(
                expected,
                refusal(
                        encode(object(challenge, challenge.salt(), challenge.signature())
                                .add("number", "12")
                                .build()
                                .toString()),
                        "concert",
                        "alice",
                        NOW),
                "a number as a string");
        assertEquals(
                expected,
                refusal("A".repeat(ProofOfWork.MAX_PAYLOAD_LENGTH + 4), "concert", "alice", NOW),
                "too long to be one of ours");
        assertEquals(
                "the proof of work's algorithm must be SHA-256",
                refusal(
                        encode(Json.createObjectBuilder()
                                .add("algorithm", "SHA-1")
                                .add("challenge", challenge.challenge())
                                .add("number", 1)
                                .add("salt", challenge.salt())
                                .add("signature", challenge.signature())
                                .build()
                                .toString()),
                        "concert",
                        "alice",
                        NOW));
    }

    @Test
    void bindsEventsAndBuyersWithCharactersAQueryWouldEscape() {
        ProofOfWork.Challenge challenge = work.challenge("tour:2026@paris", "ana@example.org", MAX, NOW);
        String pow = payload(challenge, solve(challenge));

        assertDoesNotThrow(() -> work.check(pow, "tour:2026@paris", "ana@example.org", NOW));
        assertEquals("the proof of work is another buyer's", refusal(pow, "tour:2026@paris", "ana@example.or", NOW));
    }

    /** What a client does: count up from 0 until SHA-256(salt + number) is the challenge. */
    static long solve(ProofOfWork.Challenge challenge) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] target = HexFormat.of().parseHex(challenge.challenge());
        for (long n = 0; n <= challenge.maxnumber(); n++) {
            if (MessageDigest.isEqual(target, sha.digest((challenge.salt() + n).getBytes(StandardCharsets.UTF_8)))) {
                return n;
            }
        }
        throw new AssertionError("no number up to maxnumber solves " + challenge);
    }

    /** The ALTCHA payload a client sends: base64 of the challenge's fields and the number found. */
    static String payload(ProofOfWork.Challenge challenge, long number) {
        return encode(object(challenge, challenge.salt(), challenge.signature())
                .add("number", number)
                .build()
                .toString());
    }

    private static JsonObjectBuilder object(ProofOfWork.Challenge challenge, String salt, String signature) {
        return Json.createObjectBuilder()
                .add("algorithm", challenge.algorithm())
                .add("challenge", challenge.challenge())
                .add("salt", salt)
                .add("signature", signature);
    }

    private static String encode(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private String refusal(String pow, String eventId, String buyerKey, long nowMs) {
        return assertThrows(ProofOfWork.Refused.class, () -> work.check(pow, eventId, buyerKey, nowMs))
                .getMessage();
    }
}
