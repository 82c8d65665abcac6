package io.ticketrush.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A stand-in OpenID provider for jmeter/bench.sh: an issuer that a static web server can publish, and as many
 * distinct buyers' RS256 access tokens as a benchmark needs, which no real provider mints fast enough (Keycloak's
 * password grant gives about a hundred a second here). The instances check these tokens exactly as a real
 * provider's: discovery document, JWKS over HTTP, signature, issuer, audience, lifetime.
 *
 * <p>Writes into the web root {@code .well-known/openid-configuration} and {@code jwks.json} (the public key; the
 * private key is never written, so a pool is minted whole or not at all), into the token file one token a line,
 * every line of the same length so that a load generator finds line n at n times that length, and last, beside
 * the token file, its {@code .properties}: issuer, audience, count and expiry, which say the pool is complete and
 * for what.
 */
public final class TokenMint {

    private static final String USAGE = """
            Usage: TokenMint ISSUER AUDIENCE COUNT VALID_SECONDS WEB_ROOT TOKEN_FILE
              ISSUER         the issuer URL, where WEB_ROOT will be served ({issuer}/.well-known/openid-configuration)
              AUDIENCE       the aud of every token
              COUNT          how many tokens, each for another buyer (sub), in TOKEN_FILE one a line
              VALID_SECONDS  their lifetime from now (exp)
            """;

    /** RSA keys of this size are what providers sign RS256 access tokens with by default (Keycloak, Entra ID). */
    private static final int KEY_BITS = 2048;

    private static final String KEY_ID = "bench-rs256";
    /** Tokens signed in blocks of this many, in parallel, then written in order: memory stays bounded. */
    private static final int BLOCK = 10_000;
    /** The roles a Keycloak realm gives every user: the claims a real access token carries, so its size and parse. */
    private static final List<String> DEFAULT_ROLES =
            List.of("offline_access", "uma_authorization", "default-roles-ticketrush");

    private final String issuer;
    private final String audience;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final JWSSigner signer;
    private final JWSHeader header;

    private TokenMint(String issuer, String audience, long validSeconds, RSAKey key) throws JOSEException {
        this.issuer = issuer;
        this.audience = audience;
        // Whole seconds, as JWTs carry them: every token's times have the same number of digits.
        this.issuedAt = Instant.ofEpochSecond(Instant.now().getEpochSecond());
        this.expiresAt = issuedAt.plusSeconds(validSeconds);
        this.signer = new RSASSASigner(key);
        this.header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT)
                .keyID(key.getKeyID())
                .build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.print(USAGE);
            System.exit(2);
        }
        String issuer = args[0].replaceAll("/+$", "");
        int count = Integer.parseInt(args[2]);
        long validSeconds = Long.parseLong(args[3]);
        Path webRoot = Path.of(args[4]);
        Path tokenFile = Path.of(args[5]);
        RSAKey key = new RSAKeyGenerator(KEY_BITS)
                .keyID(KEY_ID)
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256)
                .generate();
        TokenMint mint = new TokenMint(issuer, args[1], validSeconds, key);
        mint.publish(webRoot, key);
        long begin = System.nanoTime();
        mint.writeTokens(tokenFile, count);
        System.err.printf(
                "TokenMint: %d tokens in %.0f s into %s%n", count, (System.nanoTime() - begin) / 1e9, tokenFile);
    }

    /** The discovery document and the key set, as a provider publishes them. */
    private void publish(Path webRoot, RSAKey key) throws IOException {
        Path wellKnown = webRoot.resolve(".well-known");
        Files.createDirectories(wellKnown);
        String discovery = "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + issuer + "/jwks.json\","
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}\n";
        Files.writeString(wellKnown.resolve("openid-configuration"), discovery);
        Files.writeString(webRoot.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString() + "\n");
    }

    private void writeTokens(Path tokenFile, int count) throws IOException {
        Path properties = Path.of(tokenFile + ".properties");
        Files.deleteIfExists(properties);
        Path partial = Path.of(tokenFile + ".partial");
        int width = -1;
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.US_ASCII)) {
            for (int from = 0; from < count; from += BLOCK) {
                String[] block = IntStream.range(from, Math.min(count, from + BLOCK))
                        .parallel()
                        .mapToObj(this::token)
                        .toArray(String[]::new);
                for (String token : block) {
                    if (width < 0) {
                        width = token.length();
                    } else if (token.length() != width) {
                        throw new IllegalStateException("token of " + token.length() + " characters among tokens of "
                                + width + ": every line must be as long for a reader to seek to line n");
                    }
                    out.write(token);
                    out.write('\n');
                }
            }
        }
        Files.move(partial, tokenFile, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(
                properties,
                "issuer=" + issuer + "\naudience=" + audience + "\ncount=" + count + "\nexpires="
                        + expiresAt.getEpochSecond() + "\n");
    }

    /** Buyer n's access token, shaped like Keycloak's (its claims, their sizes), every value of a fixed width. */
    private String token(int n) {
        String user = String.format("%08x-0000-4000-8000-%012d", KEY_ID.hashCode(), n);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .expirationTime(Date.from(expiresAt))
                .issueTime(Date.from(issuedAt))
                .jwtID(String.format("onrtac:%08x-0000-4000-8000-%012d", issuedAt.getEpochSecond(), n))
                .issuer(issuer)
                .audience(audience)
                .subject(user)
                .claim("typ", "Bearer")
                .claim("azp", "ticketrush")
                .claim("sid", String.format("%08x-0000-4000-9000-%012d", issuedAt.getEpochSecond(), n))
                .claim("acr", "1")
                .claim("realm_access", Map.of("roles", DEFAULT_ROLES))
                .claim("scope", "openid profile email")
                .claim("email_verified", false)
                .claim("preferred_username", String.format("buyer%09d", n))
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing token " + n, e);
        }
        return jwt.serialize();
    }
}
