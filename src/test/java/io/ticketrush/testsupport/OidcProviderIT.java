package io.ticketrush.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OpenID provider the other tests rely on, checked as a relying party sees it: discovery, keys, tokens. */
@ExtendWith(SharedOidcProvider.class)
class OidcProviderIT {

    private static final Duration MIN_TOKEN_LIFETIME = Duration.ofMinutes(5);

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void discoveryThroughLocalhostNamesTheIssuerAndKeysItServes(OidcProvider oidc) throws Exception {
        JsonObject discovery = JsonHttp.object(
                get(oidc.issuer() + "/.well-known/openid-configuration").body());

        assertEquals(oidc.issuer(), discovery.getString("issuer"));
        assertEquals(oidc.issuer(), oidc.discovery().getString("issuer"));
        JWKSet keys = JWKSet.parse(get(discovery.getString("jwks_uri")).body());
        assertTrue(
                keys.getKeys().stream().anyMatch(key -> "RS256".equals(String.valueOf(key.getAlgorithm()))),
                keys::toString);
        assertTrue(
                keys.getKeys().stream().anyMatch(key -> "ES256".equals(String.valueOf(key.getAlgorithm()))),
                keys::toString);
    }

    @Test
    void givesAliceAnRs256TokenForTicketrushNamingHer(OidcProvider oidc) throws Exception {
        SignedJWT token = SignedJWT.parse(oidc.accessToken("alice"));

        assertEquals(JWSAlgorithm.RS256, token.getHeader().getAlgorithm());
        assertSignedByPublishedKey(token, oidc.jwks());
        JWTClaimsSet claims = token.getJWTClaimsSet();
        assertEquals(oidc.issuer(), claims.getIssuer());
        assertEquals(List.of(OidcProvider.AUDIENCE), claims.getAudience());
        assertEquals("alice", claims.getStringClaim("preferred_username"));
        assertNotNull(claims.getSubject());
        assertTrue(
                claims.getExpirationTime().getTime() - claims.getIssueTime().getTime() >= MIN_TOKEN_LIFETIME.toMillis(),
                () -> "a token lives at least " + MIN_TOKEN_LIFETIME + ": " + claims);
    }

    @Test
    void givesAnEs256TokenThroughTheEs256Client(OidcProvider oidc) throws Exception {
        SignedJWT token = SignedJWT.parse(oidc.accessToken("bob", OidcProvider.ES256_CLIENT));

        assertEquals(JWSAlgorithm.ES256, token.getHeader().getAlgorithm());
        assertSignedByPublishedKey(token, oidc.jwks());
        assertEquals(oidc.issuer(), token.getJWTClaimsSet().getIssuer());
        assertEquals(List.of(OidcProvider.AUDIENCE), token.getJWTClaimsSet().getAudience());
        assertEquals("bob", token.getJWTClaimsSet().getStringClaim("preferred_username"));
    }

    @Test
    void createdUsersGetTokensOfTheirOwn(OidcProvider oidc) throws Exception {
        String prefix = "buyer-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> ids = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            ids.add(oidc.createUser(prefix + i));
        }
        long created = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            JWTClaimsSet claims = SignedJWT.parse(oidc.accessToken(prefix + i)).getJWTClaimsSet();
            assertEquals(ids.get(i), claims.getSubject());
            assertEquals(prefix + i, claims.getStringClaim("preferred_username"));
        }
        System.out.printf(
                "[OidcProviderIT] 20 users created in %d ms, their 20 tokens in %d ms%n",
                (created - started) / 1_000_000, (System.nanoTime() - created) / 1_000_000);
    }

    @Test
    void aRotatedKeySignsNewTokensWhileTheOldStaysPublishedUntilRetired(OidcProvider oidc) throws Exception {
        String oldKid = SignedJWT.parse(oidc.accessToken("carol")).getHeader().getKeyID();

        String newKid = oidc.rotateKey();

        assertNotEquals(oldKid, newKid);
        SignedJWT fresh = SignedJWT.parse(oidc.accessToken("carol"));
        assertEquals(newKid, fresh.getHeader().getKeyID());
        assertSignedByPublishedKey(fresh, oidc.jwks());
        assertNotNull(JWKSet.parse(oidc.jwks()).getKeyByKeyId(oldKid), "the old key is still published");

        oidc.retireKey(oldKid);

        JWKSet keys = JWKSet.parse(oidc.jwks());
        assertNull(keys.getKeyByKeyId(oldKid), "a retired key is no longer published");
        assertNotNull(keys.getKeyByKeyId(newKid));
        assertEquals(
                newKid, SignedJWT.parse(oidc.accessToken("carol")).getHeader().getKeyID());
    }

    @Test
    void refusesAnAuthorizationRequestWithoutPkce(OidcProvider oidc) {
        String redirect = "http://127.0.0.1:" + FreePorts.any() + "/callback";
        HttpResponse<String> answer = get(oidc.discovery().getString("authorization_endpoint") + "?"
                + query(Map.of(
                        "client_id",
                        OidcProvider.BUYER_CLIENT,
                        "response_type",
                        "code",
                        "scope",
                        "openid",
                        "redirect_uri",
                        redirect,
                        "state",
                        "s1")));

        assertEquals(302, answer.statusCode());
        String location = answer.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(redirect) && location.contains("error=invalid_request"), location);
    }

    @Test
    void letsAPageOfAnotherOriginCallTheTokenEndpoint(OidcProvider oidc) {
        String origin = "http://127.0.0.1:" + FreePorts.any();
        HttpResponse<String> answer = JsonHttp.send(
                http,
                HttpRequest.newBuilder(URI.create(oidc.discovery().getString("token_endpoint")))
                        .header("Origin", origin)
                        .header("Access-Control-Request-Method", "POST")
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertEquals(200, answer.statusCode());
        assertEquals(
                origin,
                answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    }

    @Test
    void signsDaveInOnItsLoginPageWithAuthorizationCodeAndPkce(OidcProvider oidc) throws Exception {
        HttpServer callback = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        callback.createContext("/callback", exchange -> {
            byte[] page = "<!doctype html><title>back</title><p>signed in</p>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        callback.start();
        String redirect = "http://127.0.0.1:" + callback.getAddress().getPort() + "/callback";
        String verifier = base64Url(random(32));
        String challenge =
                base64Url(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String authorize = oidc.discovery().getString("authorization_endpoint") + "?"
                + query(Map.of(
                        "client_id",
                        OidcProvider.BUYER_CLIENT,
                        "response_type",
                        "code",
                        "scope",
                        "openid",
                        "redirect_uri",
                        redirect,
                        "state",
                        "s2",
                        "code_challenge",
                        challenge,
                        "code_challenge_method",
                        "S256"));
        String returned;
        try (Browser browser = new Browser(URI.create(oidc.issuer()), 1024, 768)) {
            browser.driver().get(authorize);
            oidc.signIn(browser, "dave");
            returned = browser.waitUntil(
                    "the redirect to " + redirect,
                    driver -> driver.getCurrentUrl().startsWith(redirect) ? driver.getCurrentUrl() : null);
        } finally {
            callback.stop(0);
        }

        Map<String, String> answer = parameters(URI.create(returned).getRawQuery());
        assertEquals("s2", answer.get("state"));
        HttpResponse<String> tokens = JsonHttp.send(
                http,
                HttpRequest.newBuilder(URI.create(oidc.discovery().getString("token_endpoint")))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(JsonHttp.form(Map.of(
                                "grant_type",
                                "authorization_code",
                                "code",
                                answer.get("code"),
                                "redirect_uri",
                                redirect,
                                "client_id",
                                OidcProvider.BUYER_CLIENT,
                                "code_verifier",
                                verifier))));
        assertEquals(200, tokens.statusCode(), tokens.body());
        SignedJWT token = SignedJWT.parse(JsonHttp.object(tokens.body()).getString("access_token"));
        assertEquals("dave", token.getJWTClaimsSet().getStringClaim("preferred_username"));
        assertEquals(List.of(OidcProvider.AUDIENCE), token.getJWTClaimsSet().getAudience());
    }

    private static void assertSignedByPublishedKey(SignedJWT token, String jwks) throws Exception {
        JWK key = JWKSet.parse(jwks).getKeyByKeyId(token.getHeader().getKeyID());
        assertNotNull(key, () -> "kid " + token.getHeader().getKeyID() + " is not in " + jwks);
        JWSVerifier verifier = key instanceof ECKey ec ? new ECDSAVerifier(ec) : new RSASSAVerifier(key.toRSAKey());
        assertTrue(token.verify(verifier), "the signature verifies with the published key");
    }

    private HttpResponse<String> get(String uri) {
        return JsonHttp.send(http, HttpRequest.newBuilder(URI.create(uri)).GET());
    }

    private static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream()
                .map(p -> p.getKey() + "=" + URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static Map<String, String> parameters(String query) {
        return Arrays.stream(query.split("&"))
                .map(p -> p.split("=", 2))
                .collect(Collectors.toMap(
                        p -> p[0], p -> URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8)));
    }

    private static byte[] random(int bytes) {
        byte[] value = new byte[bytes];
        new SecureRandom().nextBytes(value);
        return value;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
