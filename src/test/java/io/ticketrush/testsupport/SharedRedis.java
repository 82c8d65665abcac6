package io.ticketrush.testsupport;

import java.nio.file.Path;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * One Redis for the whole Failsafe run, started before any test (and before Arquillian starts Payara Micro,
 * which reads its port from arquillian.xml through the system property {@value #PORT_PROPERTY}). It is stopped
 * when the run ends, pass or fail. Unit tests (Surefire) run without it.
 */
public class SharedRedis implements LauncherSessionListener {

    public static final String PORT_PROPERTY = "ticketrush.redis.port";

    private static RedisServer server;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (Boolean.getBoolean("ticketrush.it") && server == null) {
            server = RedisServer.start(Path.of("target", "it-redis"));
            RedisServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::kill, "stop-shared-redis"));
            System.setProperty(PORT_PROPERTY, Integer.toString(server.port()));
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (server != null) {
            server.kill();
            server = null;
        }
    }

    /** The shared server; only integration tests may ask for it. */
    public static RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("The shared Redis runs only under Failsafe (ticketrush.it=true)");
        }
        return server;
    }
}
