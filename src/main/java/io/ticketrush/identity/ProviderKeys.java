package io.ticketrush.identity;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The issuer's signing keys, found through its discovery document ({@code {issuer}/.well-known/openid-configuration}
 * names the {@code jwks_uri}). Found when first needed and again after a failure, so an instance starts while its
 * provider is away. The set is cached for {@code cacheMillis} and fetched again at once when a token names a key it
 * does not hold (the provider rotated its keys), at most once per {@code minRefetchMillis}, so that tokens naming
 * made-up keys cannot make the instance hammer the provider.
 */
public class ProviderKeys implements JWKSource<SecurityContext> {

    static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int MAX_JWKS_BYTES = 256 * 1024;

    private final String issuer;
    private final long cacheMillis;
    private final long minRefetchMillis;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private volatile JWKSource<SecurityContext> keys;

    /** Until when a failed discovery is not tried again: meanwhile every token is answered at once, not after a wait. */
    private volatile long discoveryRetryAt;

    public ProviderKeys(String issuer, long cacheMillis, long minRefetchMillis) {
        this.issuer = issuer;
        this.cacheMillis = cacheMillis;
        this.minRefetchMillis = minRefetchMillis;
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        return keys().get(selector, context);
    }

    /** Finds the keys now rather than at the first token (an instance's start calls it, off the request path). */
    public void fetch() throws KeySourceException {
        get(new JWKSelector(new JWKMatcher.Builder().build()), null);
    }

    private JWKSource<SecurityContext> keys() throws KeySourceException {
        JWKSource<SecurityContext> known = keys;
        if (known == null) {
            if (System.currentTimeMillis() < discoveryRetryAt) {
                throw new KeySourceException("the discovery document could not be fetched a moment ago");
            }
            synchronized (this) {
                known = keys;
                if (known == null) {
                    try {
                        known = JWKSourceBuilder.<SecurityContext>create(
                                        jwksUri(),
                                        new DefaultResourceRetriever(
                                                (int) TIMEOUT.toMillis(), (int) TIMEOUT.toMillis(), MAX_JWKS_BYTES))
                                .cache(cacheMillis, TIMEOUT.toMillis())
                                // Fetched again shortly before they expire, by one request, in the background.
                                .refreshAheadCache(true)
                                .rateLimited(minRefetchMillis)
                                // Keys fetched before keep checking tokens while the provider is away.
                                .outageTolerant(true)
                                .build();
                    } catch (KeySourceException e) {
                        discoveryRetryAt = System.currentTimeMillis() + minRefetchMillis;
                        throw e;
                    }
                    keys = known;
                }
            }
        }
        return known;
    }

    /** The {@code jwks_uri} of the issuer's discovery document, which must name the same issuer. */
    URL jwksUri() throws KeySourceException {
        String discovery = issuer.replaceAll("/+$", "") + DISCOVERY_PATH;
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(URI.create(discovery))
                            .timeout(TIMEOUT)
                            .header("Accept", "application/json")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new KeySourceException("discovery document " + discovery + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeySourceException("interrupted while fetching " + discovery, e);
        }
        if (response.statusCode() != 200) {
            throw new KeySourceException("discovery document " + discovery + " answered " + response.statusCode());
        }
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            JsonObject document = reader.readObject();
            if (!issuer.equals(document.getString("issuer", null))) {
                throw new KeySourceException("discovery document " + discovery + " names issuer "
                        + document.getString("issuer", null) + ", not " + issuer);
            }
            String jwksUri = document.getString("jwks_uri", null);
            if (jwksUri == null) {
                throw new KeySourceException("discovery document " + discovery + " names no jwks_uri");
            }
            return URI.create(jwksUri).toURL();
        } catch (JsonException | ClassCastException | IllegalArgumentException | MalformedURLException e) {
            throw new KeySourceException("discovery document " + discovery + " unreadable: " + e.getMessage(), e);
        }
    }
}
