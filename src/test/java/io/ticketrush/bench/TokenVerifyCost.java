package io.ticketrush.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ticketrush.identity.InvalidTokenException;
import io.ticketrush.identity.TokenVerifier;
import java.security.interfaces.RSAPublicKey;
import java.util.Date;
import java.util.UUID;

/**
 * The floor under a purchase with a fresh token, in one JVM without a server: what {@link TokenVerifier} costs per
 * never-seen RS256 token, beside what parsing alone and parsing plus the bare RSA check cost (the least any
 * verifier must do). Best of ROUNDS, since the machine is shared. docs/benchmarks.md quotes it.
 * <p>
 * {@code java -cp "$(mvn -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout):target/classes:target/test-classes" io.ticketrush.bench.TokenVerifyCost}
 */
public final class TokenVerifyCost {

    private static final int TOKENS = 40_000;
    private static final int ROUNDS = 10;
    private static final String ISSUER = "http://issuer.example";

    private TokenVerifyCost() {}

    public static void main(String[] args) throws JOSEException, InvalidTokenException, java.text.ParseException {
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
        String[] tokens = new String[TOKENS];
        RSASSASigner signer = new RSASSASigner(key);
        for (int i = 0; i < TOKENS; i++) {
            long now = System.currentTimeMillis();
            JWTClaimsSet claims = new JWTClaimsSet.Builder()
                    .issuer(ISSUER)
                    .audience("ticketrush")
                    .subject("buyer-" + i)
                    .claim("preferred_username", "buyer-" + i)
                    .claim("scope", "openid profile")
                    .jwtID(UUID.randomUUID().toString())
                    .issueTime(new Date(now))
                    .expirationTime(new Date(now + 3_600_000))
                    .build();
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256)
                            .keyID("bench")
                            .type(JOSEObjectType.JWT)
                            .build(),
                    claims);
            jwt.sign(signer);
            tokens[i] = jwt.serialize();
        }
        RSAPublicKey publicKey = key.toRSAPublicKey();
        double verify = Double.MAX_VALUE;
        double parse = Double.MAX_VALUE;
        double bare = Double.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            TokenVerifier verifier = new TokenVerifier(
                    new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())),
                    ISSUER,
                    "ticketrush",
                    "sub",
                    60,
                    100_000,
                    300_000,
                    System::currentTimeMillis);
            long start = System.nanoTime();
            for (String token : tokens) {
                verifier.verify(token);
            }
            verify = Math.min(verify, micros(start));
            start = System.nanoTime();
            for (String token : tokens) {
                SignedJWT.parse(token).getJWTClaimsSet();
            }
            parse = Math.min(parse, micros(start));
            start = System.nanoTime();
            for (String token : tokens) {
                if (!SignedJWT.parse(token).verify(new RSASSAVerifier(publicKey))) {
                    throw new IllegalStateException("a token of this key did not verify");
                }
            }
            bare = Math.min(bare, micros(start));
        }
        System.out.printf(
                "token %d bytes; best of %d rounds of %d tokens, µs per token: TokenVerifier.verify %.1f,"
                        + " parse alone %.1f, parse and RS256 check %.1f%n",
                tokens[0].length(), ROUNDS, TOKENS, verify, parse, bare);
    }

    private static double micros(long start) {
        return (System.nanoTime() - start) / 1000.0 / TOKENS;
    }
}
