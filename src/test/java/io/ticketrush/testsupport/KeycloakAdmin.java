package io.ticketrush.testsupport;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Keycloak's admin REST API on one realm, as the bootstrap admin of the master realm: users and signing keys. */
final class KeycloakAdmin {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** The master realm's tokens live 60 s: one is reused until this long before it expires. */
    private static final Duration TOKEN_MARGIN = Duration.ofSeconds(10);

    private static final String KEY_PROVIDER = "org.keycloak.keys.KeyProvider";

    private final URI base;
    private final URI realmAdmin;
    private final HttpClient http;
    private String token;
    private Instant tokenExpires = Instant.MIN;
    private int keysAdded;

    /** The admin API of the Keycloak at {@code base} (ending in /), on realm {@code realm}. */
    KeycloakAdmin(URI base, String realm, HttpClient http) {
        this.base = base;
        this.realmAdmin = base.resolve("admin/realms/" + realm + "/");
        this.http = http;
    }

    /**
     * An enabled user with {@code password} and a complete profile (Keycloak refuses the password grant to a user
     * whose profile lacks a name or e-mail); answers its id, the {@code sub} of its tokens.
     */
    synchronized String createUser(String username, String password) {
        JsonObject user = Json.createObjectBuilder()
                .add("username", username)
                .add("enabled", true)
                .add("email", username + "@buyers.test")
                .add("emailVerified", true)
                .add("firstName", username)
                .add("lastName", "Buyer")
                .add(
                        "credentials",
                        Json.createArrayBuilder()
                                .add(Json.createObjectBuilder()
                                        .add("type", "password")
                                        .add("value", password)
                                        .add("temporary", false)))
                .build();
        return createdId(send(post("users", user)), "creating user " + username);
    }

    /** Adds a generated RSA signing key above every key of the realm, so it signs from now on; answers its kid. */
    synchronized String addRsaKey() {
        int top = keys().stream()
                .mapToInt(key -> key.getInt("providerPriority"))
                .max()
                .orElse(0);
        JsonObject component = Json.createObjectBuilder()
                .add("name", "rsa-added-" + ++keysAdded)
                .add("providerId", "rsa-generated")
                .add("providerType", KEY_PROVIDER)
                .add(
                        "config",
                        Json.createObjectBuilder()
                                .add("priority", Json.createArrayBuilder().add(Integer.toString(top + 10)))
                                .add("keySize", Json.createArrayBuilder().add("2048"))
                                .add("algorithm", Json.createArrayBuilder().add("RS256")))
                .build();
        String componentId = createdId(send(post("components", component)), "adding an RSA key");
        return keys().stream()
                .filter(key -> componentId.equals(key.getString("providerId")))
                .map(key -> key.getString("kid"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Key provider " + componentId + " has no key"));
    }

    /** Deletes the provider of key {@code kid}: the key neither signs nor is published any more. */
    synchronized void deleteKey(String kid) {
        String componentId = keys().stream()
                .filter(key -> kid.equals(key.getString("kid")))
                .map(key -> key.getString("providerId"))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("The realm has no key " + kid));
        JsonHttp.expect(send(request("components/" + componentId).DELETE()), 204, "deleting key " + kid);
    }

    /** The realm's keys as the admin API lists them (kid, algorithm, providerId, providerPriority, …). */
    private List<JsonObject> keys() {
        HttpResponse<String> answer = JsonHttp.expect(send(request("keys").GET()), 200, "listing keys");
        return JsonHttp.object(answer.body()).getJsonArray("keys").getValuesAs(JsonObject.class);
    }

    private HttpRequest.Builder post(String path, JsonObject body) {
        return request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(realmAdmin.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token());
    }

    /** A fresh access token of the master realm's admin (a token of another issuer than the buyers' realm). */
    String masterToken() {
        return JsonHttp.object(JsonHttp.expect(
                                JsonHttp.send(
                                        http,
                                        HttpRequest.newBuilder(
                                                        base.resolve("realms/master/protocol/openid-connect/token"))
                                                .header("Content-Type", "application/x-www-form-urlencoded")
                                                .POST(JsonHttp.form(Map.of(
                                                        "grant_type",
                                                        "password",
                                                        "client_id",
                                                        "admin-cli",
                                                        "username",
                                                        KeycloakServer.ADMIN_USER,
                                                        "password",
                                                        KeycloakServer.ADMIN_PASSWORD)))),
                                200,
                                "a master realm token")
                        .body())
                .getString("access_token");
    }

    private String token() {
        if (Instant.now().isAfter(tokenExpires)) {
            Instant asked = Instant.now();
            HttpResponse<String> answer = JsonHttp.expect(
                    send(HttpRequest.newBuilder(base.resolve("realms/master/protocol/openid-connect/token"))
                            .timeout(TIMEOUT)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(JsonHttp.form(Map.of(
                                    "grant_type",
                                    "password",
                                    "client_id",
                                    "admin-cli",
                                    "username",
                                    KeycloakServer.ADMIN_USER,
                                    "password",
                                    KeycloakServer.ADMIN_PASSWORD)))),
                    200,
                    "the admin's token");
            JsonObject granted = JsonHttp.object(answer.body());
            token = granted.getString("access_token");
            tokenExpires = asked.plusSeconds(granted.getInt("expires_in")).minus(TOKEN_MARGIN);
        }
        return token;
    }

    /** The id at the end of a 201's Location. */
    private static String createdId(HttpResponse<String> answer, String what) {
        String location = JsonHttp.expect(answer, 201, what)
                .headers()
                .firstValue("Location")
                .orElseThrow(() -> new IllegalStateException(what + ": 201 without a Location"));
        return location.substring(location.lastIndexOf('/') + 1);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        return JsonHttp.send(http, request);
    }
}
