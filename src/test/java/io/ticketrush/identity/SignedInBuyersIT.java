package io.ticketrush.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Browser;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.OidcProvider;
import io.ticketrush.testsupport.PayaraInstance;
import io.ticketrush.testsupport.SharedOidcProvider;
import io.ticketrush.testsupport.SharedServers;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * Buyers named by access tokens from a real OpenID provider (Keycloak, {@link OidcProvider}), on an instance in
 * {@code buyer.auth=oidc}: every kind of untrustworthy token is refused with nothing reserved, nobody reaches another
 * buyer's order, place or admission, and the provider may rotate its keys in the middle of a sale.
 */
@ExtendWith(SharedOidcProvider.class)
class SignedInBuyersIT {

    /** The instance's leeway on exp: short, so that a token of {@link OidcProvider#BRIEF_CLIENT} expires in the test. */
    private static final int LEEWAY_SECONDS = 1;

    private static OidcProvider provider;
    private static PayaraInstance instance;
    private static Api api;

    @BeforeAll
    static void start(OidcProvider oidc) {
        provider = oidc;
        instance = PayaraInstance.start(
                Path.of("target", "it-signed-in", "payara"),
                PayaraInstance.properties(
                        "signed-in",
                        Map.of(
                                "redis.port",
                                System.getProperty(SharedServers.PORT_PROPERTY),
                                "buyer.auth",
                                "oidc",
                                "oidc.issuer",
                                provider.issuer(),
                                "oidc.audience",
                                OidcProvider.AUDIENCE,
                                "oidc.client-id",
                                OidcProvider.BUYER_CLIENT,
                                "oidc.leeway-seconds",
                                Integer.toString(LEEWAY_SECONDS))),
                List.of());
        api = instance.api();
    }

    @AfterAll
    static void stop() {
        if (instance != null) {
            instance.close();
        }
    }

    @Test
    void refusesEveryUntrustworthyTokenAndReservesNothing() throws Exception {
        String event = Deployments.newEventId("tokens");
        assertEquals(200, api.openSale(event, 5, 300).status());
        String alice = provider.accessToken("alice");
        String brief = provider.accessToken("alice", OidcProvider.BRIEF_CLIENT);
        SignedJWT genuine = SignedJWT.parse(alice);
        RSAKey impostor =
                new RSAKeyGenerator(2048).keyID(genuine.getHeader().getKeyID()).generate();

        Api.Answer none = api.send(api.postRequest("buy/ticket", Map.of("eventId", event)));
        assertEquals(401, none.status(), none.body());
        assertEquals(-401, none.code());
        assertEquals("Bearer", none.header("WWW-Authenticate"));
        assertEquals(
                "sign in first: send Authorization: Bearer <access token>",
                none.json().getString("msg"));

        List<Map.Entry<String, String>> refusals = new ArrayList<>();
        refusals.add(Map.entry("invalid signature", resign(genuine.getJWTClaimsSet(), impostor, impostor.getKeyID())));
        refusals.add(Map.entry(
                "signed by a key the issuer does not publish (kid made-up)",
                resign(genuine.getJWTClaimsSet(), impostor, "made-up")));
        refusals.add(Map.entry("unsigned or encrypted token refused (alg none)", unsigned(genuine)));
        refusals.add(Map.entry(
                "algorithm HS256 refused: tokens must be signed with RSA or ECDSA", hmacWithPublicKey(genuine)));
        refusals.add(Map.entry("invalid signature", payloadSwapped(genuine, "mallory")));
        refusals.add(Map.entry("wrong issuer (iss)", provider.accessTokenOfAnotherIssuer()));
        refusals.add(
                Map.entry("wrong audience (aud)", provider.accessToken("alice", OidcProvider.OTHER_AUDIENCE_CLIENT)));
        // Keycloak's one-second token, past it and the instance's leeway.
        long expiredAt =
                SignedJWT.parse(brief).getJWTClaimsSet().getExpirationTime().getTime();
        Thread.sleep(Math.max(0, expiredAt + (LEEWAY_SECONDS + 1) * 1000L - System.currentTimeMillis()));
        refusals.add(Map.entry("token expired", brief));
        refusals.add(Map.entry("malformed token: not a JWT", "not.a.token"));
        for (Map.Entry<String, String> refusal : refusals) {
            Api.Answer answer = buy(event, refusal.getValue(), Map.of());
            assertEquals(401, answer.status(), refusal.getKey() + ": " + answer.body());
            assertEquals(-401, answer.code());
            assertEquals(
                    "invalid access token: " + refusal.getKey(), answer.json().getString("msg"));
            assertEquals("Bearer error=\"invalid_token\"", answer.header("WWW-Authenticate"));
        }
        Api.Answer wrongScheme = api.send(api.postRequest("buy/ticket", Map.of("eventId", event))
                .header("Authorization", "Basic YWxpY2U6YWxpY2U="));
        assertEquals(401, wrongScheme.status(), wrongScheme.body());
        assertEquals(0, api.eventStatus(event).data().getInt("reserved"), "a refused token reserved a ticket");

        Api.Answer bought = buy(event, alice, Map.of());
        assertEquals(1, bought.code(), bought.body());
        assertEquals(genuine.getJWTClaimsSet().getSubject(), bought.data().getString("userId"));
        assertEquals(1, api.eventStatus(event).data().getInt("reserved"));

        // Tokens, good or bad, are never written down: a signature part is unique to its token.
        String log = instance.log();
        assertFalse(log.isEmpty(), "no instance log to search");
        for (String token : List.of(alice, brief, refusals.get(0).getValue())) {
            assertFalse(log.contains(token.substring(token.lastIndexOf('.') + 1)), "a token in the instance's log");
        }
    }

    @Test
    void takesTheBuyerFromTheTokenAndAUserIdOnlyNamingTheSameBuyer() throws Exception {
        String event = Deployments.newEventId("claims");
        assertEquals(200, api.openSale(event, 5, 300).status());
        String bob = provider.accessToken("bob");
        String bobSub = SignedJWT.parse(bob).getJWTClaimsSet().getSubject();

        Api.Answer asAlice = buy(event, bob, Map.of("userId", "alice"));
        assertEquals(403, asAlice.status(), asAlice.body());
        assertEquals(-403, asAlice.code());
        assertEquals(
                "userId names another buyer than the access token does",
                asAlice.json().getString("msg"));
        assertEquals(0, api.eventStatus(event).data().getInt("reserved"));

        Api.Answer named = buy(event, bob, Map.of("userId", bobSub.toUpperCase()));
        assertEquals(1, named.code(), named.body());
        assertEquals(bobSub, named.data().getString("userId"));

        // ES256 as well as RS256.
        Api.Answer erin = buy(event, provider.accessToken("erin", OidcProvider.ES256_CLIENT), Map.of());
        assertEquals(1, erin.code(), erin.body());
        assertEquals(2, api.eventStatus(event).data().getInt("reserved"));
    }

    @Test
    void nobodyReadsOrPaysAnotherBuyersOrder() {
        String event = Deployments.newEventId("own-orders");
        assertEquals(200, api.openSale(event, 5, 300).status());
        String alice = provider.accessToken("alice");
        String mallory = provider.accessToken("mallory");
        Api.Answer bought = buy(event, alice, Map.of());
        assertEquals(1, bought.code(), bought.body());
        String orderId = bought.data().getString("orderId");

        Api.Answer read = order(orderId, mallory, false);
        assertEquals(404, read.status(), read.body());
        assertEquals("no such order: " + orderId, read.json().getString("msg"));
        Api.Answer paid = order(orderId, mallory, true);
        assertEquals(404, paid.status(), paid.body());
        assertEquals(401, order(orderId, null, false).status());
        assertEquals(401, order(orderId, null, true).status());
        // Mallory's repeat purchase naming alice is refused, and her own repeat answers her own order only.
        assertEquals(403, buy(event, mallory, Map.of("userId", "alice")).status());

        Api.Answer own = order(orderId, alice, false);
        assertEquals(200, own.status(), own.body());
        assertEquals("RESERVED", own.data().getString("status"), "another buyer's payment reached the order");
        Api.Answer again = buy(event, alice, Map.of());
        assertEquals(-2, again.code(), again.body());
        assertEquals(orderId, again.data().getString("orderId"));
        Api.Answer payment = order(orderId, alice, true);
        assertEquals(1, payment.code(), payment.body());
        assertEquals("PAID", payment.data().getString("status"));
    }

    @Test
    void nobodyTakesAnotherBuyersPlaceOrAdmission() throws Exception {
        String event = Deployments.newEventId("own-places");
        Api.Answer opened = api.openQueuedSale(event, 3, 300, System.currentTimeMillis() - 1000, 100, 120);
        assertEquals(200, opened.status(), opened.body());
        String alice = provider.accessToken("alice");
        String mallory = provider.accessToken("mallory");

        Api.Answer aliceJoined = join(event, alice, Map.of());
        assertEquals(1, aliceJoined.code(), aliceJoined.body());
        String alicePlace = aliceJoined.data().getString("place");
        assertEquals(
                403, join(event, mallory, Map.of("userId", "alice")).status(), "mallory joined under alice's name");
        Api.Answer malloryJoined = join(event, mallory, Map.of());
        assertEquals(1, malloryJoined.code(), malloryJoined.body());
        assertNotEquals(alicePlace, malloryJoined.data().getString("place"));
        assertEquals(alicePlace, join(event, alice, Map.of()).data().getString("place"), "joining again moved alice");

        Api.Answer stolenPlace = admission(event, alicePlace, mallory);
        assertEquals(403, stolenPlace.status(), stolenPlace.body());
        assertEquals("this place is another buyer's", stolenPlace.json().getString("msg"));
        assertEquals(401, admission(event, alicePlace, null).status());

        String aliceAdmission = awaitAdmission(event, alicePlace, alice);
        Api.Answer stolenAdmission = buy(event, mallory, Map.of("admission", aliceAdmission));
        assertEquals(403, stolenAdmission.status(), stolenAdmission.body());
        assertEquals("the admission is another buyer's", stolenAdmission.json().getString("msg"));
        assertEquals(0, api.eventStatus(event).data().getInt("reserved"));

        Api.Answer bought = buy(event, alice, Map.of("admission", aliceAdmission));
        assertEquals(1, bought.code(), bought.body());
        assertEquals(1, api.eventStatus(event).data().getInt("reserved"));
    }

    @Test
    void keepsSellingWhileTheProviderRotatesItsKeys() throws Exception {
        String event = Deployments.newEventId("rotation");
        int buyers = 6;
        assertEquals(200, api.openSale(event, buyers, 300).status());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String name = "rotation-" + event.toLowerCase() + "-" + i;
            provider.createUser(name);
            names.add(name);
        }
        String before = provider.accessToken(names.get(0));
        String oldKid = SignedJWT.parse(before).getHeader().getKeyID();
        String mintedBeforeRotation = provider.accessToken(names.get(1));
        assertEquals(1, buy(event, before, Map.of()).code());

        String newKid = provider.rotateKey();
        assertNotEquals(oldKid, newKid);
        Set<String> orders = new HashSet<>();
        for (int i = 2; i < buyers; i++) {
            String token = provider.accessToken(names.get(i));
            assertEquals(newKid, SignedJWT.parse(token).getHeader().getKeyID());
            Api.Answer answer = buy(event, token, Map.of());
            assertEquals(1, answer.code(), "a token of the new key: " + answer.body());
            orders.add(answer.data().getString("orderId"));
        }
        // The old key is still published: its tokens still buy.
        assertTrue(provider.jwks().contains(oldKid));
        Api.Answer old = buy(event, mintedBeforeRotation, Map.of());
        assertEquals(1, old.code(), "a token of the old, still published key: " + old.body());
        orders.add(old.data().getString("orderId"));

        assertEquals(buyers - 1, orders.size());
        assertEquals(buyers, api.eventStatus(event).data().getInt("reserved"));
        assertEquals(-1, buy(event, provider.accessToken("alice"), Map.of()).code(), "sold beyond its tickets");
    }

    @Test
    void aBuyerSignsInAtTheProviderBuysSeesTheOrderPaysAndSignsOut() {
        String event = Deployments.newEventId("page-signed-in");
        assertEquals(200, api.openSale(event, 1, 300).status());
        try (Browser browser = new Browser(api.base(), 1024, 900)) {
            try {
                browser.open("/?event=" + event);
                browser.waitUntil("the sign-in button", d -> browser.shown("sign-in"));
                assertFalse(browser.shown("user-id-field"), "a user id field in oidc mode");

                browser.click("sign-in");
                browser.waitUntil(
                        "the provider's login page",
                        d -> !d.findElements(By.id("username")).isEmpty());
                assertTrue(
                        browser.driver().getCurrentUrl().startsWith(provider.issuer()),
                        browser.driver().getCurrentUrl());
                provider.signIn(browser, "carol");

                browser.waitForText("buyer-name", "carol");
                assertEquals(event, browser.find("event-id").getAttribute("value"), "the sale was not kept");
                browser.click("look");
                browser.waitForText("tickets-left", "1 of 1 tickets left");
                browser.click("buy");
                browser.waitForText("order-status", "Reserved, not paid yet");
                String orderId = browser.text("order-id");
                browser.click("pay");
                browser.waitForText("order-status", "Paid");

                String carolSub = subject(provider.accessToken("carol"));
                JsonObject sold = api.eventStatus(event).data();
                assertEquals(1, sold.getInt("paid"), sold.toString());
                Api.Answer order = order(orderId, provider.accessToken("carol"), false);
                assertEquals(carolSub, order.data().getString("userId"), "the page's order is not carol's");
                assertEquals("PAID", order.data().getString("status"));
                assertEquals(
                        404, order(orderId, provider.accessToken("dave"), false).status());

                browser.click("sign-out");
                browser.waitUntil("signed out", d -> browser.shown("sign-in"));
                assertFalse(browser.shown("signed-in"));
                assertTrue(
                        browser.consoleErrors().isEmpty(),
                        browser.consoleErrors().toString());
            } catch (RuntimeException | AssertionError e) {
                browser.keepEvidence("signed-in-page");
                throw e;
            }
        }
    }

    private static String subject(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getSubject();
        } catch (ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static Api.Answer buy(String event, String token, Map<String, String> more) {
        Map<String, String> form = new HashMap<>(more);
        form.put("eventId", event);
        return api.send(bearer(api.postRequest("buy/ticket", form), token));
    }

    private static Api.Answer join(String event, String token, Map<String, String> more) {
        return api.send(bearer(api.postRequest("queue/" + event + "/join", more), token));
    }

    private static Api.Answer admission(String event, String place, String token) {
        return api.send(bearer(api.postRequest("queue/" + event + "/admission", Map.of("place", place)), token));
    }

    private static String awaitAdmission(String event, String place, String token) throws InterruptedException {
        long until = System.currentTimeMillis() + 30_000;
        while (true) {
            Api.Answer answer = admission(event, place, token);
            if (answer.code() == 1) {
                return answer.data().getString("admission");
            }
            assertEquals(-3, answer.code(), answer.body());
            assertTrue(System.currentTimeMillis() < until, "not admitted within 30 s: " + answer.body());
            Thread.sleep(200);
        }
    }

    private static Api.Answer order(String orderId, String token, boolean pay) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(api.base().resolve("orders/" + orderId + (pay ? "/pay" : "")));
        request = pay ? request.POST(HttpRequest.BodyPublishers.noBody()) : request.GET();
        return api.send(bearer(request, token));
    }

    private static HttpRequest.Builder bearer(HttpRequest.Builder request, String token) {
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private static String resign(JWTClaimsSet claims, RSAKey key, String kid) throws JOSEException {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static String unsigned(SignedJWT genuine) {
        String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        return header + "." + genuine.getParsedParts()[1] + ".";
    }

    /** HS256 keyed with the bytes of the provider's published RSA key: what a verifier trusting alg would accept. */
    private static String hmacWithPublicKey(SignedJWT genuine) throws ParseException, JOSEException {
        RSAKey published = JWKSet.parse(provider.jwks()).getKeys().stream()
                .filter(key ->
                        key instanceof RSAKey && genuine.getHeader().getKeyID().equals(key.getKeyID()))
                .map(RSAKey.class::cast)
                .filter(key -> key.getKeyUse() == null || key.getKeyUse() == KeyUse.SIGNATURE)
                .findFirst()
                .orElseThrow();
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .keyID(genuine.getHeader().getKeyID())
                        .build(),
                genuine.getJWTClaimsSet());
        forged.sign(new MACSigner(published.toRSAPublicKey().getEncoded()));
        return forged.serialize();
    }

    private static String payloadSwapped(SignedJWT genuine, String subject) throws ParseException {
        JWTClaimsSet changed = new JWTClaimsSet.Builder(genuine.getJWTClaimsSet())
                .subject(subject)
                .build();
        String[] parts = genuine.serialize().split("\\.");
        return parts[0] + "." + base64Url(changed.toString()) + "." + parts[2];
    }

    private static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
