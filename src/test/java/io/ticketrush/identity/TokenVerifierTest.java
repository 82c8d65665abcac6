package io.ticketrush.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {

    private static final String ISSUER = "https://login.example.com/realms/ticketrush";
    private static final String AUDIENCE = "ticketrush";

    private static final RSAKey RSA = generateRsa("rsa-1");
    private static final RSAKey IMPOSTOR = generateRsa("rsa-1");
    private static final ECKey EC = generateEc("ec-1");

    private final AtomicInteger keyLookups = new AtomicInteger();
    private final JWKSource<SecurityContext> published = (selector, context) -> {
        keyLookups.incrementAndGet();
        return selector.select(new JWKSet(List.of(RSA.toPublicJWK(), EC.toPublicJWK())));
    };
    private final TokenVerifier verifier =
            new TokenVerifier(published, ISSUER, AUDIENCE, "sub", 60, 1000, 60_000, System::currentTimeMillis);

    @Test
    void acceptsRs256AndEs256TokensOfThePublishedKeys() throws Exception {
        assertEquals(
                "alice",
                verifier.verify(token(claims("alice"), JWSAlgorithm.RS256, RSA.getKeyID(), new RSASSASigner(RSA)))
                        .buyer());
        assertEquals(
                "bob",
                verifier.verify(token(claims("bob"), JWSAlgorithm.ES256, EC.getKeyID(), new ECDSASigner(EC)))
                        .buyer());
    }

    @Test
    void remembersAVerifiedTokenUntilItExpires() throws Exception {
        String token = token(claims("alice"), JWSAlgorithm.RS256, RSA.getKeyID(), new RSASSASigner(RSA));
        verifier.verify(token);
        int lookups = keyLookups.get();
        assertEquals("alice", verifier.verify(token).buyer());
        assertEquals(lookups, keyLookups.get());
    }

    @Test
    void refusesAForgedSignature() throws Exception {
        assertEquals(
                "invalid signature",
                refusal(token(claims("alice"), JWSAlgorithm.RS256, RSA.getKeyID(), new RSASSASigner(IMPOSTOR))));
    }

    @Test
    void refusesAKeyTheIssuerDoesNotPublish() throws Exception {
        assertEquals(
                "signed by a key the issuer does not publish (kid rsa-unknown)",
                refusal(token(claims("alice"), JWSAlgorithm.RS256, "rsa-unknown", new RSASSASigner(IMPOSTOR))));
    }

    @Test
    void refusesAnUnsignedToken() {
        String none = new PlainJWT(claims("alice").build()).serialize();
        assertEquals("unsigned or encrypted token refused (alg none)", refusal(none));
    }

    @Test
    void refusesHs256MadeWithThePublicKey() throws Exception {
        byte[] publicKey = RSA.toPublicJWK().toRSAPublicKey().getEncoded();
        String hmac = token(claims("alice"), JWSAlgorithm.HS256, RSA.getKeyID(), new MACSigner(publicKey));
        assertEquals("algorithm HS256 refused: tokens must be signed with RSA or ECDSA", refusal(hmac));
    }

    @Test
    void refusesAnExpiredTokenBeyondTheLeeway() throws Exception {
        long now = System.currentTimeMillis();
        assertEquals(
                "token expired",
                refusal(token(
                        claims("alice").expirationTime(new Date(now - 120_000)),
                        JWSAlgorithm.RS256,
                        RSA.getKeyID(),
                        new RSASSASigner(RSA))));
        assertEquals(
                "alice",
                verifier.verify(token(
                                claims("alice").expirationTime(new Date(now - 30_000)),
                                JWSAlgorithm.RS256,
                                RSA.getKeyID(),
                                new RSASSASigner(RSA)))
                        .buyer());
    }

    @Test
    void refusesATokenNotValidYet() throws Exception {
        assertEquals(
                "token not valid yet (nbf)",
                refusal(token(
                        claims("alice").notBeforeTime(new Date(System.currentTimeMillis() + 120_000)),
                        JWSAlgorithm.RS256,
                        RSA.getKeyID(),
                        new RSASSASigner(RSA))));
    }

    @Test
    void refusesAnotherIssuerOrAudience() throws Exception {
        assertEquals(
                "wrong issuer (iss)",
                refusal(token(
                        claims("alice").issuer("https://evil.example.com"),
                        JWSAlgorithm.RS256,
                        RSA.getKeyID(),
                        new RSASSASigner(RSA))));
        assertEquals(
                "wrong audience (aud)",
                refusal(token(
                        claims("alice").audience("another-service"),
                        JWSAlgorithm.RS256,
                        RSA.getKeyID(),
                        new RSASSASigner(RSA))));
    }

    @Test
    void refusesAPayloadChangedAfterSigning() throws Exception {
        String[] parts = token(claims("alice"), JWSAlgorithm.RS256, RSA.getKeyID(), new RSASSASigner(RSA))
                .split("\\.");
        String mallory = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims("mallory").build().toString().getBytes(StandardCharsets.UTF_8));
        assertEquals("invalid signature", refusal(parts[0] + "." + mallory + "." + parts[2]));
    }

    @Test
    void refusesWhatIsNotAToken() {
        assertEquals("malformed token: not a JWT", refusal("not-a-token"));
        assertEquals("token lacks a required claim: [sub]", refusal(uncheckedToken(claims(null))));
    }

    @Test
    void namesAClaimThatIsNoIdByItsDigest() throws Exception {
        String buyer = verifier.verify(token(
                        claims("auth0|5f7c8ec7c33c6c004bbafe82"),
                        JWSAlgorithm.RS256,
                        RSA.getKeyID(),
                        new RSASSASigner(RSA)))
                .buyer();
        assertTrue(buyer.matches("h:[0-9a-f]{40}"), buyer);
        assertEquals(buyer, TokenVerifier.buyerId("auth0|5f7c8ec7c33c6c004bbafe82"));
        assertEquals("alice@example.com", TokenVerifier.buyerId("alice@example.com"));
    }

    private String refusal(String token) {
        return assertThrows(InvalidTokenException.class, () -> verifier.verify(token))
                .getMessage();
    }

    private static String uncheckedToken(JWTClaimsSet.Builder claims) {
        try {
            return token(claims, JWSAlgorithm.RS256, RSA.getKeyID(), new RSASSASigner(RSA));
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    private static JWTClaimsSet.Builder claims(String subject) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(new Date(now))
                .expirationTime(new Date(now + 300_000));
    }

    private static String token(JWTClaimsSet.Builder claims, JWSAlgorithm algorithm, String kid, JWSSigner signer)
            throws JOSEException {
        SignedJWT jwt =
                new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims.build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static RSAKey generateRsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    private static ECKey generateEc(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }
}
