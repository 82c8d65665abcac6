package io.ticketrush.web.admin;

import io.ticketrush.web.ApiException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Guards the admin API with {@code Authorization: Bearer <admin.token>}. There is no default token: without
 * one the admin API is closed. Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, in
 * time that does not depend on how much of a guess is right, and are never logged.
 */
@ApplicationScoped
public class AdminAuth {

    private static final String BEARER = "Bearer ";

    @Inject
    @ConfigProperty(name = "admin.token")
    Optional<String> token;

    private byte[] tokenDigest;

    @PostConstruct
    void init() {
        tokenDigest = token.map(String::strip)
                .filter(t -> !t.isEmpty())
                .map(AdminAuth::sha256)
                .orElse(null);
    }

    /** Returns when the request carries the admin token; otherwise throws the 401 (or 503) to answer. */
    void check(HttpServletRequest request, HttpServletResponse response) {
        if (!configured()) {
            throw new ApiException(503, "admin API disabled: no admin token is configured (set ADMIN_TOKEN)");
        }
        if (!accepts(request.getHeader("Authorization"))) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"ticketrush-admin\"");
            throw new ApiException(401, "admin token missing or wrong");
        }
    }

    boolean configured() {
        return tokenDigest != null;
    }

    /** True when {@code authorization} is {@code Bearer <the admin token>}. */
    boolean accepts(String authorization) {
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
        return bearer
                && configured()
                && MessageDigest.isEqual(
                        sha256(authorization.substring(BEARER.length()).strip()), tokenDigest);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }
}
