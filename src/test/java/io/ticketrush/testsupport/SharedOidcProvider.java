package io.ticketrush.testsupport;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One OpenID provider for every test class of a Failsafe run that asks for it: started by the first, stopped when
 * the run ends, pass or fail (and by a shutdown hook if the JVM is stopped; a JVM killed outright leaves a pid
 * file, by which the next start stops it). Tests receive it as an {@link OidcProvider} parameter.
 */
public class SharedOidcProvider implements BeforeAllCallback, ParameterResolver {

    private static final String KEY = SharedOidcProvider.class.getName();

    @Override
    public void beforeAll(ExtensionContext context) {
        running(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == OidcProvider.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return running(context).provider;
    }

    private static Running running(ExtensionContext context) {
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, key -> new Running(), Running.class);
    }

    /** Closed by JUnit when the root context closes, at the end of the run. */
    static final class Running implements AutoCloseable {

        final OidcProvider provider;
        private final Thread stopOnExit;

        Running() {
            Instant asked = Instant.now();
            provider = OidcProvider.start(Path.of("target", "it-oidc"));
            stopOnExit = new Thread(provider::close, "stop-oidc-provider");
            Runtime.getRuntime().addShutdownHook(stopOnExit);
            System.out.printf(
                    "[SharedOidcProvider] Keycloak ready in %.1f s on port %d (pid %d, %d MB resident)%n",
                    Duration.between(asked, Instant.now()).toMillis() / 1000.0,
                    provider.port(),
                    provider.process().pid(),
                    KeycloakServer.residentMegabytes(provider.process()));
        }

        @Override
        public void close() {
            provider.close();
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        }
    }
}
