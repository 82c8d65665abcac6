package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * One Redis and one PostgreSQL for the whole Failsafe run, started before any test (and before Arquillian starts
 * Payara Micro, which reads their ports from arquillian.xml through the system properties
 * {@value #PORT_PROPERTY} and {@value #PG_PORT_PROPERTY}). They are stopped when the run ends, pass or fail.
 * Unit tests (Surefire) run without them.
 */
public class SharedServers implements LauncherSessionListener {

    public static final String PORT_PROPERTY = "ticketrush.redis.port";
    public static final String PG_PORT_PROPERTY = "ticketrush.pg.port";

    private static RedisServer server;
    private static PostgresServer postgres;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        if (Boolean.getBoolean("ticketrush.it") && server == null) {
            createTemporaryDirectory();
            server = RedisServer.start(Path.of("target", "it-redis"));
            RedisServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(started::kill, "stop-shared-redis"));
            System.setProperty(PORT_PROPERTY, Integer.toString(server.port()));
            postgres = PostgresServer.start(Path.of("target", "it-postgres"));
            PostgresServer startedPostgres = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(startedPostgres::close, "stop-shared-postgres"));
            System.setProperty(PG_PORT_PROPERTY, Integer.toString(postgres.port()));
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        if (server != null) {
            server.kill();
            server = null;
        }
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
        if (Boolean.getBoolean("ticketrush.it")) {
            TestDirs.fresh(temporaryDirectory());
        }
    }

    /** Failsafe points java.io.tmpdir into target/ (see the pom); the JVM does not create it. */
    private static void createTemporaryDirectory() {
        try {
            Files.createDirectories(TestDirs.fresh(temporaryDirectory()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The run's temporary directory, which this fixture empties: only ever one under the build's {@code target/}. A
     * run in Maven's own JVM (forkCount=0), or any launcher without the pom's argLine, has the machine's /tmp there,
     * and emptying that would delete every other program's files.
     */
    private static Path temporaryDirectory() {
        Path dir =
                Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        Path target = Path.of(System.getProperty("ticketrush.basedir", "."), "target")
                .toAbsolutePath()
                .normalize();
        if (!dir.startsWith(target) || dir.equals(target)) {
            throw new IllegalStateException("java.io.tmpdir is " + dir + ", not a directory under " + target
                    + ": run the integration tests through Failsafe (mvn verify), which points it at target/it-tmp");
        }
        return dir;
    }

    /** The shared server; only integration tests may ask for it. */
    public static RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("The shared Redis runs only under Failsafe (ticketrush.it=true)");
        }
        return server;
    }
}
