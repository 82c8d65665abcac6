package io.ticketrush.testsupport;

import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The buyers' OpenID provider in integration tests: a real Keycloak (see {@link KeycloakServer}) serving realm
 * {@value #REALM} from {@code src/test/resources/oidc/ticketrush-realm.json}, fresh at every start. Tests get
 * one shared per run through {@link SharedOidcProvider}.
 */
public final class OidcProvider implements AutoCloseable {

    public static final String REALM = "ticketrush";
    /** The buyer's page: authorization code with PKCE (S256), any loopback redirect; RS256 tokens. */
    public static final String BUYER_CLIENT = "ticketrush-buyer";
    /** The same as {@link #BUYER_CLIENT}, but its access tokens are signed ES256. */
    public static final String ES256_CLIENT = "ticketrush-es256";
    /** Another service of the realm: its tokens are genuine, but not for {@link #AUDIENCE}. */
    public static final String OTHER_AUDIENCE_CLIENT = "ticketrush-other";
    /** As {@link #BUYER_CLIENT} (password grant only), with access tokens that expire one second after they are made. */
    public static final String BRIEF_CLIENT = "ticketrush-brief";
    /** The {@code aud} of every access token the realm's clients get. */
    public static final String AUDIENCE = "ticketrush";
    /** The password of every user, imported or created. */
    public static final String PASSWORD = "buyer-password";
    /** The users the realm file brings. */
    public static final List<String> USERS = List.of("alice", "bob", "carol", "dave", "erin", "mallory");
    /** Where the build unpacks Keycloak (the pom passes it to Failsafe). */
    public static final String HOME_PROPERTY = "ticketrush.keycloak.home";

    private static final String REALM_FILE = "oidc/ticketrush-realm.json";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final KeycloakServer server;
    private final KeycloakAdmin admin;
    private final HttpClient http;
    private final URI realm;

    private OidcProvider(KeycloakServer server) {
        this.server = server;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
        URI base = URI.create("http://127.0.0.1:" + server.port() + "/");
        this.realm = base.resolve("realms/" + REALM + "/");
        this.admin = new KeycloakAdmin(base, REALM, http);
    }

    /** Starts a provider with its log and pid file in {@code dir}, and waits until its realm answers. */
    public static OidcProvider start(Path dir) {
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null) {
            throw new IllegalStateException("No system property " + HOME_PROPERTY + ": run the test through Maven"
                    + " (mvn verify), which unpacks Keycloak and names it");
        }
        return new OidcProvider(KeycloakServer.start(Path.of(home), dir, REALM_FILE, REALM));
    }

    /** The issuer every token names and the discovery document gives, {@code http://localhost:PORT/realms/ticketrush}. */
    public String issuer() {
        return "http://localhost:" + server.port() + "/realms/" + REALM;
    }

    /** The HTTP port, on 127.0.0.1 (which {@code localhost} in the issuer resolves to). */
    public int port() {
        return server.port();
    }

    /** The discovery document, {@code /.well-known/openid-configuration}. */
    public JsonObject discovery() {
        return JsonHttp.object(get(".well-known/openid-configuration"));
    }

    /** The keys it publishes (its {@code jwks_uri}), as JSON text. */
    public String jwks() {
        return get("protocol/openid-connect/certs");
    }

    /** An access token of {@code user}, through the password grant of {@link #BUYER_CLIENT} (RS256). */
    public String accessToken(String user) {
        return accessToken(user, BUYER_CLIENT);
    }

    /** An access token of {@code user}, through the password grant of client {@code clientId}. */
    public String accessToken(String user, String clientId) {
        HttpResponse<String> answer = JsonHttp.expect(
                JsonHttp.send(
                        http,
                        HttpRequest.newBuilder(realm.resolve("protocol/openid-connect/token"))
                                .timeout(TIMEOUT)
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(JsonHttp.form(Map.of(
                                        "grant_type",
                                        "password",
                                        "client_id",
                                        clientId,
                                        "username",
                                        user,
                                        "password",
                                        PASSWORD,
                                        "scope",
                                        "openid")))),
                200,
                "a token of " + user + " for " + clientId);
        return JsonHttp.object(answer.body()).getString("access_token");
    }

    /** A genuine access token of another issuer of the same provider: its {@code master} realm's, for its admin. */
    public String accessTokenOfAnotherIssuer() {
        return admin.masterToken();
    }

    /** A new user {@code name} with password {@link #PASSWORD}; answers its id, the {@code sub} of its tokens. */
    public String createUser(String name) {
        return admin.createUser(name, PASSWORD);
    }

    /** Adds a new RSA signing key that signs every token from now on, the old ones still published; answers its kid. */
    public String rotateKey() {
        return admin.addRsaKey();
    }

    /** Removes key {@code kid}: it no longer signs and is no longer in the JWKS. */
    public void retireKey(String kid) {
        admin.deleteKey(kid);
    }

    /** Signs {@code user} in on Keycloak's own login page, which {@code browser} is showing. */
    public void signIn(Browser browser, String user) {
        browser.type("username", user).type("password", PASSWORD).click("kc-login");
    }

    /** The Keycloak process, for its memory and CPU time. */
    public ProcessHandle process() {
        return server.process();
    }

    @Override
    public void close() {
        server.close();
    }

    private String get(String path) {
        return JsonHttp.expect(
                        JsonHttp.send(
                                http,
                                HttpRequest.newBuilder(realm.resolve(path))
                                        .timeout(TIMEOUT)
                                        .GET()),
                        200,
                        "GET " + path)
                .body();
    }
}
