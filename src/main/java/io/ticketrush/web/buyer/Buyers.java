package io.ticketrush.web.buyer;

import com.nimbusds.jose.KeySourceException;
import io.ticketrush.identity.InvalidTokenException;
import io.ticketrush.identity.ProviderKeys;
import io.ticketrush.identity.ProviderUnavailableException;
import io.ticketrush.identity.TokenVerifier;
import io.ticketrush.identity.VerifiedToken;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.Form;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Who a buyer's request is from. With {@code buyer.auth=open} (trying it out) the buyer is whoever the
 * {@code userId} field names: nobody is authenticated. With {@code buyer.auth=oidc} the buyer is a claim of the
 * access token in {@code Authorization: Bearer}, issued by {@code oidc.issuer} and checked by {@link TokenVerifier};
 * a {@code userId} field may still be sent, but only naming the same buyer. Tokens are never logged.
 */
@ApplicationScoped
public class Buyers {

    private static final Logger LOG = Logger.getLogger(Buyers.class.getName());
    private static final String BEARER = "Bearer ";
    private static final String USER_ID = "userId";
    private static final long LOG_EVERY_MILLIS = 10_000;

    /** When the provider's outage was last logged: once per {@value #LOG_EVERY_MILLIS} ms, not once per buyer. */
    private final AtomicLong lastLogged = new AtomicLong();

    @Inject
    @ConfigProperty(name = "buyer.auth")
    String mode;

    @Inject
    @ConfigProperty(name = "oidc.issuer")
    Optional<String> issuer;

    @Inject
    @ConfigProperty(name = "oidc.audience")
    Optional<String> audience;

    @Inject
    @ConfigProperty(name = "oidc.buyer-claim")
    String buyerClaim;

    @Inject
    @ConfigProperty(name = "oidc.client-id")
    String clientId;

    @Inject
    @ConfigProperty(name = "oidc.scope")
    String scope;

    @Inject
    @ConfigProperty(name = "oidc.leeway-seconds")
    int leewaySeconds;

    @Inject
    @ConfigProperty(name = "oidc.token-cache")
    long maxTokens;

    @Inject
    @ConfigProperty(name = "oidc.jwks-cache-ms")
    long jwksCacheMillis;

    @Inject
    @ConfigProperty(name = "oidc.jwks-min-refetch-ms")
    long jwksMinRefetchMillis;

    private TokenVerifier verifier;

    @PostConstruct
    void init() {
        switch (mode.strip().toLowerCase(Locale.ROOT)) {
            case "open" -> verifier = null;
            case "oidc" -> {
                String named = issuer.map(String::strip)
                        .filter(i -> !i.isEmpty())
                        .orElseThrow(() -> new IllegalStateException(
                                "buyer.auth=oidc needs oidc.issuer (OIDC_ISSUER): the provider's issuer URL"));
                ProviderKeys keys = new ProviderKeys(named, jwksCacheMillis, jwksMinRefetchMillis);
                verifier = new TokenVerifier(
                        keys,
                        named,
                        audience(),
                        buyerClaim.strip(),
                        leewaySeconds,
                        maxTokens,
                        jwksCacheMillis,
                        System::currentTimeMillis);
                // The first buyer should not wait for the discovery document and the keys: fetched now, aside.
                Thread warm = new Thread(
                        () -> {
                            try {
                                keys.fetch();
                            } catch (KeySourceException e) {
                                LOG.log(
                                        Level.WARNING,
                                        "The identity provider's keys could not be fetched yet (fetched again at"
                                                + " the first token): " + e.getMessage());
                            }
                        },
                        "ticketrush-oidc-keys");
                warm.setDaemon(true);
                warm.start();
            }
            default -> throw new IllegalStateException("buyer.auth must be open or oidc, not " + mode);
        }
    }

    /** True when buyers are named by verified tokens rather than by what they send. */
    public boolean authenticated() {
        return verifier != null;
    }

    /** The provider buyers sign in at (oidc mode). */
    public String issuer() {
        return issuer.map(String::strip).orElse(null);
    }

    /** The buyer's page's client at the provider (oidc mode). */
    public String clientId() {
        return clientId.strip();
    }

    /** What the buyer's page asks the provider for (oidc mode). */
    public String scope() {
        return scope.strip();
    }

    /** The audience access tokens must carry (oidc mode), or null. */
    public String audience() {
        return audience.map(String::strip).filter(a -> !a.isEmpty()).orElse(null);
    }

    /**
     * The buyer of {@code request}: in open mode its {@code userId} field (required), in oidc mode its token's
     * claim. Throws the 401 (no token, or one not to be trusted), 403 ({@code userId} naming someone else) or 503
     * (the provider's keys unreachable) to answer.
     */
    public String of(HttpServletRequest request, HttpServletResponse response, Form form) {
        return verifier == null ? form.id(USER_ID, null) : verified(request, response, form);
    }

    /**
     * The buyer of {@code request} as its access token names them in oidc mode (thrown at as {@link #of}); null in
     * open mode, where a request that needs no {@code userId} (an admission: its place names the buyer) names nobody.
     */
    public String verified(HttpServletRequest request, HttpServletResponse response, Form form) {
        if (verifier == null) {
            return null;
        }
        String named = form.optionalId(USER_ID);
        VerifiedToken token = token(request, response);
        if (named != null && !named.equalsIgnoreCase(token.buyer()) && !named.equalsIgnoreCase(token.claim())) {
            throw new ApiException(403, "userId names another buyer than the access token does");
        }
        return token.buyer();
    }

    private VerifiedToken token(HttpServletRequest request, HttpServletResponse response) {
        String authorization = request.getHeader("Authorization");
        if (authorization == null) {
            response.setHeader("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "sign in first: send Authorization: Bearer <access token>");
        }
        if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || authorization.substring(BEARER.length()).isBlank()) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_request\"");
            throw new ApiException(401, "Authorization must be Bearer <access token>");
        }
        try {
            return verifier.verify(authorization.substring(BEARER.length()).strip());
        } catch (InvalidTokenException e) {
            response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw new ApiException(401, "invalid access token: " + e.getMessage());
        } catch (ProviderUnavailableException e) {
            long now = System.currentTimeMillis();
            long last = lastLogged.get();
            if (now - last >= LOG_EVERY_MILLIS && lastLogged.compareAndSet(last, now)) {
                LOG.log(Level.WARNING, "Could not check access tokens: " + e.getMessage(), e.getCause());
            }
            throw new ApiException(503, "the identity provider cannot be reached to check your sign-in, retry shortly");
        }
    }
}
