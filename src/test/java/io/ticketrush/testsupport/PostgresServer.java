package io.ticketrush.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A real PostgreSQL on a free loopback port, with a throw-away data directory, started and stopped by a test.
 * As root it runs as the system user postgres (PostgreSQL refuses root), through setpriv, which execs, so the
 * process this class holds is the postmaster itself; its data and socket are then in a directory of that user's
 * home, since it may not be able to enter the checkout (under /root or {@code mktemp -d}), and {@link #close()}
 * removes them.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String DATABASE = "ticketrush";
    public static final String USER = "ticketrush";
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    /** As root: the prefix of each run's directory in postgres's home, followed by the JVM's pid. */
    private static final String TEST_PREFIX = "it-";

    /** Where the logs go. */
    private final Path dir;
    /** The data directory's parent and the socket's directory: {@link #dir}, or as root one in postgres's home. */
    private final Path home;

    private final int port;
    private final Path bin;
    private Process process;

    private PostgresServer(Path dir, Path home, int port, Path bin) {
        this.dir = dir;
        this.home = home;
        this.port = port;
        this.bin = bin;
    }

    /** initdb in a fresh directory, start, create the database; the logs go to {@code dir}. */
    public static PostgresServer start(Path dir) {
        Path logs = dir.toAbsolutePath();
        PostgresServer server =
                new PostgresServer(logs, isRoot() ? postgresOwnedDirectory() : logs, FreePorts.any(), binaries());
        try {
            server.initdb();
            server.restart();
            try (Connection connection = server.connect("postgres")) {
                connection.createStatement().execute("CREATE DATABASE " + DATABASE);
            }
            return server;
        } catch (SQLException e) {
            server.close();
            throw new IllegalStateException("Cannot create the test database", e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public Connection connect() throws SQLException {
        return connect(DATABASE);
    }

    /** Starts the server on its data directory and waits until it accepts connections. */
    public synchronized void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("PostgreSQL on port " + port + " is already running");
        }
        process = run(
                List.of(
                        bin.resolve("postgres").toString(),
                        "-D",
                        home.resolve("data").toString(),
                        "-p",
                        Integer.toString(port),
                        "-k",
                        home.toString(),
                        "-c",
                        "listen_addresses=127.0.0.1"),
                dir.resolve("postgres.log"));
        Instant deadline = Instant.now().plus(START_LIMIT);
        while (true) {
            try (Connection ignored = connect("postgres")) {
                return;
            } catch (SQLException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "PostgreSQL did not start; see " + dir.resolve("postgres.log"), notYet);
                }
                Pause.of(Duration.ofMillis(100));
            }
        }
    }

    /** SIGINT: PostgreSQL's fast shutdown, which does not wait for clients to disconnect. */
    public synchronized void stop() {
        if (process != null && process.isAlive()) {
            signal("-INT");
            process.onExit().join();
        }
    }

    /** Kills the server; as root also removes its directory in postgres's home. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.onExit().join();
        }
        if (!home.equals(dir)) {
            delete(home);
        }
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, "");
    }

    private void initdb() {
        try {
            delete(dir);
            Files.createDirectories(dir);
            Process initdb = run(
                    List.of(
                            bin.resolve("initdb").toString(),
                            "-D",
                            home.resolve("data").toString(),
                            "-U",
                            USER,
                            "--auth=trust",
                            "-E",
                            "UTF8"),
                    dir.resolve("initdb.log"));
            if (initdb.waitFor() != 0) {
                throw new IllegalStateException("initdb failed; see " + dir.resolve("initdb.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new directory for one test run, owned by postgres, in {@code ~postgres/ticketrush} beside the clusters'
     * data; named after this JVM's pid, so that a run that was killed before {@link #close()} is cleaned up by
     * the next.
     */
    private static Path postgresOwnedDirectory() {
        try {
            Path parent = postgresHome().resolve("ticketrush");
            UserPrincipal postgres =
                    parent.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            if (!Files.isDirectory(parent)) {
                Files.createDirectories(
                        parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.setOwner(parent, postgres);
            }
            try (var leftovers = Files.list(parent)) {
                leftovers.filter(PostgresServer::isLeftOver).forEach(PostgresServer::delete);
            }
            Path created = Files.createTempDirectory(
                    parent, TEST_PREFIX + ProcessHandle.current().pid() + "-");
            Files.setOwner(created, postgres);
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A test run's directory whose JVM is gone. */
    private static boolean isLeftOver(Path candidate) {
        String name = candidate.getFileName().toString();
        if (!name.startsWith(TEST_PREFIX)) {
            return false;
        }
        String[] parts = name.substring(TEST_PREFIX.length()).split("-", 2);
        try {
            return ProcessHandle.of(Long.parseLong(parts[0]))
                    .map(p -> !p.isAlive())
                    .orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The home directory of the user postgres, from the password database. */
    private static Path postgresHome() {
        try {
            Process getent = new ProcessBuilder("getent", "passwd", "postgres")
                    .redirectErrorStream(true)
                    .start();
            String entry = new String(getent.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String[] fields = entry.split(":");
            if (getent.waitFor() == 0 && fields.length >= 6 && !fields[5].isEmpty()) {
                return Path.of(fields[5]);
            }
            throw new IllegalStateException("As root PostgreSQL runs as the user postgres, which does not exist;"
                    + " apt-get install -y postgresql creates it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Process run(List<String> command, Path log) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        }
        full.addAll(command);
        try {
            return new ProcessBuilder(full)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + full, e);
        }
    }

    private void signal(String signal) {
        try {
            new ProcessBuilder("kill", signal, Long.toString(process.pid()))
                    .start()
                    .waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed PostgreSQL's server binaries, or a failure naming the package to install. */
    private static Path binaries() {
        Path versions = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(versions)) {
            try (var dirs = Files.list(versions)) {
                var newest = dirs.map(d -> d.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> Integer.parseInt(
                                b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            return Binaries.require("initdb", "postgresql").toRealPath().getParent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
