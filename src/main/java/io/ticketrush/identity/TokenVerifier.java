package io.ticketrush.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.ticketrush.model.Ids;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks a buyer's access token: signed (RSA or ECDSA; never {@code none}, never HMAC, which anyone holding the
 * provider's public key could forge) by a key the issuer publishes, from that issuer, for the configured audience,
 * and within its lifetime give or take at most {@value #MAX_LEEWAY_SECONDS} s. The work is nimbus-jose-jwt's; this
 * class chooses what it accepts, says in words what it refused, and remembers each token it verified until it expires, so the
 * same token (a buyer joins, asks for admission, buys, pays) costs one signature check.
 */
public class TokenVerifier {

    /** The most {@code exp} and {@code nbf} may be missed by (clocks differ): 60 s, or less if configured. */
    static final int MAX_LEEWAY_SECONDS = 60;

    /** Asymmetric signatures only: the algorithms an OpenID provider signs access tokens with. */
    static final Set<JWSAlgorithm> ACCEPTED = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);

    /** A claim too long or with other characters than an id's is named by this prefix and its digest. */
    static final String DIGEST_PREFIX = "h:";

    private final String issuer;
    private final String buyerClaim;
    private final int leewaySeconds;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Cache<String, VerifiedToken> verified;
    private final Supplier<Long> clock;

    /**
     * @param keys       the issuer's keys (a JWKS fetched, cached and fetched again for a key id it does not know)
     * @param audience   the {@code aud} every token must carry, or null to accept any
     * @param buyerClaim the claim naming the buyer
     * @param leewaySeconds how far {@code exp} and {@code nbf} may be missed, 0 to {@value #MAX_LEEWAY_SECONDS}
     * @param maxTokens  how many verified tokens are remembered at most
     * @param keysMillis how long a key, once found, is used without looking it up again (as long as the JWKS is
     *                   cached: a key the provider retired is accepted no longer than its JWKS would be)
     */
    public TokenVerifier(
            JWKSource<SecurityContext> keys,
            String issuer,
            String audience,
            String buyerClaim,
            int leewaySeconds,
            long maxTokens,
            long keysMillis,
            Supplier<Long> clock) {
        if (leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
            throw new IllegalArgumentException(
                    "the leeway must be 0 to " + MAX_LEEWAY_SECONDS + " s, not " + leewaySeconds);
        }
        this.issuer = issuer;
        this.buyerClaim = buyerClaim;
        this.leewaySeconds = leewaySeconds;
        this.clock = clock;
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        processor.setJWSKeySelector(new ConvertedKeys(
                new JWSVerificationKeySelector<>(ACCEPTED, keys),
                Caffeine.newBuilder()
                        .maximumSize(MAX_KEY_IDS)
                        .expireAfterWrite(Duration.ofMillis(keysMillis))
                        .build()));
        // Not Set.of: Payara Micro loads its own nimbus-jose-jwt (10.5) before the WAR's, and its claims verifier asks
        // the audience set whether it contains null, which Set.of answers with a NullPointerException.
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audience == null ? null : Collections.singleton(audience),
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                Set.of("exp", buyerClaim),
                null);
        claims.setMaxClockSkew(leewaySeconds);
        processor.setJWTClaimsSetVerifier(claims);
        verified = Caffeine.newBuilder()
                .maximumSize(maxTokens)
                .expireAfter(new UntilAccepted(clock))
                .build();
    }

    /** The buyer {@code token} names, or why it is refused. */
    public VerifiedToken verify(String token) throws InvalidTokenException {
        VerifiedToken known = verified.getIfPresent(token);
        if (known != null && known.acceptedUntilMillis() > clock.get()) {
            return known;
        }
        VerifiedToken fresh = check(token);
        verified.put(token, fresh);
        return fresh;
    }

    private VerifiedToken check(String token) throws InvalidTokenException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token: not a JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new InvalidTokenException("unsigned or encrypted token refused (alg "
                    + jwt.getHeader().getAlgorithm() + ")");
        }
        JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        if (!ACCEPTED.contains(algorithm)) {
            throw new InvalidTokenException(
                    "algorithm " + algorithm + " refused: tokens must be signed with RSA or ECDSA");
        }
        if (!issuer.equals(claimedIssuer(signed))) {
            // Said before the signature is looked at: a token of another issuer (another realm or tenant, a test
            // provider) is named as that, not as signed by a key this one does not publish.
            throw new InvalidTokenException("wrong issuer (iss)");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (KeySourceException e) {
            throw new ProviderUnavailableException("the identity provider's keys could not be fetched", e);
        } catch (BadJWTException e) {
            throw new InvalidTokenException(claimsProblem(e));
        } catch (BadJOSEException e) {
            throw new InvalidTokenException(signatureProblem(e, signed));
        } catch (JOSEException e) {
            throw new InvalidTokenException("token refused: " + e.getMessage());
        }
        Object value = claims.getClaim(buyerClaim);
        if (!(value instanceof String || value instanceof Number)) {
            throw new InvalidTokenException("claim " + buyerClaim + " is not a string");
        }
        String claim = value.toString();
        if (claim.isBlank()) {
            throw new InvalidTokenException("claim " + buyerClaim + " is blank");
        }
        long until = claims.getExpirationTime().getTime() + leewaySeconds * 1000L;
        return new VerifiedToken(buyerId(claim), claim, until);
    }

    private static String claimedIssuer(SignedJWT signed) throws InvalidTokenException {
        try {
            return signed.getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed token: its claims are not a JSON object");
        }
    }

    private static String signatureProblem(BadJOSEException e, SignedJWT signed) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("no matching key")) {
            String kid = signed.getHeader().getKeyID();
            return "signed by a key the issuer does not publish" + (kid == null ? " (no kid)" : " (kid " + kid + ")");
        }
        if (message.contains("Invalid signature")) {
            return "invalid signature";
        }
        return "token refused: " + message;
    }

    private static String claimsProblem(BadJWTException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Expired JWT")) {
            return "token expired";
        }
        if (message.startsWith("JWT before use time")) {
            return "token not valid yet (nbf)";
        }
        if (message.contains(" aud") && !message.startsWith("JWT missing required claims")) {
            return "wrong audience (aud)";
        }
        if (message.startsWith("JWT iss claim")) {
            return "wrong issuer (iss)";
        }
        if (message.startsWith("JWT missing required claims")) {
            return "token lacks a required claim: "
                    + message.substring(message.indexOf(':') + 1).strip();
        }
        return "token refused: " + message;
    }

    /**
     * The claim as a buyer id: as written when it is one (an id's characters, at most {@value Ids#MAX_LENGTH}),
     * else {@value #DIGEST_PREFIX} and the first 160 bits of its SHA-256 in hex, which is one, never collides with
     * a claim that is one (no id claim starts with a digest of 40 hex digits after it) and never with another.
     */
    static String buyerId(String claim) {
        if (Ids.isValid(claim) && !claim.startsWith(DIGEST_PREFIX)) {
            return claim;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(claim.getBytes(StandardCharsets.UTF_8));
            return DIGEST_PREFIX + HexFormat.of().formatHex(digest, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Key ids remembered with their Java keys: a provider publishes a handful. */
    private static final int MAX_KEY_IDS = 64;

    /**
     * The issuer's keys for a token's algorithm and key id, as Java keys, converted from the JWKS once per key id
     * rather than once per token, which is a tenth of a purchase's verification. Only found keys are kept: an
     * unknown key id goes to the JWKS every time, which fetches it again, rate-limited.
     */
    private record ConvertedKeys(JWSKeySelector<SecurityContext> jwks, Cache<String, List<Key>> converted)
            implements JWSKeySelector<SecurityContext> {

        @Override
        public List<? extends Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
            if (header.getKeyID() == null) {
                return jwks.selectJWSKeys(header, context);
            }
            String id = header.getAlgorithm().getName() + " " + header.getKeyID();
            List<Key> known = converted.getIfPresent(id);
            if (known != null) {
                return known;
            }
            List<Key> found = List.copyOf(jwks.selectJWSKeys(header, context));
            if (!found.isEmpty()) {
                converted.put(id, found);
            }
            return found;
        }
    }

    /** A remembered token is forgotten when it stops being accepted. */
    private record UntilAccepted(Supplier<Long> clock) implements Expiry<String, VerifiedToken> {

        @Override
        public long expireAfterCreate(String token, VerifiedToken value, long currentTime) {
            return Duration.ofMillis(Math.max(0, value.acceptedUntilMillis() - clock.get()))
                    .toNanos();
        }

        @Override
        public long expireAfterUpdate(String token, VerifiedToken value, long currentTime, long currentDuration) {
            return expireAfterCreate(token, value, currentTime);
        }

        @Override
        public long expireAfterRead(String token, VerifiedToken value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
